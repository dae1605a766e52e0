import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { skeleton } from '../pipeline/normalise/screen-name.ts';
import {
  DEFAULT_SIMILARITY_THRESHOLD,
  MAX_REFS,
  NicknameIndex,
  SIMILAR_CEILING,
  foldNickname,
  jaroWinkler,
} from './nickname.ts';

describe('foldNickname', () => {
  it('removes separators and similar punctuation', () => {
    for (const name of ['night_owl', 'night.owl', 'night-owl', 'night owl', 'night__owl', '.night~owl*'])
      expect(foldNickname(name).letters, name).toBe('nightowl');
  });

  it('folds leetspeak back to letters', () => {
    expect(foldNickname('n1ght0wl').letters).toBe('nightowl');
    expect(foldNickname('$h4d0w_r1d3r').letters).toBe('shadowrider');
    expect(foldNickname('sw1f7_f@lc0n').letters).toBe('swiftfalcon');
  });

  it('reads 1 as i, although the skeleton reads it as l', () => {
    expect(skeleton('1')).toBe('l');
    expect(skeleton('0')).toBe('o');
    expect(foldNickname('n1ght').stem).toBe('night');
    expect(foldNickname('n1ght').skeleton).toBe('nlght');
  });

  it('folds Cyrillic look-alikes and fullwidth forms', () => {
    const cyrillic = 'n\u0456ght\u043ewl'; // Cyrillic і and о
    expect(cyrillic).not.toBe('nightowl');
    expect(foldNickname(cyrillic)).toEqual({
      skeleton: 'nightowl',
      letters: 'nightowl',
      stem: 'nightowl',
      digits: '',
    });
    expect(foldNickname('ＮｉｇｈｔＯｗｌ７７')).toEqual({
      skeleton: 'nightowl77',
      letters: 'nightowl77',
      stem: 'nightowl',
      digits: '77',
    });
  });

  it('keeps trailing digits as a suffix, not leetspeak', () => {
    expect(foldNickname('night_0wl77')).toEqual({
      skeleton: 'night_owl77',
      letters: 'nightowl77',
      stem: 'nightowl',
      digits: '77',
    });
    expect(foldNickname('night_owl_2001')).toMatchObject({ stem: 'nightowl', digits: '2001' });
    expect(foldNickname('owl77_')).toMatchObject({ stem: 'owl', digits: '77' });
    // The skeleton alone would turn the suffix 10 into "lo".
    expect(foldNickname('owl10')).toMatchObject({ skeleton: 'owllo', letters: 'owl10', digits: '10' });
    expect(foldNickname('nightowl')).toMatchObject({ stem: 'nightowl', digits: '' });
  });

  it('treats a trailing leet digit as a suffix (the documented rule)', () => {
    expect(foldNickname('p4nd4')).toMatchObject({ stem: 'pand', digits: '4' });
  });

  it('reads a name without letters as a number', () => {
    expect(foldNickname('1984')).toEqual({ skeleton: 'l984', letters: '1984', stem: '1984', digits: '' });
    expect(foldNickname('')).toEqual({ skeleton: '', letters: '', stem: '', digits: '' });
  });

  it('drops diacritics from letters but not from the skeleton', () => {
    expect(foldNickname('café_owl')).toMatchObject({ letters: 'cafeowl' });
    expect(foldNickname('café_owl').skeleton).not.toBe(foldNickname('cafe_owl').skeleton);
  });

  it('uses the pipeline skeleton, and letters is always stem + digits', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'aeiNOWl01347@$_.- ＡａіоЗ'), maxLength: 16 }),
        (s) => {
          const f = foldNickname(s);
          expect(f.skeleton).toBe(skeleton(s));
          expect(f.letters).toBe(f.stem + f.digits);
          expect(f.digits).toMatch(/^\d*$/);
        },
      ),
    );
  });
});

describe('jaroWinkler', () => {
  it('matches published values', () => {
    expect(jaroWinkler('MARTHA', 'MARHTA')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('DWAYNE', 'DUANE')).toBeCloseTo(0.84, 3);
    expect(jaroWinkler('DIXON', 'DICKSONX')).toBeCloseTo(0.813, 3);
    expect(jaroWinkler('JELLYFISH', 'SMELLYFISH')).toBeCloseTo(0.896, 3);
  });

  it('is 1 for equal strings, 0 with nothing in common or an empty side', () => {
    expect(jaroWinkler('owl', 'owl')).toBe(1);
    expect(jaroWinkler('', '')).toBe(1);
    expect(jaroWinkler('owl', '')).toBe(0);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
  });

  it('gives no prefix bonus at or below a Jaro of 0.7', () => {
    // CRATE/TRACE: Jaro 0.733 with no common prefix; ABCD/ABXY: Jaro 0.667 despite the shared "AB".
    expect(jaroWinkler('CRATE', 'TRACE')).toBeCloseTo(0.733, 3);
    expect(jaroWinkler('ABCD', 'ABXY')).toBeCloseTo(0.667, 3);
  });

  it('is symmetric and within 0..1', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const x = jaroWinkler(a, b);
        expect(x).toBeCloseTo(jaroWinkler(b, a), 12);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(1);
      }),
    );
  });
});

