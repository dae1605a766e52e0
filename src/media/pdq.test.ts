import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePnm } from './decode.ts';
import {
  createPdqHasher,
  jaroszWindow,
  pdqDistance,
  pdqHash,
  PDQ_DIHEDRAL_NAMES,
  type PdqPixels,
} from './pdq.ts';

const CONFORMANCE = new URL('../../../shared/reference/pdq/conformance/', import.meta.url).pathname;

interface Row {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly hash: string;
  readonly quality: number;
  readonly dihedral: readonly string[];
}

function rows(): Row[] {
  const [header, ...lines] = readFileSync(join(CONFORMANCE, 'expected-cpp.csv'), 'utf8').trim().split('\n');
  const col = header!.split(',');
  const at = (f: string[], name: string): string => f[col.indexOf(name)]!;
  return lines.map((l) => {
    const f = l.split(',');
    return {
      file: at(f, 'file'),
      width: Number(at(f, 'width')),
      height: Number(at(f, 'height')),
      channels: Number(at(f, 'channels')) === 1 ? 1 : 3,
      hash: at(f, 'hash'),
      quality: Number(at(f, 'quality')),
      dihedral: col.filter((c) => c.startsWith('dih_')).map((c) => at(f, c)),
    };
  });
}

/** The README's formula image: R = (7x + 3y) mod 256, G = ⌊(x² + y²)/16⌋ mod 256, B = (x XOR y) AND 255. */
function formula(width: number, height: number): PdqPixels {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      data[p] = (7 * x + 3 * y) % 256;
      data[p + 1] = Math.floor((x * x + y * y) / 16) % 256;
      data[p + 2] = (x ^ y) & 255;
    }
  }
  return { width, height, channels: 3, data };
}

function pixelsOf(row: Row): PdqPixels {
  const path = join(CONFORMANCE, row.file);
  if (!existsSync(path)) {
    expect(row.file).toMatch(/^synth-formula-/); // the rows not stored are described by the formula
    return formula(row.width, row.height);
  }
  const px = parsePnm(readFileSync(path));
  if (px === null) throw new Error(`${row.file}: not a binary PNM`);
  expect([px.width, px.height, px.channels]).toEqual([row.width, row.height, row.channels]);
  return px;
}

describe('PDQ conformance with the C++ reference (exact pixels in, identical bits out)', () => {
  for (const row of rows()) {
    // The C++ CLI pre-resizes anything over 512 px, so its vectors are the pre-resize family.
    it(`${row.file}: hash, quality and the 8 dihedral hashes`, () => {
      const r = pdqHash(pixelsOf(row), { preResize512: true, dihedral: true });
      expect(r.quality).toBe(row.quality);
      if (row.file.startsWith('synth-flat128')) return; // flat: the bits are round-off noise (README)
      expect(r.hash).toBe(row.hash);
      expect(PDQ_DIHEDRAL_NAMES.map((n) => r.dihedral![n])).toEqual(row.dihedral);
    });
  }

  it('images no larger than 512×512 hash the same with and without the pre-resize', () => {
    for (const row of rows().filter((r) => r.width <= 512 && r.height <= 512)) {
      const px = pixelsOf(row);
      expect(pdqHash(px).hash, row.file).toBe(pdqHash(px, { preResize512: true }).hash);
    }
  });

  it('a 640×480 image differs between the two families (the pre-resize is what the C++ CLI adds)', () => {
    const px = formula(640, 480);
    const pre = pdqHash(px, { preResize512: true }).hash;
    expect(pre).toBe('ffdfffdfa888efdb670a4520aaa0e38babf57c0af6a0660a3c0a94a0e4a094a0');
    expect(pdqDistance(pdqHash(px).hash, pre)).toBe(30); // as the reference README reports
  });

  it('gives the all-zero hash and quality 0 below 5 pixels in either dimension, dihedrals included', () => {
    for (const [w, h] of [
      [4, 4],
      [4, 100],
      [100, 4],
      [0, 0],
    ] as const) {
      const r = pdqHash(
        { width: w, height: h, channels: 3, data: new Uint8Array(w * h * 3) },
        { dihedral: true },
      );
      expect(r.hash).toBe('0'.repeat(64));
      expect(r.quality).toBe(0);
      expect(new Set(Object.values(r.dihedral!))).toEqual(new Set(['0'.repeat(64)]));
    }
  });
});

