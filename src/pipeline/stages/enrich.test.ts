import { describe, expect, it } from 'vitest';
import { canonicalReferral } from '../../../test/support/fixtures.ts';
import { shippedRules } from '../../rules/rules.service.ts';
import { parseCountryCode, type OrganisationId } from '../../domain/ids.ts';
import type { Identifier } from '../../domain/identifier.ts';
import type { Organisation } from '../../domain/organisation.ts';
import { parseCanonical } from '../../intake/formats/canonical.ts';
import type { GeoPort } from '../ports.ts';
import { initialState } from '../state.ts';
import { enrichStage } from './enrich.ts';

const rules = shippedRules();
const source: Organisation = {
  id: '0190a3c2-0000-7000-8000-000000000009' as OrganisationId,
  slug: 'src',
  name: 'src',
  kind: 'referring-centre',
  country: null,
  parentId: null,
  covers: [],
};
/** A geo database that knows three invented addresses. */
const geo: GeoPort = {
  source: 'test',
  lookup: (ip) => {
    const c = { '192.0.2.10': 'IT', '2001:db8::1': 'IT', '192.0.2.20': 'DE' }[ip];
    const country = c === undefined ? undefined : parseCountryCode(c);
    return country ? { country } : null;
  },
};

function run(doc: Record<string, unknown>, identifiers: Identifier[]) {
  const parsed = parseCanonical(doc);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const state = { ...initialState(parsed.value, source, '2026-01-01T00:00:00.000Z' as never), identifiers };
  const r = enrichStage({ geo, rules: () => rules })(state);
  if (r.kind !== 'ok') throw new Error('enrich does not hold');
  return r.value.signals;
}

const ip = (value: string, extra: Partial<Identifier> = {}): Identifier => ({
  kind: 'ip',
  value,
  raw: value,
  role: 'reported',
  account: 0,
  facts: { ipRange: 'public' },
  ...extra,
});

describe('enrich', () => {
  it('locates public addresses of the reported person, discounting IPv4 and proxies', () => {
    const signals = run(canonicalReferral('r', { reportedPersons: [] }), [
      ip('2001:db8::1', { at: '2025-06-14T19:00:00Z' as never }),
      ip('192.0.2.10'),
      ip('192.0.2.20', { facts: { ipRange: 'public', proxy: true } }),
    ]);
    expect(signals.map((s) => [s.country, s.weight])).toEqual([
      ['IT', 3],
      ['IT', 2.4],
      ['DE', 0.48],
    ]);
    expect(signals[2]?.discounts).toEqual(['possible proxy ×0.2', 'IPv4, often shared ×0.8']);
  });

  it('ignores victims’ and recipients’ addresses and addresses outside public space', () => {
    const signals = run(canonicalReferral('r', { reportedPersons: [] }), [
      ip('192.0.2.10', { role: 'victim' }),
      ip('192.0.2.10', { role: 'recipient' }),
      ip('192.0.2.10', { facts: { ipRange: 'documentation' } }),
    ]);
    expect(signals).toEqual([]);
  });

  it('halves an address’s weight for every half-life before the incident', () => {
    const [s] = run(canonicalReferral('r', { reportedPersons: [] }), [
      ip('2001:db8::1', { at: '2024-06-15T21:37:05+02:00' as never }),
    ]);
    expect(s?.weight).toBeCloseTo(1.5, 2);
    expect(s?.discounts?.[0]).toMatch(/^364 days before the incident/);
  });

  it('reads phone countries, the provider’s estimate (with its region) and country-code domains', () => {
    const it = parseCountryCode('IT');
    const signals = run(
      canonicalReferral('r', {
        reportedPersons: [
          {
            espIdentifier: 'u1',
            estimatedLocation: { city: 'Roma', region: 'Lazio', countryCode: 'IT', verified: false },
          },
        ],
      }),
      [
        {
          kind: 'phone',
          value: '+390600000101',
          raw: '',
          role: 'reported',
          account: 0,
          facts: { country: it },
        },
        {
          kind: 'email',
          value: 'x@example.it',
          raw: '',
          role: 'reported',
          account: 0,
          ...(it && { facts: { country: it } }),
        },
      ],
    );
    expect(signals.map((s) => [s.kind, s.country, s.region ?? null, s.weight])).toEqual([
      ['phone', 'IT', null, 2],
      ['cctld', 'IT', null, 0.5],
      ['provider-estimate', 'IT', 'IT-62', 1],
    ]);
  });

  it('reads the source’s own country hint as one weighted signal', () => {
    const signals = run(canonicalReferral('r', { reportedPersons: [], countryHint: 'NL' }), []);
    expect(signals).toEqual([{ kind: 'source-hint', country: 'NL', weight: 1.5, evidence: 'src: NL' }]);
  });

  it('reads postal addresses by country name or code, and legal process served', () => {
    const signals = run(
      canonicalReferral('r', {
        reportedPersons: [
          { espIdentifier: 'u1', person: { addresses: [{ city: 'Lyon', country: 'France' }] } },
        ],
        lawEnforcement: { agencyName: 'Example Police', servedLegalProcessCountry: 'FR' },
      }),
      [],
    );
    expect(signals.map((s) => [s.kind, s.country])).toEqual([
      ['address', 'FR'],
      ['legal-process', 'FR'],
    ]);
  });
});
