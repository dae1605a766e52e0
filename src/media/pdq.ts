/**
 * PDQ perceptual hashing (Meta's ThreatExchange `pdq`), re-implemented from the published algorithm.
 *
 * Pure: pixels in, hash out; no I/O. Every step uses float32 arithmetic exactly where the C++ reference does
 * (values are kept in Float32Array, and every intermediate the reference rounds to `float` is rounded with
 * Math.fround), so a given pixel buffer hashes to the same bits as `pdq-photo-hasher`:
 *
 *  1. luminance Y = 0.299 R + 0.587 G + 0.114 B (float32 coefficients, evaluated left to right); grey input is
 *     used as is; a 4th channel (alpha) is ignored, as the reference ignores all channels after the third;
 *  2. two passes of the Jarosz tent filter: a box filter along rows then along columns, window
 *     ⌊(dim + 127) / 128⌋, the reference's four-phase running sum;
 *  3. decimation to 64×64 at pixel centres, ⌊(i + 0.5)·dim / 64⌋ (a 64×64 input is taken as is);
 *  4. quality: Σ |⌊100·Δ/255⌋| over neighbouring 64×64 samples, / 90, capped at 100;
 *  5. 16×16 DCT (coefficients 1..16 of a 64-point DCT-II, the reference's matrix), B = D·A·Dᵀ;
 *  6. Torben median of the 256 coefficients; bit k = i·16 + j is set when B[i][j] > median;
 *  7. the eight dihedral hashes, from sign flips and transposes of B (as the reference does), each with its
 *     own median.
 *
 * Hex layout: 64 lowercase hex digits spelling the 256-bit big-endian number whose bit k is bit k above,
 * i.e. the first digit holds bits 255..252 (the reference's `Hash256::format`).
 *
 * Two families of reference hashes exist (see the reference README): by default no pre-resize is applied
 * (what Meta's HMA, python-threatexchange, pdqhash-python and the Java port compute); `preResize512`
 * reproduces the C++ CLI, which first resizes any image wider or taller than 512 to exactly 512×512 by
 * nearest neighbour (source index ⌊i·old/512⌋ on each axis).
 *
 * Speed: the filter dominates. Buffers are reused between calls (a hasher is single-threaded and
 * synchronous), rows are filtered four at a time so their running sums overlap, columns a row at a time with
 * one running sum per column, the second row pass writes only the 64 columns the decimation reads (its
 * sums still run over every pixel, as rounding requires) and the second column pass runs on those 64
 * columns only, and every division by the window length is a multiplication
 * by its double reciprocal, which rounds to the same float32 (in the normal range, the exact quotient of a
 * float32 by a small integer is never within 2⁻⁵² of a float32 rounding midpoint; the filter's sums are 0
 * or far from subnormal, and a test checks the identity on 20,000 values for each window length to 300).
 */

/** 8-bit interleaved pixels, row-major. A 4th channel (alpha) is ignored, as the reference does. */
export interface PdqPixels {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
  readonly data: Uint8Array | Uint8ClampedArray;
}

export interface PdqOptions {
  /** Reproduce the C++ CLI's 512×512 nearest-neighbour pre-resize (the "A" family). Default false. */
  readonly preResize512?: boolean;
  /** Also compute the 8 dihedral hashes. Default false. */
  readonly dihedral?: boolean;
}

/** The reference's order of the dihedral hashes (`pdq-photo-hasher --pdqdih`). */
export const PDQ_DIHEDRAL_NAMES = [
  'original',
  'rotate90',
  'rotate180',
  'rotate270',
  'flipX',
  'flipY',
  'flipPlus1',
  'flipMinus1',
] as const;
export type PdqDihedralName = (typeof PDQ_DIHEDRAL_NAMES)[number];

export interface PdqResult {
  /** 64 lowercase hex digits. */
  readonly hash: string;
  /** 0..100; below 50 the hash is too flat to match reliably. */
  readonly quality: number;
  /** With `dihedral: true`: hashes of the image as if rotated/flipped, in `PDQ_DIHEDRAL_NAMES` order. */
  readonly dihedral?: Readonly<Record<PdqDihedralName, string>>;
}

