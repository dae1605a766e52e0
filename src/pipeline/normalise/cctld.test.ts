import { describe, expect, it } from 'vitest';
import { countryOfTld } from './cctld.ts';

describe('countryOfTld', () => {
  it('maps two-letter ccTLDs to their ISO country, from a suffix or a whole host', () => {
    expect(countryOfTld('it')).toBe('IT');
    expect(countryOfTld('mail.example.de')).toBe('DE');
    expect(countryOfTld('EXAMPLE.FR.')).toBe('FR');
  });

  it('maps .uk (and .co.uk) to GB', () => {
    expect(countryOfTld('uk')).toBe('GB');
    expect(countryOfTld('co.uk')).toBe('GB');
    expect(countryOfTld('gb')).toBe('GB');
  });

  it('gives no country for generic, test and non-country TLDs', () => {
    for (const s of [
      'com',
      'org',
      'example.com',
      'x.example',
      'x.test',
      'x.invalid',
      'localhost',
      'eu',
      'ac',
      'su',
    ]) {
      expect(countryOfTld(s), s).toBeUndefined();
    }
  });

  it('gives no country for ccTLDs used generically, and for undelegated two-letter labels', () => {
    for (const s of ['io', 'tv', 'me', 'co', 'cc', 'zz', 'yu', ''])
      expect(countryOfTld(s), s).toBeUndefined();
  });
});
