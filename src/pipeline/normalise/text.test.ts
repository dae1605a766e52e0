import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseDeviceId, normaliseText } from './text.ts';

describe('normaliseText', () => {
  it('trims and composes but keeps case', () => {
    expect(normaliseText('  Usr_0001\n').value).toBe('Usr_0001');
    expect(normaliseText('Cafe\u0301').value).toBe('Café');
  });

  it('is idempotent over arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const once = normaliseText(s).value;
        expect(normaliseText(once).value).toBe(once);
      }),
      { numRuns: 500 },
    );
  });
});

describe('normaliseDeviceId', () => {
  it('prefixes the upper-cased id type', () => {
    expect(normaliseDeviceId(' imei ', ' 490154203237518 ').value).toBe('IMEI:490154203237518');
  });
});