export interface PdqHasher {
  (pixels: PdqPixels, opts?: PdqOptions): PdqResult;
  /** The 64×64 float32 luminance the hash is computed from (a copy); exposed for tests of the filter. */
  downsample(pixels: PdqPixels, opts?: PdqOptions): Float32Array;
}

const MIN_HASHABLE_DIM = 5;
const PRE_RESIZE_DIM = 512;
/** Scratch buffers (8 bytes a pixel) for images up to this size are kept for the next call. */
const RETAIN_MAX_PIXELS = 4096 * 4096;
const ZERO_HASH = '0'.repeat(64);

const LUMA_R = Math.fround(0.299);
const LUMA_G = Math.fround(0.587);
const LUMA_B = Math.fround(0.114);

/** lumaRG[(r << 8) | g] = float(float(Rc·r) + float(Gc·g)); lumaB[b] = float(Bc·b): the reference's sum, tabulated. */
const lumaRG = new Float32Array(65536);
const lumaB = new Float32Array(256);
for (let r = 0; r < 256; r++) {
  for (let g = 0; g < 256; g++) lumaRG[(r << 8) | g] = Math.fround(LUMA_R * r) + Math.fround(LUMA_G * g);
  lumaB[r] = LUMA_B * r;
}

/** D[i][j] = float(float(√(2/64)) · cos(π/2/64 · (i+1) · (2j+1))), 16×64 row-major (the reference's matrix). */
const DCT = new Float32Array(16 * 64);
{
  const scale = Math.fround(Math.sqrt(2 / 64));
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++)
      DCT[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1));
  }
}

/** Reciprocals 1/n for the box filter's window lengths (grown on demand). */
let reciprocals = new Float64Array(0);
function reciprocalsUpTo(n: number): Float64Array {
  if (reciprocals.length <= n) {
    reciprocals = new Float64Array(n + 1);
    for (let i = 1; i <= n; i++) reciprocals[i] = 1 / i;
  }
  return reciprocals;
}

/** The reference's `computeJaroszFilterWindowSize(dim, 64)`. */
export function jaroszWindow(dim: number): number {
  return Math.floor((dim + 2 * 64 - 1) / (2 * 64));
}

/**
 * A hasher owning its scratch buffers (they grow to the largest image seen, up to 16 Mpx; larger images
 * get buffers for the call only). Synchronous, so one hasher serves a whole thread; one per worker.
 */
