import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalisePhone } from './phone.ts';

describe('normalisePhone', () => {
  it('reads an Italian number with its calling code to E.164, keeping the leading 0', () => {
    expect(normalisePhone('06 0000 0101', '+39')).toEqual({
      value: '+390600000101',
      facts: { country: 'IT', numberType: 'FIXED_LINE', valid: true },
    });
    expect(normalisePhone('06-0000-0101', '39').value).toBe('+390600000101');
  });

  it('drops the UK trunk 0 and places the fictional 07700 900xxx range in GB although it is not valid', () => {
    expect(normalisePhone('07700 900123', '+44')).toEqual({
      value: '+447700900123',
      facts: { country: 'GB', valid: false },
    });
    expect(normalisePhone('+44 (0)7700 900123').value).toBe('+447700900123');
  });

  it('reads a UK fictional landline as a valid GB fixed line', () => {
    expect(normalisePhone('020 7946 0123', '+44').facts).toEqual({
      country: 'GB',
      numberType: 'FIXED_LINE',
      valid: true,
    });
  });

  it('reads a US 555-01xx number', () => {
    expect(normalisePhone('(212) 555-0101', '1')).toEqual({
      value: '+12125550101',
      facts: { country: 'US', numberType: 'FIXED_LINE_OR_MOBILE', valid: true },
    });
  });

  it('uses a leading + when there is no calling code, and prefers it over one', () => {
    expect(normalisePhone('+39 06 0000 0101').value).toBe('+390600000101');
    expect(normalisePhone('+39 06 0000 0101', '+44').value).toBe('+390600000101');
  });

  it('keeps the digits, and learns nothing, without any country', () => {
    expect(normalisePhone('06 0000 0101')).toEqual({ value: '0600000101' });
  });

  it('keeps + and digits, marked invalid, when libphonenumber cannot read the number', () => {
    expect(normalisePhone('+0 12')).toEqual({ value: '+012', facts: { valid: false } });
  });

  it('reads its own value back unchanged when libphonenumber strips a national prefix twice', () => {
    // Regression: `+31 0…` lost one more 0 each time its E.164 was parsed again.
    const once = normalisePhone('00000001100', '31').value;
    expect(normalisePhone(once).value).toBe(once);
    const us = normalisePhone('+1 11 0000 0000').value;
    expect(normalisePhone(us).value).toBe(us);
  });

  it('gives an empty value when there are no digits', () => {
    expect(normalisePhone(' - ', '+39').value).toBe('');
  });
});

const fictional = fc.oneof(
  fc.integer({ min: 0, max: 999 }).map((k) => ['07700 900' + String(k).padStart(3, '0'), '+44'] as const),
  fc.integer({ min: 0, max: 9999 }).map((k) => ['06 0000 ' + String(k).padStart(4, '0'), '+39'] as const),
  fc
    .tuple(fc.integer({ min: 200, max: 989 }), fc.integer({ min: 0, max: 99 }))
    .map(([a, k]) => [`${a}-555-01${String(k).padStart(2, '0')}`, '1'] as const),
);
const punctuated = fc
  .tuple(fictional, fc.constantFrom(' ', '-', '.', '(', ')', '/', ''), fc.boolean())
  .map(([[n, cc], sep, inline]) => {
    const text = n.replace(/[ -]/g, sep);
    return inline
      ? ([`${cc.startsWith('+') ? cc : `+${cc}`} ${text}`, undefined] as const)
      : ([text, cc] as const);
  });
const callingCode = fc.constantFrom(undefined, '+39', '44', '+1', '+0', '1234', 'x');

describe('normalisePhone idempotence', () => {
  it('holds over arbitrary strings and calling codes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), callingCode, (s, cc) => {
        const once = normalisePhone(s, cc).value;
        expect(normalisePhone(once).value).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('holds over arbitrary digit strings with and without +', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.stringMatching(/^\+?[0-9 ]{1,20}$/), fc.stringMatching(/^\+?[01]{1,24}$/)),
        callingCode,
        (s, cc) => {
          const once = normalisePhone(s, cc).value;
          expect(normalisePhone(once).value).toBe(once);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('holds over fictional numbers with punctuation, and they all agree with the plain form', () => {
    fc.assert(
      fc.property(punctuated, ([text, cc]) => {
        const once = normalisePhone(text, cc).value;
        expect(once).toMatch(/^\+\d+$/);
        expect(normalisePhone(once).value).toBe(once);
      }),
      { numRuns: 500 },
    );
  });
});
