import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseFold, normaliseScreenName, skeleton } from './screen-name.ts';

// Latin letters, their look-alikes from other scripts, fullwidth forms, digits, and case-folding traps.
const LOOKALIKE_CHARS = [
  ...'abcdeilmnoprsxyABCILOPS01_.- ',
  ...'аеорсхуАВЕКМНОРСТХ', // Cyrillic
  ...'αοΑΒΕΟΡΣσςΣ', // Greek
  ...'ＡＢＣａｂｃ０１', // fullwidth
  'ß',
  'ẞ',
  'İ',
  'ı',
  'ﬁ',
  '\u0301',
  '\u200b',
  'ℂ',
  '℃',
];
const lookalikeName = fc.string({ unit: fc.constantFrom(...LOOKALIKE_CHARS), maxLength: 24 });

describe('normaliseScreenName', () => {
  it('applies NFKC, trims and case-folds', () => {
    expect(normaliseScreenName('  Night_Owl ').value).toBe('night_owl');
    expect(normaliseScreenName('ＮｉｇｈｔＯｗｌ').value).toBe('nightowl');
    expect(normaliseScreenName('Straße').value).toBe(normaliseScreenName('STRASSE').value);
    expect(normaliseScreenName('ΟΔΟΣ').value).toBe(normaliseScreenName('οδος').value);
  });

  it('records the skeleton so look-alike names compare equal', () => {
    expect(normaliseScreenName('Paypa1').facts?.skeleton).toBe(normaliseScreenName('paypal').facts?.skeleton);
  });

  it('is idempotent over arbitrary strings and over look-alike names', () => {
    for (const arb of [fc.string({ unit: 'binary' }), fc.string(), lookalikeName]) {
      fc.assert(
        fc.property(arb, (s) => {
          const once = normaliseScreenName(s).value;
          expect(normaliseScreenName(once).value).toBe(once);
        }),
        { numRuns: 500 },
      );
    }
  });
});

describe('skeleton', () => {
  it('makes Cyrillic а and Latin a equal', () => {
    expect(skeleton('\u0430')).toBe(skeleton('a'));
    expect(skeleton('раураl')).toBe(skeleton('paypal'));
  });

  it('makes the digit 0 and the letter O equal, and 1 and l, per the confusables data', () => {
    expect(skeleton('0')).toBe(skeleton('O'));
    expect(skeleton('g00gle')).toBe(skeleton('google'));
    expect(skeleton('Paypa1')).toBe(skeleton('paypal'));
  });

  it('makes fullwidth letters equal to ASCII ones', () => {
    expect(skeleton('ＡＢＣ')).toBe(skeleton('ABC'));
    expect(skeleton('ａｂｃ')).toBe(skeleton('abc'));
  });

  it('keeps different names apart', () => {
    expect(skeleton('night_owl')).not.toBe(skeleton('day_owl'));
  });

  it('is idempotent over arbitrary strings and over look-alike names', () => {
    for (const arb of [fc.string({ unit: 'binary' }), lookalikeName]) {
      fc.assert(
        fc.property(arb, (s) => {
          const once = skeleton(s);
          expect(skeleton(once)).toBe(once);
        }),
        { numRuns: 500 },
      );
    }
  });

  it('does not depend on case', () => {
    fc.assert(
      fc.property(lookalikeName, (s) => {
        expect(skeleton(s.toUpperCase())).toBe(skeleton(s.toLowerCase()));
      }),
    );
  });
});

describe('caseFold', () => {
  it('folds sharp s and final sigma', () => {
    expect(caseFold('ẞ')).toBe('ss');
    expect(caseFold('Σ')).toBe(caseFold('ς'));
  });
});