describe('PDQ core', () => {
  it('the optimised filter equals a line-by-line transcription of the reference, for awkward sizes', () => {
    const hasher = createPdqHasher();
    for (const [w, h, channels] of [
      [5, 5, 3],
      [7, 63, 1],
      [63, 64, 3],
      [65, 65, 3],
      [64, 200, 1],
      [130, 129, 4],
      [257, 129, 3],
      [1000, 70, 3],
      [71, 900, 1],
    ] as const) {
      const px = noise(w, h, channels, w * 7919 + h);
      const got = hasher.downsample(px);
      expect(Array.from(got), `${w}×${h}×${channels}`).toEqual(Array.from(referenceDownsample(px)));
    }
  });

  it('a 4th channel is ignored, as the reference ignores everything after RGB', () => {
    const rgba = noise(90, 70, 4, 1);
    const rgb = new Uint8Array(90 * 70 * 3);
    for (let i = 0; i < 90 * 70; i++) rgb.set(rgba.data.subarray(i * 4, i * 4 + 3), i * 3);
    expect(pdqHash(rgba)).toEqual(pdqHash({ width: 90, height: 70, channels: 3, data: rgb }));
  });

  it('dividing a float32 by the window length equals multiplying by its reciprocal, after rounding', () => {
    // The filter relies on this; it holds because an exact quotient is never a float32 rounding midpoint.
    // Normal range only: the filter's sums are 0 or far above 2⁻¹⁰⁰ (luma values are multiples of 2⁻²⁷).
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    let s = 2463534242;
    for (let w = 1; w <= 300; w++) {
      const inv = 1 / w;
      for (let n = 0; n < 20_000; n++) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        u[0] = 0x0c000000 + ((s >>> 0) % (0x47000000 - 0x0c000000)); // 2⁻¹⁰³ … 32768, either sign below
        const x = n % 2 === 0 ? f[0]! : -f[0]!;
        if (Math.fround(x / w) !== Math.fround(x * inv)) throw new Error(`${x} / ${w}`);
      }
    }
  });

  it('computes the window the reference computes: ⌊(dim + 127) / 128⌋', () => {
    expect([1, 64, 128, 129, 1004, 1600].map(jaroszWindow)).toEqual([1, 1, 1, 2, 8, 13]);
  });

  it('rejects a buffer that does not hold the pixels it claims (a bug, so it throws)', () => {
    expect(() => pdqHash({ width: 10, height: 10, channels: 3, data: new Uint8Array(299) })).toThrow(
      RangeError,
    );
  });

  it('gives the same result on a reused hasher whatever was hashed before', () => {
    const hasher = createPdqHasher();
    const small = noise(80, 60, 3, 5);
    const first = hasher(small, { dihedral: true });
    hasher(noise(700, 500, 3, 6));
    expect(hasher(small, { dihedral: true })).toEqual(first);
  });

  it('measures Hamming distance over the 256 bits', () => {
    const a = '0'.repeat(64);
    expect(pdqDistance(a, a)).toBe(0);
    expect(pdqDistance(a, 'f'.repeat(64))).toBe(256);
    expect(pdqDistance(a, `8${'0'.repeat(62)}1`)).toBe(2);
  });
});

function noise(width: number, height: number, channels: 1 | 3 | 4, seed: number): PdqPixels {
  const data = new Uint8Array(width * height * channels);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    // Smooth-ish content plus noise, so the filter sums are not all alike.
    data[i] = (((i / channels) % width) + ((s >>> 24) & 63)) & 255;
  }
  return { width, height, channels, data };
}

/** A direct transcription of the reference's luminance, Jarosz filter and decimation, no shortcuts. */
function referenceDownsample(px: PdqPixels): Float32Array {
  const fr = Math.fround;
  const { width: W, height: H, channels: ch, data } = px;
  const a = new Float32Array(W * H);
  const b = new Float32Array(W * H);
  const [cr, cg, cb] = [fr(0.299), fr(0.587), fr(0.114)];
  for (let i = 0; i < W * H; i++) {
    a[i] =
      ch === 1
        ? data[i]!
        : fr(fr(fr(cr * data[i * ch]!) + fr(cg * data[i * ch + 1]!)) + fr(cb * data[i * ch + 2]!));
  }
  const box = (
    src: Float32Array,
    so: number,
    dst: Float32Array,
    len: number,
    stride: number,
    w: number,
  ): void => {
    const half = Math.floor((w + 2) / 2);
    let [li, ri, oi, sum, n] = [so, so, so, 0, 0];
    for (let i = 0; i < half - 1; i++, ri += stride, n++) sum = fr(sum + src[ri]!);
    for (let i = 0; i < w - half + 1; i++, ri += stride, oi += stride) {
      sum = fr(sum + src[ri]!);
      dst[oi] = fr(sum / ++n);
    }
    for (let i = 0; i < len - w; i++, li += stride, ri += stride, oi += stride) {
      sum = fr(fr(sum + src[ri]!) - src[li]!);
      dst[oi] = fr(sum / n);
    }
    for (let i = 0; i < half - 1; i++, li += stride, oi += stride) {
      sum = fr(sum - src[li]!);
      dst[oi] = fr(sum / --n);
    }
  };
  const out = new Float32Array(64 * 64);
  if (W === 64 && H === 64) return out.fill(0).map((_, i) => a[i]!);
  for (let rep = 0; rep < 2; rep++) {
    for (let i = 0; i < H; i++) box(a, i * W, b, W, 1, jaroszWindow(W));
    for (let j = 0; j < W; j++) box(b, j, a, H, W, jaroszWindow(H));
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 64; j++) {
      out[i * 64 + j] = a[Math.floor(((i + 0.5) * H) / 64) * W + Math.floor(((j + 0.5) * W) / 64)]!;
    }
  }
  return out;
}
