import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  bruteForceSearch,
  chooseSlots,
  hammingHex,
  pdqIndexBuilder,
  type PdqIndex,
  type PdqIndexOptions,
} from './pdq-index.ts';

const REF = new URL('../../../shared/reference/pdq/', import.meta.url);

function lines(path: string): string[] {
  return readFileSync(new URL(path, REF), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

type Hit = { id: number; distance: number };
const byId = (a: Hit, b: Hit): number => a.id - b.id || a.distance - b.distance;
const sorted = (hits: readonly Hit[]): Hit[] => [...hits].sort(byId);

function indexOf(hashes: readonly string[], options?: PdqIndexOptions, idOf = (i: number) => i): PdqIndex {
  const b = pdqIndexBuilder(hashes.length, options);
  hashes.forEach((h, i) => b.add(h, idOf(i)));
  return b.build();
}

/** Deterministic PRNG (mulberry32) so every run sees the same banks. */
function prng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function randomHash(rnd: () => number): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += rnd().toString(16).padStart(8, '0');
  return s;
}

/** Flips the given bit positions (0 = top bit of the first hex digit). */
function flip(hash: string, bits: Iterable<number>): string {
  const nibbles = [...hash].map((c) => parseInt(c, 16));
  for (const b of bits) nibbles[b >> 2] = (nibbles[b >> 2] ?? 0) ^ (8 >> (b & 3));
  return nibbles.map((n) => n.toString(16)).join('');
}

function randomBits(rnd: () => number, count: number): Set<number> {
  const bits = new Set<number>();
  while (bits.size < count) bits.add(rnd() % 256);
  return bits;
}

function runOfBits(rnd: () => number, count: number): number[] {
  const start = rnd() % 256;
  return Array.from({ length: count }, (_, i) => (start + i) % 256);
}

// Tables of 2^b offsets per slot: 11 slots would allocate ~450 MB, so tests use the small layouts.
const LAYOUTS: readonly { name: string; options: PdqIndexOptions }[] = [
  { name: 'default', options: {} },
  { name: '16 slots, MIH forced', options: { slots: 16, strategy: 'mih' } },
  { name: '13 slots, MIH forced', options: { slots: 13, strategy: 'mih' } },
  { name: '32 slots, MIH forced', options: { slots: 32, strategy: 'mih' } },
  { name: 'scan', options: { strategy: 'scan' } },
];

describe('PDQ index against the reference needles × haystack (mih-bruteforce-needles-vs-haystack.csv)', () => {
  const needles = lines('data/reg-test-input/needles.txt');
  const haystack = lines('data/reg-test-input/haystack.txt');
  const expected = lines('mih-bruteforce-needles-vs-haystack.csv')
    .slice(1)
    .map((l) => l.split(',').map(Number) as [number, number, number]);

  it('reads the reference files as described in its README', () => {
    expect(needles).toHaveLength(100);
    expect(haystack).toHaveLength(1350);
    expect(expected).toHaveLength(352);
  });

  it('hammingHex agrees with every listed distance', () => {
    for (const [n, h, d] of expected) expect(hammingHex(needles[n - 1]!, haystack[h - 1]!)).toBe(d);
  });

  for (const { name, options } of LAYOUTS) {
    it(`finds exactly the listed pairs at radius 31, 32, 47 and 63 (${name})`, () => {
      // ids are the 1-based haystack line numbers, as in the CSV.
      const index = indexOf(haystack, options, (i) => i + 1);
      for (const radius of [31, 32, 47, 63]) {
        const got: string[] = [];
        needles.forEach((needle, n) => {
          for (const hit of index.search(needle, radius)) got.push(`${n + 1},${hit.id},${hit.distance}`);
        });
        const want = expected.filter(([, , d]) => d <= radius).map((r) => r.join(','));
        expect(got.sort()).toEqual(want.sort());
      }
    });
  }

  it('gives the pair counts the README states (250 within 31 and 32, 287 within 47)', () => {
    const index = indexOf(haystack);
    const count = (r: number) => needles.reduce((sum, n) => sum + index.search(n, r).length, 0);
    expect([count(31), count(32), count(47), count(63)]).toEqual([250, 250, 287, 352]);
  });
});

describe('PDQ index against brute force on random banks', () => {
  const rnd = prng(20260717);
  const bank: string[] = Array.from({ length: 20_000 }, () => randomHash(rnd));
  const queries: string[] = [];
  for (let q = 0; q < 40; q++) {
    const query = randomHash(rnd);
    queries.push(query);
    // Planted near-duplicates at every distance 0..40, half with scattered bits and half with a run of
    // adjacent bits (which piles the whole difference into one or two slots).
    for (let d = 0; d <= 40; d++)
      bank.push(flip(query, q % 2 === 0 ? randomBits(rnd, d) : runOfBits(rnd, d)));
  }
  // Some queries are stored items themselves, and one is a stored item with a single bit flipped.
  queries.push(bank[7]!, bank[19_999]!, flip(bank[123]!, [255]));
  const radii = [0, 1, 15, 16, 31, 32, 40];
  const truth = queries.map((q) => sorted(bruteForceSearch(bank, q, 40)));

  it('plants what it says (the oracle sees every distance 0..40 for the first query)', () => {
    const distances = new Set(truth[0]!.map((h) => h.distance));
    for (let d = 0; d <= 40; d++) expect(distances.has(d)).toBe(true);
  });

  for (const { name, options } of LAYOUTS) {
    it(`equals bruteForceSearch at radii ${radii.join(', ')} (${name})`, () => {
      const index = indexOf(bank, options);
      expect(index.size).toBe(bank.length);
      queries.forEach((q, i) => {
        for (const radius of radii) {
          const want = truth[i]!.filter((h) => h.distance <= radius);
          expect(sorted(index.search(q, radius)), `query ${i} radius ${radius}`).toEqual(want);
        }
      });
    });
  }

  it('maps positions to the caller’s ids', () => {
    const index = indexOf(bank, {}, (i) => 4_000_000_000 - i * 3);
    const want = truth[0]!
      .filter((h) => h.distance <= 31)
      .map((h) => ({ ...h, id: 4_000_000_000 - h.id * 3 }));
    expect(sorted(index.search(queries[0]!, 31))).toEqual(sorted(want));
  });

  it('answers large radii exactly too (plans fall back to a scan)', () => {
    const small = bank.slice(0, 2_000);
    for (const options of [{}, { slots: 16, strategy: 'mih' } as const]) {
      const index = indexOf(small, options);
      for (const radius of [64, 100, 255]) {
        const q = queries[3]!;
        expect(sorted(index.search(q, radius))).toEqual(sorted(bruteForceSearch(small, q, radius)));
      }
    }
  });
});

describe('PDQ index edge cases', () => {
  const a = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';

  it('an empty index finds nothing', () => {
    const index = pdqIndexBuilder().build();
    expect(index.size).toBe(0);
    expect(index.search(a, 31)).toEqual([]);
    expect(index.search(a, 255)).toEqual([]);
  });

  it('returns every id stored under the same hash, at radius 0', () => {
    const b = pdqIndexBuilder();
    b.add(a, 5);
    b.add(a, 9);
    b.add(flip(a, [0]), 11);
    b.add(a, 5); // the same entry twice is reported twice: the index does not merge ids
    const index = b.build();
    expect(sorted(index.search(a, 0))).toEqual([
      { id: 5, distance: 0 },
      { id: 5, distance: 0 },
      { id: 9, distance: 0 },
    ]);
    expect(sorted(index.search(a, 1)).map((h) => h.id)).toEqual([5, 5, 9, 11]);
  });

  it('accepts upper-case hex and treats it as lower-case', () => {
    const b = pdqIndexBuilder();
    b.add(a.toUpperCase(), 1);
    expect(b.build().search(a, 0)).toEqual([{ id: 1, distance: 0 }]);
    expect(hammingHex(a, a.toUpperCase())).toBe(0);
  });

  it('throws a clear error on a malformed hash, id or radius', () => {
    const b = pdqIndexBuilder();
    expect(() => b.add(a.slice(1), 1)).toThrow(/malformed PDQ hash/);
    expect(() => b.add(`${a.slice(1)}g`, 1)).toThrow(/malformed PDQ hash/);
    expect(() => b.add(a, -1)).toThrow(/id/);
    expect(() => b.add(a, 1.5)).toThrow(/id/);
    b.add(a, 1);
    const index = b.build();
    expect(() => index.search(`${a} `, 31)).toThrow(/malformed PDQ hash/);
    expect(() => index.search(a, 256)).toThrow(/radius/);
    expect(() => index.search(a, -1)).toThrow(/radius/);
    expect(() => hammingHex(a, 'xyz')).toThrow(/malformed PDQ hash/);
    expect(() => bruteForceSearch([a, 'nope'], a, 3)).toThrow(/malformed PDQ hash/);
  });

  it('is single use: a builder cannot be added to or built again after build()', () => {
    const b = pdqIndexBuilder();
    b.add(a, 1);
    b.build();
    expect(() => b.add(a, 2)).toThrow(/already built/);
    expect(() => b.build()).toThrow(/already built/);
  });

  it('grows past its expected size', () => {
    const rnd = prng(1);
    const hashes = Array.from({ length: 100 }, () => randomHash(rnd));
    const b = pdqIndexBuilder(1);
    hashes.forEach((h, i) => b.add(h, i));
    const index = b.build();
    expect(index.size).toBe(100);
    hashes.forEach((h, i) => expect(index.search(h, 0)).toContainEqual({ id: i, distance: 0 }));
  });

  it('chooses slots of about log2(N) + 2 bits, 16 to 24', () => {
    expect(chooseSlots(0)).toBe(16);
    expect(chooseSlots(20_000)).toBe(16);
    expect(chooseSlots(100_000)).toBe(14);
    expect(chooseSlots(1_000_000)).toBe(12);
    expect(chooseSlots(10_000_000)).toBe(11);
    expect(chooseSlots(1e12)).toBe(11);
  });
});
