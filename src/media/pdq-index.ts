/**
 * In-memory PDQ radius search by multi-index hashing (Norouzi, Punjani & Fleet, "Fast search in Hamming
 * space with multi-index hashing", CVPR 2012), with per-slot radii chosen per query radius.
 *
 * The 256 bits are cut into `m` contiguous slots of `b_i` bits (b_i = 256/m rounded up or down). Each slot
 * has a directly addressed bucket table (CSR: `2^b_i + 1` offsets and N item positions). For a query
 * radius R, each slot i gets a radius r_i in -1..b_i (-1 = slot not probed) such that Σ(r_i + 1) ≥ R + 1:
 * if an item were more than r_i bits away from the query in every slot, its distance would be at least
 * Σ(r_i + 1) > R, so every item within R is found in at least one probed slot (generalised pigeonhole).
 * The r_i are picked greedily by marginal cost (probes + expected candidates for random hashes), which is
 * optimal because the costs are convex in r_i. Every candidate is verified with the full 256-bit distance,
 * so results are exact; a radius whose plan would cost more than scanning all hashes is answered by a scan.
 *
 * Slot count: about 256 / (log2(N) + 2), see `chooseSlots`; measured figures come from
 * src/bench/pdq-index.ts.
 *
 * Memory: 32 bytes per hash (8 × int32), 4 bytes per id, 4·m bytes of postings per hash, plus per slot a
 * table of 2^b + 1 offsets and a 2^b-bit occupancy bitmap. No per-item JS objects.
 */

export interface PdqIndex {
  readonly size: number;
  /** Every stored item within `radius` bits of `hash`, each with its distance (any order). */
  search(hash: string, radius: number): { id: number; distance: number }[];
}

export interface PdqIndexBuilder {
  add(hash: string, id: number): void;
  build(): PdqIndex;
}

/** Tuning knobs for benchmarks and tests; callers normally pass nothing. */
export interface PdqIndexOptions {
  /** Number of slots (11..32, so slots are at most 24 bits); by default chosen from the number of hashes. */
  readonly slots?: number;
  /** 'auto' scans only when the MIH plan is dearer than a scan; tests force either path. */
  readonly strategy?: 'auto' | 'mih' | 'scan';
}

const WORDS = 8;
const HEX_LENGTH = 64;

// Rough relative costs of the three inner loops on the development machine: a bucket probe, a candidate
// check (each mostly one cache miss) and one item of a sequential scan. They only steer the plan.
const COST_PROBE = 1;
const COST_CANDIDATE = 1;
const COST_SCAN_ITEM = 0.35;

const NIBBLE = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    t[97 + i] = 10 + i;
    t[65 + i] = 10 + i;
  }
  return t;
})();

/** Parses a 64-hex-digit PDQ hash (either case) into 8 big-endian 32-bit words at `out[at..at+8)`. */
function parseInto(hash: string, out: Int32Array, at: number): void {
  if (typeof hash !== 'string' || hash.length !== HEX_LENGTH) throw malformed(hash);
  for (let w = 0; w < WORDS; w++) {
    let v = 0;
    for (let j = 0; j < 8; j++) {
      const c = hash.charCodeAt(w * 8 + j);
      const n = c < 128 ? (NIBBLE[c] ?? -1) : -1;
      if (n < 0) throw malformed(hash);
      v = (v << 4) | n;
    }
    out[at + w] = v;
  }
}

function malformed(hash: unknown): Error {
  const shown = typeof hash === 'string' ? JSON.stringify(hash.slice(0, 80)) : typeof hash;
  return new Error(`malformed PDQ hash (expected 64 hex digits): ${shown}`);
}

function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

function checkRadius(radius: number): void {
  if (!Number.isInteger(radius) || radius < 0 || radius > 255)
    throw new Error(`PDQ radius must be an integer 0..255, got ${radius}`);
}

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff)
    throw new Error(`PDQ index id must be an integer 0..2^32-1, got ${id}`);
}

const PAIR = new Int32Array(2 * WORDS);

/** Hamming distance between two 64-hex-digit PDQ hashes. */
export function hammingHex(a: string, b: string): number {
  parseInto(a, PAIR, 0);
  parseInto(b, PAIR, WORDS);
  let d = 0;
  for (let i = 0; i < WORDS; i++) d += popcount32(PAIR[i]! ^ PAIR[WORDS + i]!);
  return d;
}

