import { createHash } from 'node:crypto';

import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';

import { openGeoDatabase } from '../adapters/geo.ts';
import type { IpEvent } from '../domain/referral.ts';
import { COUNTRIES } from './catalog.ts';
import { GeoAddressBook, isPublicIpv4 } from './geo-ips.ts';
import { Prng } from './prng.ts';
import { scenario } from './scenario.ts';
import type { GeneratedReport, ScenarioEvent } from './truth.ts';
import { buildTruth } from './truth.ts';

const geo = openGeoDatabase();
const CODES = COUNTRIES.map((c) => c.code);

function book(seed = 'book'): GeoAddressBook {
  return new GeoAddressBook(geo, new Prng(seed, 'geo-ips'), CODES);
}

function u32(ip: string): number {
  return ipaddr.IPv4.parse(ip).octets.reduce((n, o) => n * 256 + o, 0);
}

describe('GeoAddressBook', () => {
  const b = book();

  it('draws fresh public IPv4 addresses that the database places in the country asked for', () => {
    const seen = new Set<string>();
    for (const c of CODES) {
      for (let i = 0; i < 40; i++) {
        const ip = b.ipv4(c);
        expect(geo.lookup(ip)?.country, `${c} ${ip}`).toBe(c);
        expect(ipaddr.IPv4.parse(ip).range()).toBe('unicast');
        expect(seen.has(ip)).toBe(false);
        seen.add(ip);
      }
    }
  });

  it('draws IPv6 addresses in the country, distinct for distinct tokens', () => {
    const seen = new Set<string>();
    for (const c of CODES) {
      for (let token = 0; token < 40; token++) {
        const ip = b.ipv6(c, token);
        expect(geo.lookup(ip)?.country, `${c} ${ip}`).toBe(c);
        const parsed = ipaddr.IPv6.parse(ip);
        expect(parsed.range()).toBe('unicast');
        expect(parsed.toString()).toBe(ip);
        expect(seen.has(ip)).toBe(false);
        seen.add(ip);
      }
    }
  });

  it('puts VPN exits in some other country', () => {
    for (const c of CODES) {
      for (let i = 0; i < 20; i++) {
        const hit = geo.lookup(b.elsewhere(c));
        expect(hit).not.toBeNull();
        expect(hit?.country).not.toBe(c);
      }
    }
  });

  it('stands in for a documentation line with one address per country, the same every time', () => {
    const it1 = b.line('IT', '203.0.113.1');
    expect(b.line('IT', '203.0.113.1')).toBe(it1);
    expect(b.line('IT', '203.0.113.2')).not.toBe(it1);
    expect(b.line('DE', '203.0.113.1')).not.toBe(it1);
    expect(geo.lookup(b.line('DE', '203.0.113.1'))?.country).toBe('DE');
  });

  it('is deterministic for a seed and a database', () => {
    const draw = (g: GeoAddressBook) => [
      g.ipv4('PL'),
      g.ipv6('ES', 7),
      g.elsewhere('US'),
      g.line('AU', '192.0.2.9'),
    ];
    expect(draw(book('same'))).toEqual(draw(book('same')));
    expect(draw(book('same'))).not.toEqual(draw(book('other')));
  });

  it('fails clearly for a country the database does not know', () => {
    expect(() => b.ipv4('XX')).toThrow(/no IPv4 address left in XX/);
    expect(() => b.ipv6('XX', 1)).toThrow(/no IPv6 networks placed in XX/);
  });
});

describe('isPublicIpv4', () => {
  it('refuses special-purpose, documentation, private, CGNAT and multicast space', () => {
    for (const ip of [
      '0.1.2.3',
      '10.1.2.3',
      '100.64.0.1',
      '100.127.255.1',
      '127.0.0.1',
      '169.254.1.1',
      '172.16.0.1',
      '172.31.255.1',
      '192.0.0.8',
      '192.0.2.1',
      '192.88.99.1',
      '192.168.1.1',
      '198.18.0.1',
      '198.19.255.1',
      '198.51.100.1',
      '203.0.113.1',
      '224.0.0.1',
      '240.0.0.1',
      '255.255.255.254',
      '8.8.8.0',
      '8.8.8.255',
    ]) {
      expect(isPublicIpv4(u32(ip)), ip).toBe(false);
    }
    for (const ip of ['8.8.8.8', '100.63.1.1', '100.128.1.1', '172.15.1.1', '172.32.1.1', '151.1.1.1']) {
      expect(isPublicIpv4(u32(ip)), ip).toBe(true);
    }
  });
});

