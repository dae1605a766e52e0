import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { DbUrl } from '../config.ts';
import { migrations } from './migrations/index.ts';
import type { Tables } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  readonly db: Kysely<Tables>;
  readonly dialect: Dialect;
  close(): Promise<void>;
}

/** Opens the database named by the URL; the only place that knows which driver is behind Kysely. */
export function openDatabase(url: DbUrl): Database {
  switch (url.kind) {
    case 'sqlite': {
      if (url.path !== ':memory:') mkdirSync(dirname(url.path), { recursive: true });
      const sqlite = new SQLite(url.path);
      sqlite.pragma('journal_mode = WAL');
      // FULL: a referral acknowledged to its sender survives power loss too, not only a process crash
      // (NORMAL in WAL mode may lose the last commits to an OS crash). Batched commits keep it cheap.
      sqlite.pragma('synchronous = FULL');
      sqlite.pragma('busy_timeout = 10000');
      sqlite.pragma('foreign_keys = ON');
      // 64 MiB of page cache keeps the indexes hot during bulk intake.
      sqlite.pragma('cache_size = -65536');
      // Checkpoint every 64 MiB of WAL rather than every 4 MiB: bulk intake commits megabytes at a time.
      sqlite.pragma('wal_autocheckpoint = 16384');
      const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
      return { db, dialect: 'sqlite', close: () => db.destroy() };
    }
    case 'postgres': {
      const pool = new pg.Pool({
        connectionString: url.url,
        max: 10,
        // int8 (audit sequence, counts) as a JS number: safe below 2^53.
        types: { getTypeParser: int8AsNumber },
      });
      // An idle client's connection can drop (server restart); without a listener that would kill the
      // process. The next query gets a fresh connection.
      pool.on('error', (e) => process.stderr.write(`conduit: database connection lost: ${e.message}\n`));
      const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
      return { db, dialect: 'postgres', close: () => db.destroy() };
    }
  }
}

/**
 * Kysely prepares every query afresh; compiling SQL is a large share of a small write's cost, and the same
 * statements recur (every intake transaction runs the same few), so prepared statements are kept by text.
 */
function withStatementCache(sqlite: SQLite.Database, size = 256): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      // Bulk multi-row INSERTs are long and rarely repeat exactly: caching them would only hold memory.
      if (sql.length > 4096) return sqlite.prepare(sql);
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql); // re-inserted below: the map's order is least recently used first
      } else {
        stmt = sqlite.prepare(sql);
        if (cache.size >= size) cache.delete(cache.keys().next().value as string);
      }
      cache.set(sql, stmt);
      return stmt;
    },
  };
}

const INT8 = 20;
function int8AsNumber(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  return oid === INT8
    ? Number
    : (pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown);
}

/** Brings the schema up to date; safe to run from several processes at once (Kysely takes a lock). */
export async function migrate(database: Database): Promise<readonly string[]> {
  // Kysely looks for its bookkeeping tables in every schema unless told which: with two Conduit schemas
  // in one PostgreSQL database it would find the other's and never create its own.
  const schema =
    database.dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db)).rows[0]
          ?.schema
      : undefined;
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: () => Promise.resolve(migrations(database.dialect)) },
    ...(schema !== undefined && { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
