import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { PG_URL } from './pg-url.ts';
import type { DbUrl } from '../../src/config.ts';
import { migrate, openDatabase, type Database } from '../../src/store/db.ts';

/** Each PostgreSQL test gets a schema of its own in PG_URL's database, dropped when the run ends. */
export { PG_URL };

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
      const schema = `t_${inject('pgRun')}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.end();
      const sep = PG_URL.includes('?') ? '&' : '?';
      const url = `${PG_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      return {
        url: { kind: 'postgres', url },
        cliUrl: url,
        // Dropped after the whole run (global-setup.ts), never while other tests may be introspecting.
        dispose: () => Promise.resolve(),
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