/** The oracle: a linear scan over `hashes`; the id of each result is its position in `hashes`. */
export function bruteForceSearch(
  hashes: readonly string[],
  hash: string,
  radius: number,
): { id: number; distance: number }[] {
  checkRadius(radius);
  const q = new Int32Array(WORDS);
  parseInto(hash, q, 0);
  const h = new Int32Array(WORDS);
  const out: { id: number; distance: number }[] = [];
  for (let id = 0; id < hashes.length; id++) {
    parseInto(hashes[id] ?? '', h, 0);
    let d = 0;
    for (let i = 0; i < WORDS; i++) d += popcount32((q[i] ?? 0) ^ (h[i] ?? 0));
    if (d <= radius) out.push({ id, distance: d });
  }
  return out;
}

/** A contiguous run of bits of the hash, read most significant first (bit position 0 = first hex digit's top bit). */
interface Slot {
  readonly bits: number;
  readonly word: number;
  /** Bit offset of the slot's first bit inside `word`, counted from the most significant bit. */
  readonly offset: number;
  /** Bit k set when bucket k is not empty. */
  readonly occupied: Int32Array;
  readonly offsets: Uint32Array;
  readonly positions: Uint32Array;
}

function slotKey(words: Int32Array, at: number, word: number, offset: number, bits: number): number {
  const end = offset + bits;
  const mask = bits === 32 ? -1 : (1 << bits) - 1;
  if (end <= 32) return ((words[at + word] ?? 0) >>> (32 - end)) & mask;
  const hi = (words[at + word] ?? 0) << (end - 32);
  const lo = (words[at + word + 1] ?? 0) >>> (64 - end);
  return (hi | lo) & mask;
}

function slotWidths(m: number): number[] {
  const base = Math.floor(256 / m);
  const extra = 256 - base * m;
  return Array.from({ length: m }, (_, i) => (i < extra ? base + 1 : base));
}

/**
 * Slot count for N hashes. The MIH paper's choice is slots of ≈ log2(N) bits (m ≈ 256 / log2 N, one item
 * per bucket). Here slots are 2 bits wider than that (buckets ~1/4 full): probes of empty buckets are
 * dropped by the occupancy bitmap, which is mostly in cache, so fewer candidates win. Measured at 1M
 * random hashes, radius 31: 12 slots ≈ 12k q/s against 13 slots ≈ 9k and 16 slots ≈ 5k. Slots stay within
 * 16..24 bits (11..16 slots), so an offset table is at most 64 MiB: 1M → 12 slots, 10M → 11 slots.
 */
export function chooseSlots(n: number): number {
  if (n < 1 << 16) return 16;
  const bits = Math.min(24, Math.round(Math.log2(n)) + 2);
  return Math.min(16, Math.max(11, Math.ceil(256 / bits)));
}

function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** XOR masks of every b-bit value within Hamming distance r of 0, cached per (b, r). */
const maskCache = new Map<number, Int32Array>();
function masksWithin(b: number, r: number): Int32Array {
  const key = b * 1024 + r;
  const hit = maskCache.get(key);
  if (hit) return hit;
  let total = 0;
  for (let k = 0; k <= r; k++) total += binomial(b, k);
  const out = new Int32Array(total);
  let n = 0;
  const pos = new Int32Array(Math.max(1, r));
  for (let k = 0; k <= r; k++) {
    // Combinations of k bit positions out of b, in lexicographic order.
    for (let i = 0; i < k; i++) pos[i] = i;
    for (;;) {
      let m = 0;
      for (let i = 0; i < k; i++) m |= 1 << (pos[i] ?? 0);
      out[n++] = m;
      let i = k - 1;
      while (i >= 0 && (pos[i] ?? 0) === b - k + i) i--;
      if (i < 0) break;
      pos[i] = (pos[i] ?? 0) + 1;
      for (let j = i + 1; j < k; j++) pos[j] = (pos[j - 1] ?? 0) + 1;
    }
  }
  if (total <= 1 << 20) maskCache.set(key, out);
  return out;
}

/** Per-slot radii for one query radius, or null when a scan is cheaper. */
type Plan = { readonly radii: Int32Array; readonly cost: number } | null;

function planFor(slots: readonly Slot[], n: number, radius: number, strategy: 'auto' | 'mih'): Plan {
  const m = slots.length;
  const radii = new Int32Array(m).fill(-1);
  let cost = 0;
  // Σ(r_i + 1) must reach radius + 1; each greedy step raises one r_i by one.
  for (let step = 0; step <= radius; step++) {
    let best = -1;
    let bestCost = Infinity;
    for (let i = 0; i < m; i++) {
      const s = slots[i];
      const r = (radii[i] ?? -1) + 1;
      if (!s || r > s.bits) continue;
      const c = binomial(s.bits, r) * (COST_PROBE + (COST_CANDIDATE * n) / 2 ** s.bits);
      if (c < bestCost) {
        bestCost = c;
        best = i;
      }
    }
    if (best < 0) return null;
    radii[best] = (radii[best] ?? -1) + 1;
    cost += bestCost;
    if (strategy === 'auto' && cost > COST_SCAN_ITEM * n) return null;
  }
  return { radii, cost };
}