export function createPdqHasher(): PdqHasher {
  let bufA = new Float32Array(0);
  let bufB = new Float32Array(0);
  let compact = new Float32Array(0);
  let colSums = new Float32Array(0);
  let resized = new Uint8Array(0);
  const a64 = new Float32Array(64 * 64);
  const t16x64 = new Float32Array(16 * 64);
  const b16 = new Float32Array(256);
  const aux16 = new Float32Array(256);
  const words = new Uint16Array(16);
  const colTargets = new Int32Array(64);
  const rowTargets = new Int32Array(64);

  /** Fills a64 from the pixels; false when the image is too small to hash. */
  function downsample(pixels: PdqPixels, opts: PdqOptions): boolean {
    let { width, height, data } = pixels;
    const channels = pixels.channels;
    checkPixels(pixels);
    if (opts.preResize512 === true && (width > PRE_RESIZE_DIM || height > PRE_RESIZE_DIM)) {
      const n = PRE_RESIZE_DIM * PRE_RESIZE_DIM * channels;
      if (resized.length < n) resized = new Uint8Array(n);
      nearestResize(data, width, height, channels, resized, PRE_RESIZE_DIM, PRE_RESIZE_DIM);
      data = resized;
      width = PRE_RESIZE_DIM;
      height = PRE_RESIZE_DIM;
    }
    if (width < MIN_HASHABLE_DIM || height < MIN_HASHABLE_DIM) return false;

    const size = width * height;
    if (bufA.length < size) {
      bufA = new Float32Array(size);
      bufB = new Float32Array(size);
    }
    fillLuma(data, size, channels, bufA);

    if (width === 64 && height === 64) {
      // The reference takes a 64×64 luma buffer as the downsample itself (its video-frame path).
      a64.set(bufA.subarray(0, 64 * 64));
    } else {
      if (colSums.length < Math.max(width, 64)) colSums = new Float32Array(Math.max(width, 64));
      for (let i = 0; i < 64; i++) {
        rowTargets[i] = Math.floor(((i + 0.5) * height) / 64);
        colTargets[i] = Math.floor(((i + 0.5) * width) / 64);
      }
      const wRows = jaroszWindow(width); // window along each row
      const wCols = jaroszWindow(height); // window along each column
      const inv = reciprocalsUpTo(Math.max(wRows, wCols));
      // Pass 1: rows A→B, columns B→A, in full.
      boxRows(bufA, bufB, height, width, wRows, inv, null);
      boxCols(bufB, bufA, height, width, wCols, inv, colSums, null);
      if (width >= 64 && height >= 64) {
        // Pass 2 computes only what the decimation reads (the targets are then strictly increasing):
        // rows A→compact (the 64 decimated columns), columns compact→a64 (the 64 decimated rows).
        if (compact.length < height * 64) compact = new Float32Array(height * 64);
        boxRows(bufA, compact, height, width, wRows, inv, colTargets);
        boxCols(compact, a64, height, 64, wCols, inv, colSums, rowTargets);
      } else {
        boxRows(bufA, bufB, height, width, wRows, inv, null);
        boxCols(bufB, bufA, height, width, wCols, inv, colSums, null);
        for (let i = 0; i < 64; i++) {
          for (let j = 0; j < 64; j++) a64[i * 64 + j] = bufA[rowTargets[i]! * width + colTargets[j]!]!;
        }
      }
    }
    if (size > RETAIN_MAX_PIXELS) {
      // One huge image should not pin 8 bytes a pixel for the life of the process.
      bufA = new Float32Array(0);
      bufB = new Float32Array(0);
      compact = new Float32Array(0);
    }
    return true;
  }

  function hash(pixels: PdqPixels, opts: PdqOptions = {}): PdqResult {
    if (!downsample(pixels, opts)) {
      const dihedral = opts.dihedral === true ? allDihedral(() => ZERO_HASH) : undefined;
      return dihedral === undefined
        ? { hash: ZERO_HASH, quality: 0 }
        : { hash: ZERO_HASH, quality: 0, dihedral };
    }

    const quality = qualityOf(a64);
    dct64To16(a64, t16x64, b16);
    const hash = bitsToHex(b16, words);
    if (opts.dihedral !== true) return { hash, quality };
    const dihedral = allDihedral((name) => {
      if (name === 'original') return hash;
      dihedralTransform(name, b16, aux16);
      return bitsToHex(aux16, words);
    });
    return { hash, quality, dihedral };
  }

  return Object.assign(hash, {
    downsample(pixels: PdqPixels, opts: PdqOptions = {}): Float32Array {
      return downsample(pixels, opts) ? a64.slice() : new Float32Array(64 * 64);
    },
  });
}

let shared: PdqHasher | undefined;

/** Hashes with a shared, lazily created hasher (safe: hashing is synchronous). */
export function pdqHash(pixels: PdqPixels, opts?: PdqOptions): PdqResult {
  shared ??= createPdqHasher();
  return shared(pixels, opts);
}

