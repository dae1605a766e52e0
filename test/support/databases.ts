import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DbUrl } from '../../src/config.ts';
import { migrate, openDatabase, type Database } from '../../src/store/db.ts';

/**
 * The PostgreSQL database tests run in: a throw-away database made by .ci/run, or the machine's `test`
 * database locally. Each test gets its own schema inside it, dropped afterwards.
 */
export const PG_URL = process.env.CONDUIT_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type TestDialect = (typeof DIALECTS)[number];

export interface TestDatabase {
  readonly url: DbUrl;
  /** The URL as the CLI takes it (`--db`). */
  readonly cliUrl: string;
  dispose(): Promise<void>;
}

export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  switch (dialect) {
    case 'sqlite': {
      const dir = mkdtempSync(join(tmpdir(), 'conduit-test-'));
      const path = join(dir, 'conduit.db');
      return {
        url: { kind: 'sqlite', path },
        cliUrl: `sqlite:${path}`,
        dispose: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
      };
    }
    case 'postgres': {
      const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.end();
      const sep = PG_URL.includes('?') ? '&' : '?';
      const url = `${PG_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      return {
        url: { kind: 'postgres', url },
        cliUrl: url,
        async dispose() {
          const c = new pg.Client({ connectionString: PG_URL });
          await c.connect();
          await c.query(`DROP SCHEMA ${schema} CASCADE`);
          await c.end();
        },
      };
    }
  }
}

/** A migrated database, open, for a repository or service test. */
export async function openTestDatabase(
  dialect: TestDialect,
): Promise<Database & { dispose(): Promise<void> }> {
  const t = await createTestDatabase(dialect);
  const database = openDatabase(t.url);
  await migrate(database);
  return {
    ...database,
    async dispose() {
      await database.close();
      await t.dispose();
    },
  };
}
