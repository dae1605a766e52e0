import { describe, expect, it } from 'vitest';

import type { CountryInfo } from './catalog.ts';
import { COUNTRIES } from './catalog.ts';
import {
  CGNAT_GATEWAYS,
  HOME_IPV4,
  PhoneBook,
  deviceId,
  formatIpv6,
  portInBlock,
  uniqueIpv6,
} from './identifiers.ts';
import { Prng } from './prng.ts';
import { instant } from './values.ts';

function country(code: string): CountryInfo {
  const c = COUNTRIES.find((x) => x.code === code);
  if (!c) throw new Error(`${code} missing`);
  return c;
}

describe('synthetic identifiers', () => {
  it('hands out each fictional phone number once, in the country’s format, until the ranges run out', () => {
    const book = new PhoneBook(new Prng('phones'));
    const gb = country('GB');
    const size = gb.phoneRanges.reduce((n, r) => n + r.size, 0);
    const numbers = Array.from({ length: size }, () => book.next(gb));
    expect(new Set(numbers.map((n) => n?.e164)).size).toBe(size);
    expect(book.next(gb)).toBeUndefined();
    for (const n of numbers) {
      expect(n?.e164).toMatch(/^\+44\d{10}$/);
      expect(n?.e164.endsWith((n?.national ?? '').replace(/\D/g, '').slice(1))).toBe(true);
    }
    const fresh = new PhoneBook(new Prng('phones'));
    for (const c of COUNTRIES) {
      const n = fresh.next(c);
      expect(n?.e164.startsWith(c.callingCode)).toBe(true);
    }
  });

  it('uses fiction ranges where they exist', () => {
    const book = new PhoneBook(new Prng(3));
    for (let i = 0; i < 50; i++) {
      expect(book.next(country('US'))?.national).toMatch(/^\d{3}-555-01\d\d$/);
      expect(book.next(country('FR'))?.e164).toMatch(/^\+33(199|261|353|465|536|639)/);
      expect(book.next(country('AU'))?.e164).toMatch(/^\+61(491570|25550|35550)/);
    }
  });

  it('writes IPv6 in RFC 5952 form inside 2001:db8::/32, unique per token', () => {
    expect(formatIpv6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1])).toBe('2001:db8::1');
    expect(formatIpv6([0x2001, 0xdb8, 0, 1, 0, 0, 0, 1])).toBe('2001:db8:0:1::1');
    expect(formatIpv6([0x2001, 0xdb8, 1, 0, 0, 2, 0, 0])).toBe('2001:db8:1::2:0:0');
    expect(formatIpv6([0x2001, 0xdb8, 1, 2, 3, 4, 5, 6])).toBe('2001:db8:1:2:3:4:5:6');
    const rng = new Prng(4);
    const ips = Array.from({ length: 5000 }, (_, i) => uniqueIpv6(rng, i));
    expect(new Set(ips.map((ip) => ip.split(':').slice(0, 4).join(':'))).size).toBe(5000);
    for (const ip of ips) expect(ip.startsWith('2001:db8:')).toBe(true);
  });

  it('keeps IPv4 in the documentation ranges and CGNAT ports in a subscriber’s block', () => {
    for (const ip of [...CGNAT_GATEWAYS, ...HOME_IPV4]) {
      expect(ip).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\.([1-9]\d?|1\d\d|2[0-4]\d|25[0-4])$/);
    }
    expect(new Set([...CGNAT_GATEWAYS, ...HOME_IPV4]).size).toBe(CGNAT_GATEWAYS.length + HOME_IPV4.length);
    const rng = new Prng(5);
    for (let i = 0; i < 1000; i++) {
      const p = portInBlock(rng, 3);
      expect(p).toBeGreaterThanOrEqual(1024 + 3 * 512);
      expect(p).toBeLessThan(1024 + 4 * 512);
    }
    expect(portInBlock(rng, 125)).toBeLessThanOrEqual(65535);
  });

  it('makes device ids that cannot be real', () => {
    const rng = new Prng(6);
    const ids = Array.from({ length: 3000 }, (_, i) => deviceId(rng, i));
    expect(new Set(ids.map((d) => d.idValue)).size).toBe(3000);
    for (const d of ids.filter((x) => x.idType === 'IMEI')) expect(d.idValue).toMatch(/^00\d{13}$/);
  });

  it('formats instants exactly like Date#toISOString', () => {
    const rng = new Prng(7);
    for (let i = 0; i < 5000; i++) {
      const ms = Date.UTC(2020, 0, 1) + rng.int(3000) * 86_400_000 + rng.int(86_400) * 1000;
      expect(instant(ms)).toBe(new Date(ms).toISOString());
    }
    expect(instant(1_700_000_000_123)).toBe(new Date(1_700_000_000_123).toISOString());
  });
});
