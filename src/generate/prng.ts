import { createHash } from 'node:crypto';

/** Reused by `hex` (one native hex encoding instead of string building); 4-byte aligned and large enough for a PDQ. */
const SCRATCH = Buffer.alloc(64);

/**
 * A small seeded PRNG (sfc32, Chris Doty-Humphrey's "small fast counting" generator): 128 bits of state,
 * passes PractRand well past what a scenario draws, and is a few nanoseconds per call. The generator
 * must never touch `Math.random` or the clock: the same seed has to give byte-identical output.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** The seed is hashed (SHA-256) so that nearby seeds ("1", "2") give unrelated streams. */
  constructor(seed: string | number, stream = '') {
    const h = createHash('sha256')
      .update(`conduit-generate\u0000${String(seed)}\u0000${stream}`)
      .digest();
    this.a = h.readUInt32LE(0);
    this.b = h.readUInt32LE(4);
    this.c = h.readUInt32LE(8);
    this.d = h.readUInt32LE(12);
    // Warm-up, as recommended for sfc32, so the first outputs do not echo the seed words.
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Prng.pick: empty list');
    return items[this.int(items.length)] as T;
  }

  /** `n` bytes of PRNG output (what a "file" of the synthetic scenario is made of). */
  bytes(n: number): Buffer {
    const buf = Buffer.allocUnsafe(n);
    let i = 0;
    for (; i + 4 <= n; i += 4) buf.writeUInt32LE(this.u32(), i);
    for (; i < n; i++) buf[i] = this.u32() & 0xff;
    return buf;
  }

  /** `chars` (even) lowercase hex digits. */
  hex(chars: number): string {
    const bytes = chars >> 1;
    const buf = bytes <= SCRATCH.length ? SCRATCH : Buffer.allocUnsafe(bytes);
    for (let i = 0; i < bytes; i += 4) buf.writeUInt32LE(this.u32(), i);
    return buf.toString('hex', 0, bytes);
  }

  /** `count` decimal digits (leading zeros allowed). */
  digits(count: number): string {
    let s = '';
    while (s.length < count) s += String(this.u32() % 1_000_000_000).padStart(9, '0');
    return s.slice(0, count);
  }
}

/** A weighted choice, prepared once (cumulative weights) so each draw is a short scan. */
export interface Weighted<T> {
  readonly items: readonly T[];
  readonly cumulative: readonly number[];
  readonly total: number;
}

export function weighted<T>(pairs: readonly (readonly [T, number])[]): Weighted<T> {
  const items: T[] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (const [item, w] of pairs) {
    if (!(w > 0)) continue;
    total += w;
    items.push(item);
    cumulative.push(total);
  }
  if (items.length === 0) throw new Error('weighted: no positive weight');
  return { items, cumulative, total };
}

export function draw<T>(rng: Prng, table: Weighted<T>): T {
  const x = rng.float() * table.total;
  const { cumulative, items } = table;
  for (let i = 0; i < cumulative.length; i++) {
    if (x < (cumulative[i] as number)) return items[i] as T;
  }
  return items[items.length - 1] as T;
}

/**
 * A bijection on 32-bit integers (the "lowbias32" integer hash: xor-shifts and odd multipliers are each
 * invertible). Counters passed through it become random-looking ids that can never collide.
 */
export function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return x;
}