function ipEventsOf(r: GeneratedReport): { person: string; event: IpEvent }[] {
  const out = r.doc.reportedPersons.flatMap((account, i) =>
    account.ipEvents.map((event) => ({ person: r.persons[i] ?? '', event })),
  );
  for (const f of r.doc.files) if (f.ipEvent) out.push({ person: r.persons[0] ?? '', event: f.ipEvent });
  return out;
}

function digest(events: readonly ScenarioEvent[]): string {
  return createHash('sha256').update(JSON.stringify(events)).digest('hex');
}

describe('scenario with geoIps', () => {
  const events = [...scenario({ reports: 500, seed: 'geo-ips', geoIps: true, geoDatabase: geo })];
  const truth = buildTruth(events);
  const reports = events.filter((e): e is GeneratedReport => e.kind === 'report');
  const countryOf = new Map(truth.persons.map((p) => [p.id, p.trueCountry]));

  it("geolocates every event to its person's true country, and proxy-flagged ones elsewhere", () => {
    let proxied = 0;
    let v4 = 0;
    let v6 = 0;
    for (const r of reports) {
      for (const { person, event } of ipEventsOf(r)) {
        const hit = geo.lookup(event.address);
        expect(hit, event.address).not.toBeNull();
        if (event.address.includes(':')) v6++;
        else v4++;
        if (event.possibleProxy === true) {
          proxied++;
          expect(hit?.country, `${person} ${event.address}`).not.toBe(countryOf.get(person));
        } else {
          expect(hit?.country, `${person} ${event.address}`).toBe(countryOf.get(person));
        }
      }
    }
    expect(proxied).toBeGreaterThan(0);
    expect(v4).toBeGreaterThan(0);
    expect(v6).toBeGreaterThan(0);
  });

  it('uses no documentation addresses, and lists every address in its owner’s truth', () => {
    for (const p of truth.persons) {
      for (const ip of p.identifiers.ips) {
        expect(ip.startsWith('2001:db8:')).toBe(false);
        expect(ip).not.toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\./);
        expect(geo.lookup(ip)).not.toBeNull();
      }
    }
    const owners = new Map<string, Set<string>>();
    for (const r of reports) {
      for (const { person, event } of ipEventsOf(r)) {
        const set = owners.get(event.address) ?? new Set<string>();
        set.add(person);
        owners.set(event.address, set);
      }
    }
    const shared = [...owners].filter(([, s]) => s.size > 1);
    const listed = new Map(truth.sharedCgnat.map((s) => [s.ip, new Set(s.persons)]));
    for (const [ip, persons] of shared) {
      expect(ip, 'only IPv4 lines are shared').toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(listed.get(ip)).toEqual(persons);
    }
    expect(truth.sharedCgnat.length).toBe(shared.length);
    expect(shared.length).toBeGreaterThan(0);
  });

  it('shares a carrier line only between people of one country', () => {
    for (const { ip, persons } of truth.sharedCgnat) {
      const countries = new Set(persons.map((p) => countryOf.get(p)));
      expect(countries.size, ip).toBe(1);
      expect(geo.lookup(ip)?.country).toBe([...countries][0]);
    }
  });

  it('is deterministic: the same seed gives the same events, another seed different ones', () => {
    expect(digest([...scenario({ reports: 500, seed: 'geo-ips', geoIps: true })])).toBe(digest(events));
    expect(digest([...scenario({ reports: 500, seed: 'other', geoIps: true, geoDatabase: geo })])).not.toBe(
      digest(events),
    );
  });

  it('leaves the documentation-range scenario as it was when off', () => {
    const plain = digest([...scenario({ reports: 200, seed: 'geo-ips' })]);
    expect(digest([...scenario({ reports: 200, seed: 'geo-ips', geoIps: false, geoDatabase: geo })])).toBe(
      plain,
    );
    expect(digest([...scenario({ reports: 200, seed: 'geo-ips', geoIps: true, geoDatabase: geo })])).not.toBe(
      plain,
    );
  });
});