/** Hamming distance between two PDQ hashes in hex (any equal length). */
export function pdqDistance(a: string, b: string): number {
  if (a.length !== b.length) throw new RangeError('PDQ hashes of different lengths');
  let d = 0;
  for (let i = 0; i < a.length; i += 8) {
    let x = (parseInt(a.slice(i, i + 8), 16) ^ parseInt(b.slice(i, i + 8), 16)) >>> 0;
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    d += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return d;
}

function checkPixels(p: PdqPixels): void {
  if (!Number.isInteger(p.width) || !Number.isInteger(p.height) || p.width < 0 || p.height < 0) {
    throw new RangeError(`invalid image size ${p.width}×${p.height}`);
  }
  if (p.channels !== 1 && p.channels !== 3 && p.channels !== 4) {
    throw new RangeError(`unsupported channel count ${String(p.channels)}`);
  }
  if (p.data.length < p.width * p.height * p.channels) {
    throw new RangeError(`pixel buffer too short for ${p.width}×${p.height}×${p.channels}`);
  }
}

function allDihedral(f: (name: PdqDihedralName) => string): Record<PdqDihedralName, string> {
  const out = {} as Record<PdqDihedralName, string>;
  for (const name of PDQ_DIHEDRAL_NAMES) out[name] = f(name);
  return out;
}

/** CImg's nearest-neighbour resize (interpolation 1): output x reads input ⌊x·old/new⌋ on each axis. */
function nearestResize(
  src: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: number,
  dst: Uint8Array,
  newWidth: number,
  newHeight: number,
): void {
  const xs = new Int32Array(newWidth);
  for (let x = 0; x < newWidth; x++) xs[x] = Math.floor((x * width) / newWidth) * channels;
  let o = 0;
  for (let y = 0; y < newHeight; y++) {
    const row = Math.floor((y * height) / newHeight) * width * channels;
    if (channels === 3) {
      for (let x = 0; x < newWidth; x++, o += 3) {
        const s = row + xs[x]!;
        dst[o] = src[s]!;
        dst[o + 1] = src[s + 1]!;
        dst[o + 2] = src[s + 2]!;
      }
    } else {
      for (let x = 0; x < newWidth; x++) {
        const s = row + xs[x]!;
        for (let c = 0; c < channels; c++) dst[o++] = src[s + c]!;
      }
    }
  }
}

function fillLuma(
  data: Uint8Array | Uint8ClampedArray,
  size: number,
  channels: number,
  out: Float32Array,
): void {
  if (channels === 1) {
    for (let i = 0; i < size; i++) out[i] = data[i]!;
    return;
  }
  for (let i = 0, p = 0; i < size; i++, p += channels) {
    out[i] = lumaRG[(data[p]! << 8) | data[p + 1]!]! + lumaB[data[p + 2]!]!;
  }
}

/**
 * The reference's `box1DFloat` along every row of `src` (numRows × numCols), four rows at a time.
 * With `targets` (strictly increasing), only those 64 output columns are written, to `dst` as numRows × 64.
 */
function boxRows(
  src: Float32Array,
  dst: Float32Array,
  numRows: number,
  numCols: number,
  window: number,
  inv: Float64Array,
  targets: Int32Array | null,
): void {
  let r = 0;
  for (; r + 4 <= numRows; r += 4) boxRows4(src, r * numCols, numCols, dst, r, window, inv, targets);
  for (; r < numRows; r++) boxRow1(src, r * numCols, numCols, dst, r, window, inv, targets);
}

function boxRows4(
  src: Float32Array,
  base: number,
  n: number,
  dst: Float32Array,
  row: number,
  w: number,
  inv: Float64Array,
  targets: Int32Array | null,
): void {
  const half = (w + 2) >> 1;
  const p1 = half - 1;
  const p2 = w - half + 1;
  const p3 = n - w;
  const p4 = half - 1;
  const n2 = 2 * n;
  const n3 = 3 * n;
  // Output addressing: full rows (stride n, column oi) or compact rows (stride 64, column t).
  const full = targets === null;
  const stride = full ? n : 64;
  const s2 = 2 * stride;
  const s3 = 3 * stride;
  const obase = row * stride;
  let nextTarget = full ? -1 : targets[0]!;
  let t = 0;
  let s0 = 0;
  let s1 = 0;
  let s2v = 0;
  let s3v = 0;
  let ri = base;
  let li = base;
  let oi = 0;
  let cw = 0;
  const fr = Math.fround;
  for (let i = 0; i < p1; i++, ri++) {
    s0 = fr(s0 + src[ri]!);
    s1 = fr(s1 + src[ri + n]!);
    s2v = fr(s2v + src[ri + n2]!);
    s3v = fr(s3v + src[ri + n3]!);
    cw++;
  }
  for (let i = 0; i < p2; i++, ri++, oi++) {
    s0 = fr(s0 + src[ri]!);
    s1 = fr(s1 + src[ri + n]!);
    s2v = fr(s2v + src[ri + n2]!);
    s3v = fr(s3v + src[ri + n3]!);
    cw++;
    if (full || oi === nextTarget) {
      const k = inv[cw]!;
      const o = obase + (full ? oi : t);
      dst[o] = s0 * k;
      dst[o + stride] = s1 * k;
      dst[o + s2] = s2v * k;
      dst[o + s3] = s3v * k;
      if (!full) nextTarget = ++t < 64 ? targets[t]! : -1;
    }
  }
  const k3 = inv[cw]!;
  if (full) {
    for (let i = 0; i < p3; i++, ri++, li++, oi++) {
      s0 = fr(fr(s0 + src[ri]!) - src[li]!);
      s1 = fr(fr(s1 + src[ri + n]!) - src[li + n]!);
      s2v = fr(fr(s2v + src[ri + n2]!) - src[li + n2]!);
      s3v = fr(fr(s3v + src[ri + n3]!) - src[li + n3]!);
      const o = obase + oi;
      dst[o] = s0 * k3;
      dst[o + stride] = s1 * k3;
      dst[o + s2] = s2v * k3;
      dst[o + s3] = s3v * k3;
    }
  } else {
    for (let i = 0; i < p3; i++, ri++, li++, oi++) {
      s0 = fr(fr(s0 + src[ri]!) - src[li]!);
      s1 = fr(fr(s1 + src[ri + n]!) - src[li + n]!);
      s2v = fr(fr(s2v + src[ri + n2]!) - src[li + n2]!);
      s3v = fr(fr(s3v + src[ri + n3]!) - src[li + n3]!);
      if (oi === nextTarget) {
        const o = obase + t;
        dst[o] = s0 * k3;
        dst[o + stride] = s1 * k3;
        dst[o + s2] = s2v * k3;
        dst[o + s3] = s3v * k3;
        nextTarget = ++t < 64 ? targets[t]! : -1;
      }
    }
  }
  for (let i = 0; i < p4; i++, li++, oi++) {
    s0 = fr(s0 - src[li]!);
    s1 = fr(s1 - src[li + n]!);
    s2v = fr(s2v - src[li + n2]!);
    s3v = fr(s3v - src[li + n3]!);
    cw--;
    if (full || oi === nextTarget) {
      const k = inv[cw]!;
      const o = obase + (full ? oi : t);
      dst[o] = s0 * k;
      dst[o + stride] = s1 * k;
      dst[o + s2] = s2v * k;
      dst[o + s3] = s3v * k;
      if (!full) nextTarget = ++t < 64 ? targets[t]! : -1;
    }
  }
}

function boxRow1(
  src: Float32Array,
  base: number,
  n: number,
  dst: Float32Array,
  row: number,
  w: number,
  inv: Float64Array,
  targets: Int32Array | null,
): void {
  const half = (w + 2) >> 1;
  const p1 = half - 1;
  const p2 = w - half + 1;
  const p3 = n - w;
  const p4 = half - 1;
  const full = targets === null;
  const obase = row * (full ? n : 64);
  let nextTarget = full ? -1 : targets[0]!;
  let t = 0;
  let s = 0;
  let ri = base;
  let li = base;
  let oi = 0;
  let cw = 0;
  const fr = Math.fround;
  const put = (k: number): void => {
    if (full) dst[obase + oi] = s * k;
    else if (oi === nextTarget) {
      dst[obase + t] = s * k;
      nextTarget = ++t < 64 ? targets[t]! : -1;
    }
  };
  for (let i = 0; i < p1; i++, ri++) {
    s = fr(s + src[ri]!);
    cw++;
  }
  for (let i = 0; i < p2; i++, ri++, oi++) {
    s = fr(s + src[ri]!);
    cw++;
    put(inv[cw]!);
  }
  const k3 = inv[cw]!;
  for (let i = 0; i < p3; i++, ri++, li++, oi++) {
    s = fr(fr(s + src[ri]!) - src[li]!);
    put(k3);
  }
  for (let i = 0; i < p4; i++, li++, oi++) {
    s = fr(s - src[li]!);
    cw--;
    put(inv[cw]!);
  }
}

/**
 * The reference's `box1DFloat` down every column of `src` (numRows × numCols), computed a row at a time with
 * one running sum per column (the same additions in the same order, so the same float32 results). With
 * `targets` (strictly increasing), only those 64 output rows are written, to `dst` as 64 × numCols.
 */
function boxCols(
  src: Float32Array,
  dst: Float32Array,
  numRows: number,
  numCols: number,
  w: number,
  inv: Float64Array,
  sums: Float32Array,
  targets: Int32Array | null,
): void {
  const half = (w + 2) >> 1;
  const p1 = half - 1;
  const p2 = w - half + 1;
  const p3 = numRows - w;
  const p4 = half - 1;
  const nc = numCols;
  const fr = Math.fround;
  sums.fill(0, 0, nc);
  let ri = 0;
  let li = 0;
  let oi = 0;
  let cw = 0;
  let t = 0;
  let nextTarget = targets === null ? -1 : targets[0]!;
  for (let i = 0; i < p1; i++, ri++) {
    const a = ri * nc;
    for (let j = 0; j < nc; j++) sums[j] = sums[j]! + src[a + j]!;
    cw++;
  }
  for (let i = 0; i < p2; i++, ri++, oi++) {
    const a = ri * nc;
    cw++;
    const k = inv[cw]!;
    let o = -1;
    if (targets === null) o = oi * nc;
    else if (oi === nextTarget) {
      o = t * nc;
      nextTarget = ++t < 64 ? targets[t]! : -1;
    }
    if (o < 0) for (let j = 0; j < nc; j++) sums[j] = sums[j]! + src[a + j]!;
    else
      for (let j = 0; j < nc; j++) {
        const s = fr(sums[j]! + src[a + j]!);
        sums[j] = s;
        dst[o + j] = s * k;
      }
  }
  const k3 = inv[cw]!;
  let i3 = 0;
  if (targets === null) {
    // Two output rows per sweep: each column's running sum stays in a register between them.
    for (; i3 + 2 <= p3; i3 += 2, ri += 2, li += 2, oi += 2) {
      const a = ri * nc;
      const l = li * nc;
      const o = oi * nc;
      for (let j = 0; j < nc; j++) {
        const s = fr(fr(sums[j]! + src[a + j]!) - src[l + j]!);
        dst[o + j] = s * k3;
        const s2 = fr(fr(s + src[a + nc + j]!) - src[l + nc + j]!);
        dst[o + nc + j] = s2 * k3;
        sums[j] = s2;
      }
    }
  }
  for (let i = i3; i < p3; i++, ri++, li++, oi++) {
    const a = ri * nc;
    const l = li * nc;
    let o = -1;
    if (targets === null) o = oi * nc;
    else if (oi === nextTarget) {
      o = t * nc;
      nextTarget = ++t < 64 ? targets[t]! : -1;
    }
    if (o < 0) for (let j = 0; j < nc; j++) sums[j] = fr(sums[j]! + src[a + j]!) - src[l + j]!;
    else
      for (let j = 0; j < nc; j++) {
        const s = fr(fr(sums[j]! + src[a + j]!) - src[l + j]!);
        sums[j] = s;
        dst[o + j] = s * k3;
      }
  }
  for (let i = 0; i < p4; i++, li++, oi++) {
    const l = li * nc;
    cw--;
    const k = inv[cw]!;
    let o = -1;
    if (targets === null) o = oi * nc;
    else if (oi === nextTarget) {
      o = t * nc;
      nextTarget = ++t < 64 ? targets[t]! : -1;
    }
    if (o < 0) for (let j = 0; j < nc; j++) sums[j] = sums[j]! - src[l + j]!;
    else
      for (let j = 0; j < nc; j++) {
        const s = fr(sums[j]! - src[l + j]!);
        sums[j] = s;
        dst[o + j] = s * k;
      }
  }
}

function qualityOf(a: Float32Array): number {
  const fr = Math.fround;
  let gradientSum = 0;
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) {
      const d = fr(fr(fr(a[i * 64 + j]! - a[(i + 1) * 64 + j]!) * 100) / 255);
      gradientSum += Math.abs(Math.trunc(d));
    }
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) {
      const d = fr(fr(fr(a[i * 64 + j]! - a[i * 64 + j + 1]!) * 100) / 255);
      gradientSum += Math.abs(Math.trunc(d));
    }
  }
  return Math.min(100, Math.trunc(gradientSum / 90));
}

