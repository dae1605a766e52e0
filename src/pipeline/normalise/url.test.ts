import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseUrl } from './url.ts';

describe('normaliseUrl', () => {
  it('lower-cases scheme and host, drops the default port and the fragment, keeps path and query', () => {
    expect(normaliseUrl(' HTTPS://WWW.Example.COM:443/Path/To?Q=A&b=C#Frag ')).toEqual({
      value: 'https://www.example.com/Path/To?Q=A&b=C',
      facts: { host: 'www.example.com', domain: 'example.com' },
    });
  });

  it('keeps a non-default port', () => {
    expect(normaliseUrl('http://example.org:8080/x').value).toBe('http://example.org:8080/x');
  });

  it('reads a bare host as http', () => {
    expect(normaliseUrl('www.example.com/x').value).toBe('http://www.example.com/x');
    expect(normaliseUrl('www.example.com:8080/x').value).toBe('http://www.example.com:8080/x');
    expect(normaliseUrl('//cdn.example.net/a').value).toBe('http://cdn.example.net/a');
  });

  it('converts an internationalised host to punycode and records its ccTLD country', () => {
    expect(normaliseUrl('https://Bücher.Example.de/Seite')).toEqual({
      value: 'https://xn--bcher-kva.example.de/Seite',
      facts: { host: 'xn--bcher-kva.example.de', domain: 'example.de', country: 'DE' },
    });
  });

  it('records only the host for an IP address', () => {
    expect(normaliseUrl('http://203.0.113.5/x').facts).toEqual({ host: '203.0.113.5' });
    expect(normaliseUrl('http://[2001:DB8::1]/x').facts).toEqual({ host: '[2001:db8::1]' });
  });

  it('keeps a URL with another scheme as a URL', () => {
    expect(normaliseUrl('MAILTO:placeholder@example.com').value).toBe('mailto:placeholder@example.com');
  });

  it('keeps the trimmed text, marked invalid, when it cannot be parsed', () => {
    expect(normaliseUrl(' http://exa mple.com ')).toEqual({
      value: 'http://exa mple.com',
      facts: { valid: false },
    });
  });
});

const host = fc.constantFrom(
  'example.com',
  'WWW.Example.ORG',
  'bücher.example',
  'shop.example.co.uk',
  '203.0.113.7',
  '[2001:db8::7]',
);
const segment = fc.string({ unit: fc.constantFrom(...'aZ09-_.~%é /?&=:@+'), maxLength: 8 });
const plausibleUrl = fc
  .tuple(
    fc.constantFrom('', 'http://', 'HTTPS://', '//', 'ftp://'),
    host,
    fc.constantFrom('', ':80', ':443', ':8080'),
    fc.array(segment, { maxLength: 3 }),
    fc.option(segment),
    fc.option(segment),
  )
  .map(
    ([scheme, h, port, path, query, frag]) =>
      `${scheme}${h}${port}/${path.join('/')}${query === null ? '' : `?${query}`}${frag === null ? '' : `#${frag}`}`,
  );

describe('normaliseUrl idempotence', () => {
  it('holds over arbitrary strings and plausible URLs', () => {
    for (const arb of [fc.string({ unit: 'binary' }), fc.string(), plausibleUrl]) {
      fc.assert(
        fc.property(arb, (s) => {
          const once = normaliseUrl(s).value;
          expect(normaliseUrl(once).value).toBe(once);
        }),
        { numRuns: 500 },
      );
    }
  });
});