function indexOf(entries: readonly (readonly [string, string])[]): NicknameIndex {
  const index = new NicknameIndex();
  for (const [name, ref] of entries) index.add(name, ref);
  return index;
}

describe('NicknameIndex', () => {
  const family = [
    ['nightowl', 'ref-self'],
    ['NightOwl', 'ref-case'],
    ['n\u0456ght\u043ewl', 'ref-cyrillic'],
    ['night_0wl', 'ref-leet'],
    ['nightowl77', 'ref-digits'],
    ['nightowls', 'ref-similar'],
    ['nightfox', 'ref-other-word'],
    ['quietriver', 'ref-unrelated'],
  ] as const;

  it('ranks same skeleton, then same letters, then same stem, then Jaro-Winkler', () => {
    const got = indexOf(family).search('nightowl');
    expect(got.map((s) => [s.name, s.reason, s.score])).toEqual([
      ['NightOwl', 'same-skeleton', 1],
      ['n\u0456ght\u043ewl', 'same-skeleton', 1],
      ['night_0wl', 'same-letters', 0.97],
      ['nightowl77', 'same-stem', 0.95],
      ['nightowls', 'similar', SIMILAR_CEILING],
    ]);
  });

  it('explains each suggestion', () => {
    const byName = new Map(
      indexOf(family)
        .search('nightowl')
        .map((s) => [s.name, s.detail]),
    );
    expect(byName.get('night_0wl')).toBe(
      'same letters after removing separators and leetspeak (nightowl / night_0wl → nightowl)',
    );
    expect(byName.get('nightowl77')).toBe('same name with another digit suffix (nightowl: none / 77)');
    expect(byName.get('nightowls')).toBe('Jaro-Winkler 0.98 on nightowl / nightowls');
    expect(byName.get('NightOwl')).toContain('→ nightowl');
  });

  it('never suggests the exact query string itself, and gives its refs separately', () => {
    const index = indexOf(family);
    expect(index.search('nightowl').map((s) => s.name)).not.toContain('nightowl');
    expect(index.refsOf('nightowl')).toEqual(['ref-self']);
    // Another spelling of it is suggested: searching for it finds the plain name.
    expect(index.search('NightOwl')[0]).toMatchObject({ name: 'nightowl', reason: 'same-skeleton' });
  });

  it('suggests names that differ only in a distant word below the default threshold, on request', () => {
    const index = indexOf(family);
    expect(jaroWinkler('nightowl', 'nightfox')).toBeLessThan(DEFAULT_SIMILARITY_THRESHOLD);
    const loose = index.search('nightowl', { threshold: 0.85 });
    expect(loose.at(-1)).toMatchObject({ name: 'nightfox', reason: 'similar' });
    expect(loose.at(-1)?.score).toBeCloseTo(0.9, 9);
    expect(loose.map((s) => s.name)).not.toContain('quietriver');
  });

  it('works for a query that was never added', () => {
    const got = indexOf(family).search('N1GHT.0WL_5');
    expect(got.slice(0, 5).map((s) => s.reason)).toEqual([
      'same-stem',
      'same-stem',
      'same-stem',
      'same-stem',
      'same-stem',
    ]);
    expect(got.map((s) => s.name)).toContain('nightowl77');
  });

  it('applies limit and minScore', () => {
    const index = indexOf(family);
    expect(index.search('nightowl', { limit: 2 }).map((s) => s.name)).toEqual([
      'NightOwl',
      'n\u0456ght\u043ewl',
    ]);
    expect(index.search('nightowl', { minScore: 0.96 }).map((s) => s.reason)).toEqual([
      'same-skeleton',
      'same-skeleton',
      'same-letters',
    ]);
    expect(index.search('nightowl', { limit: 0 })).toEqual([]);
  });

  it('orders similar names by their Jaro-Winkler under the ceiling', () => {
    const index = indexOf([
      ['silverfalcan', 'a'], // 0.967 against silverfalcon: under the default
      ['silverfalconxx', 'b'], // 0.971
      ['silverfalcons', 'c'], // 0.985
      ['silverfalcn', 'd'], // 0.983
    ]);
    const got = index.search('silverfalcon', { threshold: 0.95 });
    expect(got.map((s) => s.name)).toEqual([
      'silverfalcons',
      'silverfalcn',
      'silverfalconxx',
      'silverfalcan',
    ]);
    expect(got.every((s) => s.score === SIMILAR_CEILING)).toBe(true);
    expect(index.search('silverfalcon').map((s) => s.name)).toEqual([
      'silverfalcons',
      'silverfalcn',
      'silverfalconxx',
    ]);
  });

  it('keeps every ref of a name once, lists the first ones and counts them all', () => {
    const index = new NicknameIndex();
    expect(index.add('night_owl', 'r1')).toBe(true);
    expect(index.add('night_owl', 'r1')).toBe(false);
    for (let i = 2; i <= MAX_REFS + 10; i++) index.add('night_owl', `r${i}`);
    expect(index.size).toBe(1);
    const [s] = index.search('nightowl');
    expect(s?.refCount).toBe(MAX_REFS + 10);
    expect(s?.refs).toHaveLength(MAX_REFS);
    expect(s?.refs[0]).toBe('r1');
  });

  it('ignores names with nothing to compare, and finds nothing for an empty query', () => {
    const index = indexOf(family);
    expect(index.add('   ', 'r')).toBe(false);
    expect(index.size).toBe(family.length);
    expect(index.search('')).toEqual([]);
    expect(index.search('___')).toEqual([]);
  });
});