/** B = D·A·Dᵀ in float32, summing over k in ascending order as the reference does. */
function dct64To16(a: Float32Array, t: Float32Array, b: Float32Array): void {
  const fr = Math.fround;
  t.fill(0);
  for (let i = 0; i < 16; i++) {
    const ti = i * 64;
    for (let k = 0; k < 64; k++) {
      const d = DCT[ti + k]!;
      const ak = k * 64;
      for (let j = 0; j < 64; j++) t[ti + j] = t[ti + j]! + fr(d * a[ak + j]!);
    }
  }
  for (let i = 0; i < 16; i++) {
    const ti = i * 64;
    for (let j = 0; j < 16; j++) {
      const dj = j * 64;
      let s = 0;
      for (let k = 0; k < 64; k++) s = fr(s + fr(t[ti + k]! * DCT[dj + k]!));
      b[i * 16 + j] = s;
    }
  }
}

/** Sign flips and transposes of the DCT output, as the reference's `dct16OriginalTo*`. */
function dihedralTransform(
  name: Exclude<PdqDihedralName, 'original'>,
  a: Float32Array,
  b: Float32Array,
): void {
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      const v = a[i * 16 + j]!;
      switch (name) {
        case 'rotate90':
          b[j * 16 + i] = j & 1 ? v : -v;
          break;
        case 'rotate180':
          b[i * 16 + j] = (i + j) & 1 ? -v : v;
          break;
        case 'rotate270':
          b[j * 16 + i] = i & 1 ? v : -v;
          break;
        case 'flipX':
          b[i * 16 + j] = i & 1 ? v : -v;
          break;
        case 'flipY':
          b[i * 16 + j] = j & 1 ? v : -v;
          break;
        case 'flipPlus1':
          b[j * 16 + i] = v;
          break;
        case 'flipMinus1':
          b[j * 16 + i] = (i + j) & 1 ? -v : v;
          break;
      }
    }
  }
}

