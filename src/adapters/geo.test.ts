import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';

import { Prng } from '../generate/prng.ts';
import { defaultGeoDatabasePath, geoHitOfRecord, openGeoDatabase } from './geo.ts';

const geo = openGeoDatabase();

function randomIpv4(rng: Prng): string {
  const x = rng.u32();
  return `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
}

describe('openGeoDatabase (DB-IP Country Lite by default)', () => {
  it('places random IPv4 addresses consistently, mapped or not', () => {
    const rng = new Prng('geo-adapter');
    let located = 0;
    for (let i = 0; i < 2000; i++) {
      const ip = randomIpv4(rng);
      const hit = geo.lookup(ip);
      if (hit === null) continue;
      located++;
      expect(hit.country).toMatch(/^[A-Z][A-Z0-9]$/);
      expect(geo.lookup(ip)).toEqual(hit);
      expect(geo.lookup(`::ffff:${ip}`)).toEqual(hit);
      expect(geo.lookup(`::FFFF:${ip}`)).toEqual(hit);
      // The same mapped address written in hex.
      expect(geo.lookup(ipaddr.IPv4.parse(ip).toIPv4MappedAddress().toNormalizedString())).toEqual(hit);
    }
    // Most of the IPv4 space is allocated somewhere; reserved blocks are the rest.
    expect(located).toBeGreaterThan(1500);
  });

  it('answers with the country only (the DB-IP record is { country_code })', () => {
    const rng = new Prng('geo-shape');
    let checked = 0;
    while (checked < 50) {
      const hit = geo.lookup(randomIpv4(rng));
      if (hit === null) continue;
      expect(Object.keys(hit)).toEqual(['country']);
      checked++;
    }
  });

  it('locates IPv6 however it is written', () => {
    let found: { ip: string; country: string } | undefined;
    geo.forEachNetwork('2a00::/12', 48, (bytes, _len, hit) => {
      found ??= { ip: ipaddr.fromByteArray(Array.from(bytes)).toString(), country: hit.country };
    });
    if (found === undefined) throw new Error('no IPv6 network in 2a00::/12');
    const full = ipaddr.parse(found.ip).toNormalizedString();
    expect(geo.lookup(found.ip)?.country).toBe(found.country);
    expect(geo.lookup(full)?.country).toBe(found.country);
    expect(geo.lookup(full.toUpperCase())?.country).toBe(found.country);
  });

  it('finds nothing at documentation, private and reserved addresses', () => {
    for (const ip of [
      '192.0.2.1',
      '198.51.100.7',
      '203.0.113.200',
      '2001:db8::1',
      '10.1.2.3',
      '127.0.0.1',
      '::1',
      '::',
    ]) {
      expect(geo.lookup(ip)).toBeNull();
    }
  });

  it('returns null for anything that is not an address, and never throws', () => {
    const bad = [
      '',
      ' ',
      'x',
      '8.8.8',
      '8.8.8.8.8',
      '1.2.3.256',
      '08.8.8.8',
      '0x08080808',
      ':::1',
      '1::2::3',
      '::1:',
    ];
    for (const ip of [...bad, '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '2001:db8::1/32', '8.8.8.8:443']) {
      expect(geo.lookup(ip)).toBeNull();
      expect(geo.lookupNetwork(ip)).toBeNull();
    }
  });

  it('names its source and build date', () => {
    expect(geo.source).toMatch(/^DB-IP Country Lite \(dbip-country\) built \d{4}-\d{2}-\d{2}$/);
    const own = openGeoDatabase(defaultGeoDatabasePath());
    expect(own.source).toMatch(/\(dbip-country\.mmdb\) built \d{4}-\d{2}-\d{2}$/);
  });

  it('reports the network an address is filed under', () => {
    const net = geo.lookupNetwork('8.8.8.8');
    expect(net?.hit).toEqual(geo.lookup('8.8.8.8'));
    expect(net?.prefixLength).toBeGreaterThan(8);
    expect(net?.prefixLength).toBeLessThanOrEqual(32);
  });

  it('walks the networks of a block in order, each placed where lookup places it', () => {
    for (const [cidr, max] of [
      ['151.0.0.0/10', 32],
      ['2a00::/16', 40],
    ] as const) {
      let previous = -1n;
      let count = 0;
      geo.forEachNetwork(cidr, max, (bytes, prefixLength, hit) => {
        count++;
        const addr = ipaddr.fromByteArray(Array.from(bytes));
        const bits = bytes.length * 8;
        const first = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
        const last = first | ((1n << BigInt(bits - prefixLength)) - 1n);
        expect(first).toBeGreaterThan(previous);
        previous = last;
        expect(prefixLength).toBeLessThanOrEqual(max);
        expect(geo.lookupNetwork(addr.toString())).toEqual({ hit, prefixLength });
        const lastBytes = Array.from(Buffer.from(last.toString(16).padStart(bits / 4, '0'), 'hex'));
        expect(geo.lookup(ipaddr.fromByteArray(lastBytes).toString())).toEqual(hit);
      });
      expect(count).toBeGreaterThan(0);
    }
  });

  it('reads an IPv4-only database without inventing answers for IPv6', () => {
    const v4 = openGeoDatabase(join(dirname(defaultGeoDatabasePath()), 'dbip-country-ipv4.mmdb'));
    const rng = new Prng('geo-v4-only');
    for (let i = 0; i < 200; i++) {
      const ip = randomIpv4(rng);
      expect(v4.lookup(ip)).toEqual(geo.lookup(ip));
      expect(v4.lookup(`::ffff:${ip}`)).toEqual(geo.lookup(ip));
    }
    expect(v4.lookup('2a00:1450::1')).toBeNull();
    expect(v4.lookupNetwork('2a00:1450::1')).toBeNull();
    let networks = 0;
    v4.forEachNetwork('2a00::/12', 64, () => networks++);
    expect(networks).toBe(0);
  });

  it('fails with an error naming the path for a missing or garbage file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conduit-geo-'));
    const missing = join(dir, 'missing.mmdb');
    expect(() => openGeoDatabase(missing)).toThrow(
      new RegExp(`geo database ${escape(missing)}: cannot be read`),
    );
    const garbage = join(dir, 'garbage.mmdb');
    writeFileSync(garbage, new Prng('garbage').bytes(4096));
    expect(() => openGeoDatabase(garbage)).toThrow(
      new RegExp(`geo database ${escape(garbage)}: not a MaxMind DB`),
    );
    const empty = join(dir, 'empty.mmdb');
    writeFileSync(empty, '');
    expect(() => openGeoDatabase(empty)).toThrow(
      new RegExp(`geo database ${escape(empty)}: not a MaxMind DB`),
    );
    expect(() => openGeoDatabase(dir)).toThrow(new RegExp(`geo database ${escape(dir)}: cannot be read`));
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('geoHitOfRecord', () => {
  it('maps the ip-location-db shape', () => {
    expect(geoHitOfRecord({ country_code: 'IT' })).toEqual({ country: 'IT' });
    expect(geoHitOfRecord({ country_code: 'it', city: 'Roma' })).toEqual({ country: 'IT', city: 'Roma' });
  });

  it('maps a GeoIP2 City record: region from the first subdivision, city in English', () => {
    const record = {
      continent: { code: 'EU', names: { en: 'Europe' } },
      country: { iso_code: 'IT', names: { en: 'Italy', it: 'Italia' } },
      registered_country: { iso_code: 'IT', names: { en: 'Italy' } },
      subdivisions: [
        { iso_code: '62', names: { en: 'Lazio' } },
        { iso_code: 'RM', names: { en: 'Rome' } },
      ],
      city: { names: { en: 'Rome', it: 'Roma' } },
      location: { latitude: 41.9, longitude: 12.5, accuracy_radius: 20 },
    };
    expect(geoHitOfRecord(record)).toEqual({ country: 'IT', region: 'IT-62', city: 'Rome' });
  });

  it('maps a GeoIP2 Country record', () => {
    expect(geoHitOfRecord({ country: { iso_code: 'DE' }, registered_country: { iso_code: 'DE' } })).toEqual({
      country: 'DE',
    });
    expect(geoHitOfRecord({ country: { iso_code: 'GB' }, subdivisions: [{ iso_code: 'eng' }] })).toEqual({
      country: 'GB',
      region: 'GB-ENG',
    });
  });

  it('finds no place without a located country (a registered country is not a location)', () => {
    expect(geoHitOfRecord({ registered_country: { iso_code: 'US' } })).toBeNull();
    expect(geoHitOfRecord({ continent: { code: 'EU' } })).toBeNull();
    expect(geoHitOfRecord({ country_code: 'ITA' })).toBeNull();
    expect(geoHitOfRecord({ country: { iso_code: 7 } })).toBeNull();
    expect(geoHitOfRecord(null)).toBeNull();
    expect(geoHitOfRecord('IT')).toBeNull();
  });

  it('ignores malformed subdivisions and empty city names', () => {
    expect(
      geoHitOfRecord({
        country: { iso_code: 'FR' },
        subdivisions: [{ iso_code: 'not a code' }],
        city: { names: { en: ' ' } },
      }),
    ).toEqual({ country: 'FR' });
    expect(geoHitOfRecord({ country: { iso_code: 'FR' }, subdivisions: 'IDF', city: { names: {} } })).toEqual(
      {
        country: 'FR',
      },
    );
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