/** A deterministic stream of pseudo-random numbers in [0, 1). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

/** 60,000 names of random syllables: far more distinct stems than the generator's word lists make. */
function largeIndex(): { index: NicknameIndex; names: string[] } {
  const rnd = lcg(7);
  const pick = (s: string): string => s.charAt(Math.floor(rnd() * s.length));
  const syllables = Array.from(
    { length: 400 },
    () => pick('bcdfghjklmnprstvwz') + pick('aeiouy') + (rnd() < 0.5 ? pick('bcdfghjklmnprstvwz') : ''),
  );
  const word = (): string =>
    Array.from({ length: 2 + Math.floor(rnd() * 2) }, () => syllables[Math.floor(rnd() * 400)]).join('');
  const index = new NicknameIndex();
  const names: string[] = [];
  while (index.size < 60_000) {
    const digits = rnd() < 0.3 ? String(Math.floor(rnd() * 100)) : '';
    const name = word() + (rnd() < 0.5 ? '_' : '') + word() + digits;
    if (index.add(name, `r${names.length}`)) names.push(name);
  }
  return { index, names };
}

describe('NicknameIndex on a large index', () => {
  it('compares a small block of the stems and finds what a full scan finds', () => {
    const { index, names } = largeIndex();
    // Random stems are rarely this close, so plant variants of a sample of names: a letter added, dropped,
    // changed or inserted, two letters swapped; those at or above the threshold must all be found.
    const queries = names.filter((_, k) => k % 1200 === 0);
    const planted: string[] = [];
    for (const [i, q] of queries.entries()) {
      const stem = foldNickname(q).stem;
      const cut = 3 + (i % 5);
      const variants = [
        `${stem}k`,
        stem.slice(0, -1),
        `${stem.slice(0, -1)}q`,
        stem.slice(0, cut) + stem.charAt(cut + 1) + stem.charAt(cut) + stem.slice(cut + 2),
        `${stem.slice(0, cut)}e${stem.slice(cut)}`,
      ];
      for (const v of variants)
        if (jaroWinkler(stem, v) >= DEFAULT_SIMILARITY_THRESHOLD && index.add(`${v}_${i}`, 'planted'))
          planted.push(`${v}_${i}`);
    }
    expect(planted.length).toBeGreaterThan(100);
    const stems = [...new Set([...names, ...planted].map((n) => foldNickname(n).stem))];
    const found = new Set<string>();
    for (const q of queries) {
      const stem = foldNickname(q).stem;
      const r = index.searchDetailed(q, { limit: 10_000 });
      expect(r.blocked).toBeLessThan(r.stems / 100);
      for (const s of r.suggestions) found.add(s.name);
      const got = new Set(r.suggestions.map((s) => foldNickname(s.name).stem));
      const scan = stems.filter((s) => s !== stem && jaroWinkler(stem, s) >= DEFAULT_SIMILARITY_THRESHOLD);
      expect(scan.filter((s) => !got.has(s))).toEqual([]);
    }
    expect(planted.filter((p) => !found.has(p))).toEqual([]);
  });
});