class MihIndex implements PdqIndex {
  private readonly plans = new Map<number, Plan>();
  private readonly query = new Int32Array(WORDS);
  /** Per-query scratch, reused: bucket bounds and gathered candidate positions. */
  private ranges = new Uint32Array(1024);
  private buckets = new Int32Array(512);
  private candidates = new Uint32Array(4096);
  /** Keeps the touch loop's result observable so it is not optimised away. */
  private touched = 0;

  constructor(
    readonly size: number,
    private readonly words: Int32Array,
    private readonly ids: Uint32Array,
    private readonly slots: readonly Slot[],
    private readonly strategy: 'auto' | 'mih' | 'scan',
  ) {}

  search(hash: string, radius: number): { id: number; distance: number }[] {
    checkRadius(radius);
    const q = this.query;
    parseInto(hash, q, 0);
    if (this.size === 0) return [];
    const plan = this.plan(radius);
    return plan ? this.probe(plan.radii, radius) : this.scan(radius);
  }

  private plan(radius: number): Plan {
    if (this.strategy === 'scan' || this.slots.length === 0) return null;
    let p = this.plans.get(radius);
    if (p === undefined) {
      p = planFor(this.slots, this.size, radius, this.strategy);
      this.plans.set(radius, p);
    }
    return p;
  }

  private scan(radius: number): { id: number; distance: number }[] {
    const h = this.words;
    const q = this.query;
    const q0 = q[0]!, q1 = q[1]!, q2 = q[2]!, q3 = q[3]!, q4 = q[4]!, q5 = q[5]!, q6 = q[6]!, q7 = q[7]!; // prettier-ignore
    const out: { id: number; distance: number }[] = [];
    const n = this.size;
    for (let p = 0, b = 0; p < n; p++, b += WORDS) {
      let d = popcount32(h[b]! ^ q0) + popcount32(h[b + 1]! ^ q1);
      if (d > radius) continue;
      d += popcount32(h[b + 2]! ^ q2) + popcount32(h[b + 3]! ^ q3);
      if (d > radius) continue;
      d += popcount32(h[b + 4]! ^ q4) + popcount32(h[b + 5]! ^ q5);
      if (d > radius) continue;
      d += popcount32(h[b + 6]! ^ q6) + popcount32(h[b + 7]! ^ q7);
      if (d <= radius) out.push({ id: this.ids[p]!, distance: d });
    }
    return out;
  }

  /**
   * Runs in phases with tight loops (bucket bounds, candidate gather, a touch of each candidate's hash,
   * then the check) because the work is cache misses: a loop that only loads lets the CPU overlap many
   * of them, while a load followed by the popcount arithmetic serialises them (measured 2-3x apart).
   */
  private probe(radii: Int32Array, radius: number): { id: number; distance: number }[] {
    const h = this.words;
    const q = this.query;
    const slots = this.slots;
    let nc = 0;
    let touched = 0;
    for (let i = 0; i < slots.length; i++) {
      const r = radii[i]!;
      if (r < 0) continue;
      const s = slots[i]!;
      const key = slotKey(q, 0, s.word, s.offset, s.bits);
      const masks = masksWithin(s.bits, r);
      if (this.ranges.length < 2 * masks.length) {
        this.ranges = new Uint32Array(2 * masks.length);
        this.buckets = new Int32Array(masks.length);
      }
      const ranges = this.ranges;
      const buckets = this.buckets;
      const occupied = s.occupied;
      const offsets = s.offsets;
      // Most probes of a sparse table land on empty buckets: a bitmap (1 bit per bucket, mostly in cache)
      // drops them before the offset table (32 bits per bucket, a cache miss) is read.
      let nb = 0;
      for (let k = 0; k < masks.length; k++) {
        const bucket = key ^ masks[k]!;
        buckets[nb] = bucket;
        nb += (occupied[bucket >>> 5]! >>> (bucket & 31)) & 1;
      }
      let nr = 0;
      let total = 0;
      for (let t = 0; t < nb; t++) {
        const bucket = buckets[t]!;
        const from = offsets[bucket]!;
        const to = offsets[bucket + 1]!;
        ranges[nr] = from;
        ranges[nr + 1] = to;
        total += to - from;
        nr += 2;
      }
      if (this.candidates.length < nc + total) {
        const grown = new Uint32Array(Math.max(2 * this.candidates.length, nc + total));
        grown.set(this.candidates.subarray(0, nc));
        this.candidates = grown;
      }
      const cand = this.candidates;
      const positions = s.positions;
      for (let t = 0; t < nr; t += 2) {
        const to = ranges[t + 1]!;
        for (let j = ranges[t]!; j < to; j++) {
          const p = positions[j]!;
          cand[nc++] = p;
          touched ^= h[p * WORDS]!;
        }
      }
    }
    this.touched = touched;
    const cand = this.candidates;
    const q0 = q[0]!, q1 = q[1]!, q2 = q[2]!, q3 = q[3]!, q4 = q[4]!, q5 = q[5]!, q6 = q[6]!, q7 = q[7]!; // prettier-ignore
    const out: { id: number; distance: number }[] = [];
    let found: Set<number> | undefined;
    for (let c = 0; c < nc; c++) {
      const p = cand[c]!;
      const b = p * WORDS;
      let d = popcount32(h[b]! ^ q0) + popcount32(h[b + 1]! ^ q1);
      if (d > radius) continue;
      d += popcount32(h[b + 2]! ^ q2) + popcount32(h[b + 3]! ^ q3);
      if (d > radius) continue;
      d += popcount32(h[b + 4]! ^ q4) + popcount32(h[b + 5]! ^ q5);
      if (d > radius) continue;
      d += popcount32(h[b + 6]! ^ q6) + popcount32(h[b + 7]! ^ q7);
      if (d > radius) continue;
      // An item can be a candidate in several slots; matches are few, so a set dedupes them cheaply.
      found ??= new Set();
      if (found.has(p)) continue;
      found.add(p);
      out.push({ id: this.ids[p]!, distance: d });
    }
    return out;
  }
}