/** Torben's median (the reference's `torben`), in float32. */
function torben(m: Float32Array, n: number): number {
  const fr = Math.fround;
  let min = m[0]!;
  let max = min;
  for (let i = 1; i < n; i++) {
    const v = m[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const half = (n + 1) >> 1;
  for (;;) {
    const guess = fr(fr(min + max) / 2);
    let less = 0;
    let greater = 0;
    let equal = 0;
    let maxLtGuess = min;
    let minGtGuess = max;
    for (let i = 0; i < n; i++) {
      const v = m[i]!;
      if (v < guess) {
        less++;
        if (v > maxLtGuess) maxLtGuess = v;
      } else if (v > guess) {
        greater++;
        if (v < minGtGuess) minGtGuess = v;
      } else equal++;
    }
    if (less <= half && greater <= half) {
      if (less >= half) return maxLtGuess;
      if (less + equal >= half) return guess;
      return minGtGuess;
    }
    if (less > greater) max = maxLtGuess;
    else min = minGtGuess;
  }
}

const HEX = '0123456789abcdef';

function bitsToHex(b: Float32Array, words: Uint16Array): string {
  const med = torben(b, 256);
  words.fill(0);
  for (let k = 0; k < 256; k++) if (b[k]! > med) words[k >> 4] = words[k >> 4]! | (1 << (k & 15));
  let out = '';
  for (let w = 15; w >= 0; w--) {
    const v = words[w]!;
    out += HEX[(v >> 12) & 15]! + HEX[(v >> 8) & 15]! + HEX[(v >> 4) & 15]! + HEX[v & 15]!;
  }
  return out;
}
