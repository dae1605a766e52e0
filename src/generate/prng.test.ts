import { describe, expect, it } from 'vitest';

import { Prng, draw, mix32, weighted } from './prng.ts';

describe('Prng', () => {
  it('repeats its stream for a seed and differs between seeds and streams', () => {
    const take = (p: Prng) => Array.from({ length: 8 }, () => p.u32());
    expect(take(new Prng('a'))).toEqual(take(new Prng('a')));
    expect(take(new Prng('a'))).not.toEqual(take(new Prng('b')));
    expect(take(new Prng('a'))).not.toEqual(take(new Prng('a', 'phones')));
  });

  it('draws within bounds and roughly uniformly', () => {
    const rng = new Prng(1);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) {
      const x = rng.range(0, 3);
      counts[x] = (counts[x] ?? 0) + 1;
    }
    for (const c of counts) expect(c).toBeGreaterThan(9_000);
    expect(rng.hex(32)).toMatch(/^[0-9a-f]{32}$/);
    expect(rng.hex(64)).toMatch(/^[0-9a-f]{64}$/);
    expect(rng.digits(13)).toMatch(/^\d{13}$/);
    expect(rng.bytes(7)).toHaveLength(7);
  });

  it('respects weights and skips zero weights', () => {
    const rng = new Prng(2);
    const table = weighted<string>([
      ['a', 3],
      ['never', 0],
      ['b', 1],
    ]);
    let a = 0;
    for (let i = 0; i < 10_000; i++) {
      const v = draw(rng, table);
      expect(v).not.toBe('never');
      if (v === 'a') a++;
    }
    expect(a / 10_000).toBeCloseTo(0.75, 1);
  });

  it('mix32 never maps two counters to the same id', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 100_000; i++) seen.add(mix32(i ^ 0xdeadbeef));
    expect(seen.size).toBe(100_000);
  });
});
