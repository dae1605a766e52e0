import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import ipaddr from 'ipaddr.js';
import { ipRangeOf, ipv4RangeOf, normaliseIp } from './ip.ts';

const rangeOf = (s: string) => normaliseIp(s).facts?.ipRange;

describe('normaliseIp', () => {
  it('unwraps IPv4-mapped IPv6, in dotted and hex form', () => {
    expect(normaliseIp('::FFFF:203.0.113.45')).toEqual({
      value: '203.0.113.45',
      facts: { ipRange: 'documentation' },
    });
    expect(normaliseIp('::ffff:cb00:712d').value).toBe('203.0.113.45');
  });

  it('compresses IPv6 in lower case and strips brackets', () => {
    expect(normaliseIp(' 2001:0DB8:0000:0000:0000:0000:0000:0001 ').value).toBe('2001:db8::1');
    expect(normaliseIp('[2001:db8::1]').value).toBe('2001:db8::1');
  });

  it('files the documentation blocks as documentation, not reserved', () => {
    for (const s of ['192.0.2.1', '198.51.100.7', '203.0.113.254', '2001:db8::1', '3fff::1']) {
      expect(rangeOf(s), s).toBe('documentation');
    }
  });

  it('names CGNAT, private, loopback, link-local, multicast and unspecified ranges', () => {
    expect(rangeOf('100.64.0.1')).toBe('cgnat');
    expect(rangeOf('100.127.255.254')).toBe('cgnat');
    expect(rangeOf('10.0.0.1')).toBe('private');
    expect(rangeOf('172.16.5.4')).toBe('private');
    expect(rangeOf('192.168.1.1')).toBe('private');
    expect(rangeOf('fd00::1')).toBe('private');
    expect(rangeOf('127.0.0.1')).toBe('loopback');
    expect(rangeOf('::1')).toBe('loopback');
    expect(rangeOf('169.254.1.1')).toBe('link-local');
    expect(rangeOf('fe80::1')).toBe('link-local');
    expect(rangeOf('224.0.0.1')).toBe('multicast');
    expect(rangeOf('0.0.0.0')).toBe('unspecified');
    expect(rangeOf('::')).toBe('unspecified');
  });

  it('files broadcast, benchmarking and future-use ranges as reserved', () => {
    expect(rangeOf('255.255.255.255')).toBe('reserved');
    expect(rangeOf('198.18.0.1')).toBe('reserved');
    expect(rangeOf('240.0.0.1')).toBe('reserved');
    expect(rangeOf('64:ff9b::c000:201')).toBe('reserved');
  });

  it('files ordinary unicast addresses as public', () => {
    // Just outside the CGNAT and documentation blocks.
    expect(rangeOf('100.128.0.1')).toBe('public');
    expect(rangeOf('203.0.114.1')).toBe('public');
  });

  it('records a possible proxy only when flagged', () => {
    expect(normaliseIp('203.0.113.9', true).facts).toEqual({ ipRange: 'documentation', proxy: true });
    expect(normaliseIp('203.0.113.9', false).facts).toEqual({ ipRange: 'documentation' });
  });

  it('marks non-strict forms invalid instead of reinterpreting them', () => {
    expect(normaliseIp('010.0.0.1')).toEqual({ value: '010.0.0.1', facts: { valid: false } });
    expect(normaliseIp('10.1').facts).toEqual({ valid: false });
    expect(normaliseIp('Not-An-IP').value).toBe('not-an-ip');
  });
});

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc
  .tuple(
    fc.constantFrom('192.0.2', '198.51.100', '203.0.113', '10.0.0', '100.64.1', '192.168.0', '127.0.0'),
    octet,
  )
  .map(([p, o]) => `${p}.${o}`);
const hextet = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
const ipv6 = fc
  .tuple(
    fc.constantFrom('2001:db8', '2001:DB8', 'fd00:0', 'FE80:0'),
    fc.array(hextet, { minLength: 0, maxLength: 6 }),
  )
  .map(([p, rest]) => (rest.length === 6 ? `${p}:${rest.join(':')}` : `${p}::${rest.join(':')}`));
const mapped = fc
  .tuple(ipv4, fc.constantFrom('::ffff:', '::FFFF:', '0:0:0:0:0:ffff:'))
  .map(([v4, p]) => `${p}${v4}`);
const plausibleIp = fc
  .tuple(fc.oneof(ipv4, ipv6, mapped), fc.constantFrom('', ' ', '\n'), fc.boolean())
  .map(([a, pad, bracket]) => `${pad}${bracket && a.includes(':') ? `[${a}]` : a}${pad}`);

describe('normaliseIp idempotence', () => {
  it('holds over arbitrary strings and plausible v4, v6 and mapped addresses', () => {
    for (const arb of [fc.string({ unit: 'binary' }), fc.string(), plausibleIp]) {
      fc.assert(
        fc.property(arb, (s) => {
          const once = normaliseIp(s).value;
          expect(normaliseIp(once).value).toBe(once);
        }),
        { numRuns: 500 },
      );
    }
  });

  it('reads every plausible address as valid', () => {
    fc.assert(
      fc.property(plausibleIp, (s) => {
        expect(normaliseIp(s).facts?.valid).toBeUndefined();
      }),
    );
  });
});

describe('the IPv4 fast path', () => {
  it('files every address in the same range as ipaddr does', () => {
    fc.assert(
      fc.property(fc.ipV4(), (a) => {
        const octets = a.split('.').map(Number);
        expect(ipv4RangeOf(octets)).toBe(ipRangeOf(ipaddr.IPv4.parse(a)));
      }),
      { numRuns: 20_000 },
    );
    for (const a of ['0.0.0.0', '255.255.255.255', '192.0.2.1', '100.64.0.1', '172.31.255.255', '198.19.0.1'])
      expect(ipv4RangeOf(a.split('.').map(Number))).toBe(ipRangeOf(ipaddr.IPv4.parse(a)));
  });
});
