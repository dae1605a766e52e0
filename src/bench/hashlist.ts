import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { Instant } from '../domain/ids.ts';
import { loadHashIndex } from '../hashlists/hash-index.ts';
import { createHashListsService } from '../hashlists/hashlists.service.ts';
import { migrate, openDatabase } from '../store/db.ts';
import { runChild } from './measure.ts';

const WORK = '.bench';

/**
 * Writes a synthetic VICS 2.0 US hash set of `n` entries (random MD5 and SHA-1, upper-case as
 * distributions write them; string flags; a PDQ alternative hash on every second entry), streamed to disk.
 */
export async function writeSyntheticVics(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write(
    '\uFEFF{"@odata.context":"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media","value":[\n',
  );
  const BATCH = 1000;
  for (let start = 0; start < n; start += BATCH) {
    const count = Math.min(BATCH, n - start);
    const bytes = randomBytes(count * 68);
    const parts: string[] = [];
    for (let i = 0; i < count; i++) {
      const o = i * 68;
      const id = start + i + 1;
      const media: Record<string, unknown> = {
        MediaID: id,
        MD5: bytes.toString('hex', o, o + 16).toUpperCase(),
        SHA1: bytes.toString('hex', o + 16, o + 36).toUpperCase(),
        Category: (bytes[o] ?? 0) % 5,
        VictimIdentified: (bytes[o + 1] ?? 0) % 2 ? 'true' : 'false',
        IsDistributed: 'true',
        ...(id % 7 === 0 && { Series: `SYNTHETIC-SERIES-${id % 97}` }),
        ...(id % 2 === 0 && {
          AlternativeHashes: [{ HashName: 'PDQ', HashValue: bytes.toString('hex', o + 36, o + 68) }],
        }),
      };
      parts.push(JSON.stringify(media));
    }
    await write(`${start === 0 ? '' : ',\n'}${parts.join(',\n')}`);
  }
  await write('\n]}\n');
  out.end();
  await once(out, 'finish');
}

/** Peak RSS and V8 heap while `work` runs, sampled every 20 ms (process.memoryUsage()), in MiB. */
async function peakRss<T>(
  work: () => Promise<T>,
): Promise<{ value: T; peakMb: number; heapMb: number; seconds: number }> {
  let peak = 0;
  let heap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  sample();
  const timer = setInterval(sample, 20);
  const started = process.hrtime.bigint();
  try {
    const value = await work();
    sample();
    const mb = (b: number) => Math.round(b / 2 ** 20);
    return {
      value,
      peakMb: mb(peak),
      heapMb: mb(heap),
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
  } finally {
    clearInterval(timer);
  }
}

async function importOnce(n: number, batchSize?: number) {
  const dir = join(WORK, `hashlist-${n}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'vics-2.0.json');
  await writeSyntheticVics(file, n);
  const database = openDatabase({ kind: 'sqlite', path: join(dir, 'conduit.db') });
  try {
    await migrate(database);
    const service = createHashListsService({
      database,
      clock: { now: () => new Date().toISOString() as Instant },
      newId: () => uuidv7(),
      ...(batchSize !== undefined && { batchSize }),
    });
    global.gc?.();
    const run = await peakRss(() =>
      service.import(
        file,
        { name: 'bench', format: 'vics' },
        { principal: { kind: 'operator', name: 'bench' }, requestId: null },
      ),
    );
    if (!run.value.ok) throw new Error(`import refused: ${JSON.stringify(run.value.problems.slice(0, 3))}`);
    global.gc?.();
    const load = await peakRss(() => loadHashIndex(database.db));
    return {
      entries: run.value.entries,
      fileMb: statSync(file).size / 2 ** 20,
      seconds: run.seconds,
      peakMb: run.peakMb,
      heapMb: run.heapMb,
      loadSeconds: load.seconds,
      loadPeakMb: load.peakMb,
      indexed: load.value.entries,
    };
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * VICS import of a generated file of `n` entries into a fresh SQLite database: seconds, entries/s and peak
 * memory. Each size runs in a child process of its own (a tenth-size run first), so peaks are not inherited
 * between runs: an import that streams has the same JS heap peak at n/10 and at n, and an RSS that differs
 * only by SQLite's page cache (capped at 64 MiB by db.ts). The index load that follows is measured too; it
 * holds every entry by design.
 */
export async function hashlistBench(
  n = 1_000_000,
): Promise<{ command: string; figures: Record<string, number> }> {
  const small = await inChild(Math.max(1000, Math.round(n / 10)));
  const full = await inChild(n);
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return {
    command: `conduit hashlist import <generated VICS 2.0, ${n} entries> --db sqlite:…`,
    figures: {
      entries: full.entries,
      fileMb: r1(full.fileMb),
      seconds: r1(full.seconds),
      entriesPerSecond: Math.round(full.entries / full.seconds),
      peakRssMb: full.peakMb,
      peakHeapMb: full.heapMb,
      peakRssMbAtTenth: small.peakMb,
      peakHeapMbAtTenth: small.heapMb,
      indexLoadSeconds: r1(full.loadSeconds),
      indexLoadPeakRssMb: full.loadPeakMb,
    },
  };
}

type ImportFigures = Awaited<ReturnType<typeof importOnce>>;

async function inChild(n: number): Promise<ImportFigures> {
  const run = await runChild(process.execPath, ['--import', 'tsx', SELF, String(n)]);
  if (run.code !== 0) throw new Error(`hashlist bench child failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as ImportFigures;
}

const SELF = new URL(import.meta.url).pathname;

// `node --import tsx src/bench/hashlist.ts <n> [batchSize]`: one import, its figures as JSON.
if (process.argv[1] === SELF) {
  const n = Number(process.argv[2] ?? 1_000_000);
  const batch = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  importOnce(n, batch).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
