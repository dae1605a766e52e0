import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { httpLoad, localTarget, remoteTarget } from './http.ts';
import { runChild, type ChildRun } from './measure.ts';

const BIN = new URL('../../bin/conduit.js', import.meta.url).pathname;
const WORK = '.bench';
const PG_ADMIN = process.env.CONDUIT_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const SUITES = [
  'ingest-sqlite',
  'ingest-postgres',
  'http',
  'http-read',
  'http-bulk',
  'memory',
  'pdq',
  'pdq-index',
  'hashlist',
  'routing',
  'linking-quality',
  'linking-speed',
  'nicknames',
  'web',
] as const;
export type Suite = (typeof SUITES)[number];

/** A suite may report several rows (one per size). */
export interface Result {
  readonly suite: Suite;
  readonly command: string;
  readonly figures: Readonly<Record<string, number | string>>;
}

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Generates a scenario once and reuses it while the count, seed and format are the same. */
async function scenario(reports: number, format: 'xml' | 'ndjson'): Promise<string> {
  const dir = join(WORK, `${format}-${reports}`);
  const marker = join(dir, '.complete');
  if (existsSync(marker)) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const r = await runChild(process.execPath, [
    BIN,
    'generate',
    '--reports',
    String(reports),
    '--seed',
    'bench',
    '--out',
    dir,
    '--format',
    format,
  ]);
  if (r.code !== 0) throw new Error(`generate failed: ${r.stderr}`);
  writeFileSync(marker, '');
  return dir;
}

async function ingestInto(
  db: string,
  input: string,
): Promise<ChildRun & { summary: { accepted: number; rejected: number } }> {
  const r = await runChild(process.execPath, [BIN, '--db', db, 'ingest', input, '--json']);
  if (r.code !== 0)
    throw new Error(`ingest failed (${r.code}): ${r.stderr.slice(0, 2000)} ${r.stdout.slice(0, 2000)}`);
  return { ...r, summary: JSON.parse(r.stdout) as { accepted: number; rejected: number } };
}

export interface RunOptions {
  readonly reports?: number;
  readonly seconds?: number;
  /** HTTP suites: load an already running server instead of a fresh local one. */
  readonly target?: string;
  readonly headers?: Record<string, string>;
}

export async function run(suite: Suite, opts: RunOptions): Promise<Result | Result[]> {
  mkdirSync(WORK, { recursive: true });
  switch (suite) {
    case 'ingest-sqlite': {
      const n = opts.reports ?? 100_000;
      const dir = await scenario(n, 'xml');
      const db = join(WORK, 'ingest.db');
      for (const s of ['', '-wal', '-shm']) rmSync(db + s, { force: true });
      const r = await ingestInto(`sqlite:${db}`, dir);
      return {
        suite,
        command: `conduit ingest <${n} generated XML reports> --db sqlite:…`,
        figures: {
          reports: r.summary.accepted,
          seconds: round(r.seconds),
          reportsPerSecond: Math.round(r.summary.accepted / r.seconds),
          peakRssMb: r.peakRssMb,
        },
      };
    }
    case 'ingest-postgres': {
      const n = opts.reports ?? 100_000;
      const dir = await scenario(n, 'xml');
      const name = `conduit_bench_${Date.now()}`;
      await adminQuery(`CREATE DATABASE ${name}`);
      try {
        const r = await ingestInto(PG_ADMIN.replace(/\/[^/]*$/, `/${name}`), dir);
        return {
          suite,
          command: `conduit ingest <${n} generated XML reports> --db postgres://…`,
          figures: {
            reports: r.summary.accepted,
            seconds: round(r.seconds),
            reportsPerSecond: Math.round(r.summary.accepted / r.seconds),
            peakRssMb: r.peakRssMb,
          },
        };
      } finally {
        await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }
    }
    case 'memory': {
      const n = opts.reports ?? 1_000_000;
      const dir = await scenario(n, 'ndjson');
      const db = join(WORK, 'memory.db');
      for (const s of ['', '-wal', '-shm']) rmSync(db + s, { force: true });
      const r = await ingestInto(`sqlite:${db}`, dir);
      return {
        suite,
        command: `conduit ingest <${n} generated reports, NDJSON> --db sqlite:…`,
        figures: {
          reports: r.summary.accepted,
          seconds: round(r.seconds),
          reportsPerSecond: Math.round(r.summary.accepted / r.seconds),
          peakRssMb: r.peakRssMb,
        },
      };
    }
    case 'pdq': {
      // Loaded on demand: sharp is only needed by the suites that decode images.
      const { pdqBench } = await import('./pdq.ts');
      return { suite, ...(await pdqBench()) };
    }
    case 'hashlist': {
      const { hashlistBench } = await import('./hashlist.ts');
      return { suite, ...(await hashlistBench(opts.reports)) };
    }
    case 'routing': {
      const { routingBench } = await import('./routing.ts');
      return routingBench(opts.reports).map((r) => ({ suite, ...r }));
    }
    case 'linking-quality': {
      const { linkingQualityBench } = await import('./linking.ts');
      return linkingQualityBench(opts.reports).map((r) => ({ suite, ...r }));
    }
    case 'linking-speed': {
      const { linkingSpeedBench } = await import('./linking.ts');
      return { suite, ...linkingSpeedBench(opts.reports) };
    }
    case 'web': {
      const { webBench } = await import('./web.ts');
      const rows = opts.reports ?? 1_000_000;
      return {
        suite,
        command: `conduit bench web --reports ${rows}: queue pages over loopback HTTP on SQLite, Chromium time to interactive, first-screen JS`,
        figures: await webBench(rows),
      };
    }
    case 'nicknames': {
      const { nicknameBench } = await import('./nicknames.ts');
      const reports = opts.reports ?? 20_000;
      return {
        suite,
        command: `in-process: trace every account's screen name among ${reports} generated referrals`,
        figures: await nicknameBench({ reports, seed: 'bench-nicknames' }),
      };
    }
    case 'pdq-index': {
      const { pdqIndexBench } = await import('./pdq-index.ts');
      const rows = await pdqIndexBench(opts.reports ? [opts.reports] : undefined);
      return rows.map((r) => ({ suite, ...r }));
    }
    case 'http':
    case 'http-read':
    case 'http-bulk': {
      const load = suite === 'http' ? 'write' : suite === 'http-read' ? 'read' : 'bulk';
      const target = opts.target ? remoteTarget(opts.target, opts.headers ?? {}) : await localTarget(WORK);
      try {
        const r = await httpLoad(load, target, opts.seconds ?? 30);
        return {
          suite,
          command: opts.target ? `${r.command} against ${opts.target}` : r.command,
          figures: r.figures,
        };
      } finally {
        await target.stop();
      }
    }
  }
}

async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
