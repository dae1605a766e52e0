import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScenario } from '../src/generate/generate.ts';
import { openDatabase } from '../src/store/db.ts';
import { createTestDatabase, DIALECTS } from './support/databases.ts';

const BIN = new URL('../bin/conduit.js', import.meta.url).pathname;
const REPORTS = 2000;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'conduit-crash-'));
  await generateScenario({ reports: REPORTS, seed: 'crash', outDir: dir, format: 'xml' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ingest(
  db: string,
  killWhen?: (count: () => Promise<number>) => Promise<void>,
  count?: () => Promise<number>,
) {
  const child = spawn(process.execPath, [BIN, '--db', db, 'ingest', dir, '--json', '--batch-size', '50'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  if (killWhen && count) void killWhen(count).then(() => child.kill('SIGKILL'));
  return exited.then((r) => ({ ...r, out }));
}

describe.each(DIALECTS)('ingest killed with SIGKILL on %s', (dialect) => {
  it('stores every report exactly once after the same command is run again', async () => {
    const t = await createTestDatabase(dialect);
    const database = openDatabase(t.url);
    const count = async () => {
      try {
        const r = await database.db
          .selectFrom('referrals')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirst();
        return Number(r?.n ?? 0);
      } catch {
        return 0; // tables not yet created by the child
      }
    };
    try {
      const seen: number[] = [];
      // Kill three times at different points: as soon as something is stored, then a little further on.
      for (const threshold of [1, 400, 900]) {
        const r = await ingest(
          t.cliUrl,
          async (n) => {
            while ((await n()) < threshold) await new Promise((res) => setTimeout(res, 5));
          },
          count,
        );
        seen.push(await count());
        if (r.signal !== 'SIGKILL') break; // finished before the kill: nothing left to prove here
      }
      expect(seen[0]).toBeGreaterThan(0);
      expect(seen[0]).toBeLessThan(REPORTS);
      const final = await ingest(t.cliUrl);
      expect(final.code).toBe(0);
      const summary = JSON.parse(final.out) as {
        received: number;
        accepted: number;
        duplicates: number;
        rejected: number;
      };
      expect(summary.received).toBe(REPORTS);
      expect(summary.rejected).toBe(0);
      expect(summary.accepted + summary.duplicates).toBe(REPORTS);
      expect(summary.duplicates).toBeGreaterThanOrEqual(seen.at(-1) ?? 0);
      expect(await count()).toBe(REPORTS);
      const refs = await database.db.selectFrom('referrals').select('source_ref').execute();
      expect(new Set(refs.map((r) => r.source_ref)).size).toBe(REPORTS);
      // Every stored referral has its decision, raw record and audit event: nothing half-written.
      for (const table of ['decisions', 'referral_raw'] as const) {
        const n = await database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        expect(Number(n.n)).toBe(REPORTS);
      }
      const audits = await database.db
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('action', '=', 'referral.receive')
        .executeTakeFirstOrThrow();
      expect(Number(audits.n)).toBe(REPORTS);
    } finally {
      await database.close();
      await t.dispose();
    }
  }, 180_000);
});
