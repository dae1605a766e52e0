import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseEmail } from './email.ts';

describe('normaliseEmail', () => {
  it('trims and lower-cases local part and domain, and records host and registrable domain', () => {
    expect(normaliseEmail('  Reported.User@Mail.Example.NET ')).toEqual({
      value: 'reported.user@mail.example.net',
      facts: { host: 'mail.example.net', domain: 'example.net' },
    });
  });

  it('converts an internationalised domain to ASCII and composes the local part', () => {
    expect(normaliseEmail('Jose\u0301@Bücher.Example').value).toBe('josé@xn--bcher-kva.example');
  });

  it('records the ccTLD country of the domain', () => {
    expect(normaliseEmail('placeholder@example.it').facts?.country).toBe('IT');
    expect(normaliseEmail('placeholder@example.co.uk').facts).toEqual({
      host: 'example.co.uk',
      domain: 'example.co.uk',
      country: 'GB',
    });
  });

  it('folds Gmail addresses by the documented rules: dots, +tag, googlemail.com', () => {
    const want = 'syntheticplaceholder@gmail.com';
    expect(normaliseEmail('Synthetic.Placeholder+Test@gmail.com').value).toBe(want);
    expect(normaliseEmail('synthetic.place.holder@googlemail.com').value).toBe(want);
  });

  it('leaves Gmail addresses alone when provider rules are off', () => {
    expect(normaliseEmail('Synthetic.Placeholder+Test@googlemail.com', { providerRules: false }).value).toBe(
      'synthetic.placeholder+test@googlemail.com',
    );
  });

  it('applies no provider rule to other domains', () => {
    expect(normaliseEmail('first.last+tag@example.com').value).toBe('first.last+tag@example.com');
  });

  it('keeps an address without @ lower-cased and marks it invalid', () => {
    expect(normaliseEmail(' Not-An-Address ')).toEqual({ value: 'not-an-address', facts: { valid: false } });
    expect(normaliseEmail('nobody@').facts).toEqual({ valid: false });
  });
});

const LOCAL_CHARS = [...'abcXYZ019._+-', 'é', 'E\u0301', 'Ä', 'ü', 'ß', 'İ'];
const plausibleEmail = fc
  .tuple(
    fc.constantFrom('', ' ', '\t'),
    fc.string({ unit: fc.constantFrom(...LOCAL_CHARS), minLength: 1, maxLength: 16 }),
    fc.constantFrom(
      'example.com',
      'Example.ORG',
      'mail.example.net',
      'bücher.example',
      'example.it',
      'gmail.com',
      'GoogleMail.com',
    ),
  )
  .map(([pad, local, domain]) => `${pad}${local}@${domain}${pad}`);

describe('normaliseEmail idempotence', () => {
  for (const providerRules of [true, false]) {
    it(`holds over arbitrary strings and plausible addresses (provider rules ${providerRules ? 'on' : 'off'})`, () => {
      for (const arb of [fc.string({ unit: 'binary' }), fc.string(), plausibleEmail]) {
        fc.assert(
          fc.property(arb, (s) => {
            const once = normaliseEmail(s, { providerRules }).value;
            expect(normaliseEmail(once, { providerRules }).value).toBe(once);
          }),
          { numRuns: 500 },
        );
      }
    });
  }
});
