import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { PG_URL } from './pg-url.ts';
import { buildWebIfStale } from './web-build.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** This run's prefix for PostgreSQL test schemas. */
    pgRun: string;
  }
}

/**
 * PostgreSQL test schemas are dropped once, after the whole run, not by each test: Kysely's migrator
 * introspects every schema of the database, and a schema dropped by a test running in parallel in the
 * middle of that scan fails it ("schema … does not exist").
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The browser tests serve the built web application: build it first when its sources changed.
  await buildWebIfStale();
  const run = randomBytes(4).toString('hex');
  project.provide('pgRun', run);
  return async () => {
    const c = new pg.Client({ connectionString: PG_URL });
    try {
      await c.connect();
    } catch {
      return; // No PostgreSQL: nothing was created.
    }
    try {
      const { rows } = await c.query<{ name: string }>(
        `SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE $1`,
        [`t\\_${run}\\_%`],
      );
      for (const { name } of rows) await c.query(`DROP SCHEMA "${name}" CASCADE`);
    } finally {
      await c.end();
    }
  };
}
