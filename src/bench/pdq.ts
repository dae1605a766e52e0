import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImage } from '../media/decode.ts';
import { createPdqHasher, type PdqPixels } from '../media/pdq.ts';

/** The reference folder of benign test photos, beside the repository (`../shared/reference/pdq`). */
const REFERENCE = new URL('../../../shared/reference/pdq/', import.meta.url).pathname;

export interface PdqBenchOptions {
  /** Folder holding the reference's `data/` (default `../shared/reference/pdq`). */
  readonly referenceDir?: string;
  /** Timed runs of the hashing core (default 300, at least 200). */
  readonly runs?: number;
  /** Passes over the JPEG files end to end (default 3). */
  readonly passes?: number;
}

/**
 * (a) The PDQ core on a decoded 1024×768 RGB buffer (the bridge photo resized once in memory): median and
 * 90th-percentile ms per image over ≥ 200 runs after warm-up, on the calling thread (one core).
 * (b) End to end from every JPEG under `data/` (read + decode + hash), images/s, sequentially with one
 * libvips thread, then with libvips' default threads and 4 files in flight.
 */
export async function pdqBench(
  opts: PdqBenchOptions = {},
): Promise<{ command: string; figures: Record<string, number> }> {
  const dir = opts.referenceDir ?? REFERENCE;
  const runs = Math.max(200, opts.runs ?? 300);
  const passes = Math.max(1, opts.passes ?? 3);

  const { data, info } = await sharp(join(dir, 'data/bridge-mods/aaa-orig.jpg'))
    .resize(1024, 768, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const pixels: PdqPixels = {
    width: info.width,
    height: info.height,
    channels: 3,
    data: new Uint8Array(data),
  };
  const hasher = createPdqHasher();
  const core = time(() => hasher(pixels), runs);
  const pre = time(() => hasher(pixels, { preResize512: true }), runs);
  const dih = time(() => hasher(pixels, { dihedral: true }), runs);

  const files = await jpegsUnder(join(dir, 'data'));
  const bytes = await Promise.all(files.map((f) => readFile(f)));
  const before = sharp.concurrency();
  let sequential: number;
  try {
    sharp.concurrency(1);
    sequential = await throughput(bytes, passes, 1, hasher);
  } finally {
    sharp.concurrency(before);
  }
  const parallel = await throughput(bytes, passes, 4, hasher);

  return {
    command: 'conduit bench pdq',
    figures: {
      core_1024x768_median_ms: round(core.median, 3),
      core_1024x768_p90_ms: round(core.p90, 3),
      core_1024x768_preresize512_median_ms: round(pre.median, 3),
      core_1024x768_dihedral_median_ms: round(dih.median, 3),
      e2e_jpeg_files: files.length,
      e2e_images_per_s_one_thread: round(sequential, 1),
      e2e_images_per_s_parallel: round(parallel, 1),
    },
  };
}

function time(f: () => unknown, runs: number): { median: number; p90: number } {
  for (let i = 0; i < 50; i++) f();
  const t = new Float64Array(runs);
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    f();
    t[i] = Number(process.hrtime.bigint() - start) / 1e6;
  }
  t.sort();
  return { median: t[runs >> 1]!, p90: t[Math.floor(runs * 0.9)]! };
}

async function throughput(
  files: readonly Uint8Array[],
  passes: number,
  inFlight: number,
  hasher: ReturnType<typeof createPdqHasher>,
): Promise<number> {
  const start = process.hrtime.bigint();
  let done = 0;
  for (let p = 0; p < passes; p++) {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < files.length) {
        const d = await decodeImage(files[next++]!);
        if (!d.ok) throw new Error(`bench: ${d.message}`);
        hasher(d.image);
        done++;
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
  }
  return done / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function jpegsUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && /\.jpe?g$/i.test(e.name)) out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