/** Collects hashes and builds an immutable index in one bulk step; single use. */
export function pdqIndexBuilder(expectedSize = 0, options: PdqIndexOptions = {}): PdqIndexBuilder {
  let capacity = Math.max(16, Math.floor(expectedSize));
  let words = new Int32Array(capacity * WORDS);
  let ids = new Uint32Array(capacity);
  let n = 0;
  let built = false;

  function grow(): void {
    capacity *= 2;
    const w = new Int32Array(capacity * WORDS);
    w.set(words);
    words = w;
    const i = new Uint32Array(capacity);
    i.set(ids);
    ids = i;
  }

  return {
    add(hash, id) {
      if (built) throw new Error('PDQ index builder already built; start a new one');
      checkId(id);
      if (n === capacity) grow();
      parseInto(hash, words, n * WORDS);
      ids[n] = id;
      n++;
    },
    build() {
      if (built) throw new Error('PDQ index builder already built; start a new one');
      built = true;
      if (n !== capacity) {
        words = words.slice(0, n * WORDS);
        ids = ids.slice(0, n);
      }
      const m = options.slots ?? chooseSlots(n);
      if (!Number.isInteger(m) || m < 11 || m > 32)
        throw new Error(`PDQ index slots must be 11..32, got ${m}`);
      const slots: Slot[] = [];
      let start = 0;
      // An empty index needs no tables: search() answers it before planning.
      for (const bits of n === 0 ? [] : slotWidths(m)) {
        slots.push(buildSlot(words, n, start >>> 5, start & 31, bits));
        start += bits;
      }
      return new MihIndex(n, words, ids, slots, options.strategy ?? 'auto');
    },
  };
}

/** Counting sort of item positions by slot key into CSR form (offsets + positions). */
function buildSlot(words: Int32Array, n: number, word: number, offset: number, bits: number): Slot {
  const buckets = 2 ** bits;
  const offsets = new Uint32Array(buckets + 1);
  const keys = new Uint32Array(n);
  for (let p = 0; p < n; p++) {
    const k = slotKey(words, p * WORDS, word, offset, bits);
    keys[p] = k;
    offsets[k + 1] = offsets[k + 1]! + 1;
  }
  for (let k = 0; k < buckets; k++) offsets[k + 1] = offsets[k + 1]! + offsets[k]!;
  const occupied = new Int32Array(Math.ceil(buckets / 32));
  for (let k = 0; k < buckets; k++) if (offsets[k + 1] !== offsets[k]) occupied[k >>> 5]! |= 1 << (k & 31);
  const fill = offsets.slice(0, buckets);
  const positions = new Uint32Array(n);
  for (let p = 0; p < n; p++) {
    const k = keys[p]!;
    positions[fill[k]!] = p;
    fill[k] = fill[k]! + 1;
  }
  return { bits, word, offset, occupied, offsets, positions };
}
