import v8 from 'node:v8';
import vm from 'node:vm';
import { bruteForceSearch, chooseSlots, pdqIndexBuilder, type PdqIndex } from '../media/pdq-index.ts';

/**
 * PDQ index figures (issue 4): build time, memory per hash, queries/s at radius 31 on one core for random
 * queries and for queries planted near stored items, recall against bruteForceSearch in the same run, and
 * bruteForceSearch's own rate beside it.
 *
 * Hashes are random and never all held as strings: hash i is a pure function of (seed, i), so the oracle
 * regenerates them a chunk at a time and runs every sampled query over each chunk.
 */
export async function pdqIndexBench(
  sizes: readonly number[] = [1_000_000, 10_000_000],
  options: { readonly slots?: number; readonly seed?: number } = {},
): Promise<{ command: string; figures: Record<string, number> }[]> {
  const results: { command: string; figures: Record<string, number> }[] = [];
  for (const n of sizes) results.push(await benchOne(n, options.slots, options.seed ?? 0x5eed));
  return results;
}

const RADIUS = 31;
const TIMED_QUERIES = 2_000;

async function benchOne(
  n: number,
  slots: number | undefined,
  seed: number,
): Promise<{ command: string; figures: Record<string, number> }> {
  const gc = exposeGc();
  await settle(gc);
  const before = memory();
  const t0 = performance.now();
  const builder = pdqIndexBuilder(n, slots === undefined ? {} : { slots });
  for (let i = 0; i < n; i++) builder.add(hashAt(seed, i), i);
  const t1 = performance.now();
  const index = builder.build();
  const t2 = performance.now();
  await settle(gc);
  const after = memory();

  const rnd = mulberry32(seed ^ 0x9e3779b9);
  const random = Array.from({ length: TIMED_QUERIES }, (_, q) => hashAt(seed ^ 0x7fffffff, q));
  const planted = Array.from({ length: TIMED_QUERIES }, () =>
    plant(hashAt(seed, rnd() % n), rnd() % (RADIUS + 1), rnd),
  );
  const qpsRandom = rate(index, random);
  const qpsPlanted = rate(index, planted);
  const plantedMatches = planted.reduce((sum, q) => sum + index.search(q, RADIUS).length, 0) / planted.length;

  // Oracle sample: mostly planted queries (random ones rarely have any match), fewer at 10M.
  const sample = n > 2_000_000 ? 16 : 40;
  const queries = [...planted.slice(0, sample), ...random.slice(0, sample / 4)];
  const oracle = bruteForce(seed, n, queries);
  let expected = 0;
  let recalled = 0;
  let exact = 1;
  queries.forEach((q, i) => {
    const got = new Set(index.search(q, RADIUS).map((h) => `${h.id}:${h.distance}`));
    const want = oracle.results[i] ?? [];
    expected += want.length;
    recalled += want.filter((h) => got.has(`${h.id}:${h.distance}`)).length;
    if (got.size !== want.length) exact = 0;
  });

  const m = slots ?? chooseSlots(n);
  const bytes = after - before;
  return {
    command: `pdqIndexBench([${n}]${slots === undefined ? '' : `, { slots: ${slots} }`}) — ${n} random PDQ hashes, radius ${RADIUS}, one core`,
    figures: {
      hashes: n,
      slots: m,
      addSeconds: round((t1 - t0) / 1000, 2),
      buildSeconds: round((t2 - t1) / 1000, 2),
      bytesPerHash: round(bytes / n, 1),
      layoutBytesPerHash: round(layoutBytes(n, m) / n, 1),
      qpsRandom: Math.round(qpsRandom),
      qpsPlanted: Math.round(qpsPlanted),
      matchesPerPlantedQuery: round(plantedMatches, 2),
      recall: expected === 0 ? 1 : round(recalled / expected, 6),
      exactAsBruteForce: exact,
      recallQueries: queries.length,
      recallMatches: expected,
      bruteForceQps: round(queries.length / oracle.seconds, 2),
    },
  };
}

function rate(index: PdqIndex, queries: readonly string[]): number {
  for (let i = 0; i < Math.min(200, queries.length); i++) index.search(queries[i]!, RADIUS); // warm up the JIT
  const t = performance.now();
  for (const q of queries) index.search(q, RADIUS);
  return queries.length / ((performance.now() - t) / 1000);
}

/** bruteForceSearch over the whole bank, regenerated a chunk at a time; times only the oracle's own calls. */
function bruteForce(
  seed: number,
  n: number,
  queries: readonly string[],
): { results: { id: number; distance: number }[][]; seconds: number } {
  const results = queries.map(() => [] as { id: number; distance: number }[]);
  const chunk = 500_000;
  let ms = 0;
  for (let start = 0; start < n; start += chunk) {
    const hashes = Array.from({ length: Math.min(chunk, n - start) }, (_, i) => hashAt(seed, start + i));
    queries.forEach((q, i) => {
      const t = performance.now();
      const hits = bruteForceSearch(hashes, q, RADIUS);
      ms += performance.now() - t;
      for (const h of hits) results[i]!.push({ id: start + h.id, distance: h.distance });
    });
  }
  return { results, seconds: ms / 1000 };
}

/** Bytes the layout needs: 8 words + id + one posting per slot, plus per slot 2^b + 1 offsets and a 2^b-bit bitmap. */
function layoutBytes(n: number, m: number): number {
  const base = Math.floor(256 / m);
  const wide = 256 - base * m;
  const table = (bits: number) => 4 * (2 ** bits + 1) + 2 ** bits / 8;
  return n * (32 + 4 + 4 * m) + wide * table(base + 1) + (m - wide) * table(base);
}

const WORD = Buffer.alloc(32);

/** Hash i of a bank: a counter-based generator, so any item can be regenerated without storing it. */
function hashAt(seed: number, i: number): string {
  for (let w = 0; w < 8; w++)
    WORD.writeInt32BE(mix32(seed ^ Math.imul(i, 0x9e3779b1) ^ mix32(i * 8 + w)), w * 4);
  return WORD.toString('hex');
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) | 0;
}

function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** `hash` with `d` distinct random bits flipped. */
function plant(hash: string, d: number, rnd: () => number): string {
  const bytes = Buffer.from(hash, 'hex');
  const bits = new Set<number>();
  while (bits.size < d) bits.add(rnd() % 256);
  for (const b of bits) bytes[b >> 3] = (bytes[b >> 3] ?? 0) ^ (0x80 >> (b & 7));
  return bytes.toString('hex');
}

/** Array buffers are freed by a sweeper after the collection; give it a moment, then collect again. */
async function settle(gc: () => void): Promise<void> {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc();
}

function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A full GC before each memory reading, so the before/after difference is the index itself. */
function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  const gc: unknown = vm.runInNewContext('typeof gc === "function" ? gc : undefined');
  return typeof gc === 'function' ? () => void (gc as () => unknown)() : () => undefined;
}
