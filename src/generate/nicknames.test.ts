import { describe, expect, it } from 'vitest';

import { Prng } from './prng.ts';
import type { NicknameStyle } from './nicknames.ts';
import { DEFAULT_NICKNAME_STYLE, displayNameOf, makeNickname, screenNameVariant } from './nicknames.ts';

describe('screen-name variants', () => {
  const rng = new Prng('nicknames');
  const samples = Array.from({ length: 2000 }, () => {
    const nick = makeNickname(rng);
    return { nick, variant: screenNameVariant(rng, nick, false) };
  });

  it('applies every kind of transform, and records which', () => {
    const seen = new Set(samples.flatMap((s) => s.variant.transforms));
    expect(seen).toEqual(new Set(['case', 'digits', 'separator', 'leet', 'cyrillic', 'fullwidth']));
    for (const { nick, variant } of samples) {
      expect(variant.transforms.length).toBeGreaterThan(0);
      if (variant.transforms.includes('cyrillic'))
        expect(variant.name).toMatch(/[\u0430\u0435\u043e\u0440\u0441]/);
      if (variant.transforms.includes('fullwidth')) expect(variant.name).toMatch(/[\uff10-\uff5a]/);
      if (variant.transforms.includes('separator')) expect(variant.name).toMatch(/[-_.]/);
      if (variant.transforms.includes('leet')) expect(variant.name).toMatch(/[01345]/);
      // Still recognisably the same words once the disguise is taken off.
      const plain = variant.name
        .normalize('NFKC')
        .replace(
          /[\u0430\u0435\u043e\u0440\u0441]/g,
          (c) => ({ а: 'a', е: 'e', о: 'o', р: 'p', с: 'c' })[c] ?? c,
        )
        .toLowerCase()
        .replace(/[01345]/g, (c) => ({ '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's' })[c] ?? c)
        .replace(/[-_.]/g, '');
      expect(plain.startsWith(nick.words.join(''))).toBe(true);
    }
  });

  it('produces only text XML can carry', () => {
    // eslint-disable-next-line no-control-regex
    for (const { variant } of samples) expect(variant.name).not.toMatch(/[\u0000-\u001f<>&"'\ufffe\uffff]/);
  });

  it('keeps the plain nickname for some first accounts', () => {
    const nick = makeNickname(rng);
    const names = Array.from({ length: 50 }, () => screenNameVariant(rng, nick, true));
    expect(names.some((n) => n.name === nick.base && n.transforms.length === 0)).toBe(true);
    expect(displayNameOf({ words: ['night', 'owl'], digits: '7', base: 'nightowl7' })).toBe('Night Owl');
  });

  it('draws from a given pool and disguises at the given rates', () => {
    const style: NicknameStyle = {
      first: ['night', 'blue'],
      second: ['owl'],
      digitsRate: 0,
      disguise: { leet: 0, lookAlike: 0, fullwidth: 1 },
    };
    const r = new Prng('nickname-style');
    for (let i = 0; i < 200; i++) {
      const nick = makeNickname(r, style);
      expect(['nightowl', 'blueowl']).toContain(nick.base);
      expect(screenNameVariant(r, nick, false, style).transforms).toContain('fullwidth');
    }
    // Without a style: today's defaults, drawn exactly as before.
    const a = new Prng('same');
    const b = new Prng('same');
    const nick = makeNickname(a);
    expect(makeNickname(b, DEFAULT_NICKNAME_STYLE)).toEqual(nick);
    expect(screenNameVariant(a, nick, true)).toEqual(
      screenNameVariant(b, nick, true, DEFAULT_NICKNAME_STYLE),
    );
  });
});
