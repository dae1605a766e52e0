import { describe, expect, it } from 'vitest';
import { shippedRules } from '../../rules/rules.service.ts';
import type { LocationSignal } from '../../domain/decision.ts';
import { parseCountryCode, type CountryCode, type OrganisationId } from '../../domain/ids.ts';
import type { Coverage, Organisation } from '../../domain/organisation.ts';
import type { ReferralDocument } from '../../domain/referral.ts';
import { initialState } from '../state.ts';
import { decide, routeStage } from './route.ts';

const rules = shippedRules();
const cc = (s: string): CountryCode => {
  const c = parseCountryCode(s);
  if (!c) throw new Error(s);
  return c;
};
const org = (
  slug: string,
  kind: Organisation['kind'],
  parent: Organisation | null,
  covers: string[],
): Organisation => ({
  id: `0190a3c2-0000-7000-8000-${slug.padStart(12, '0').slice(-12)}` as OrganisationId,
  slug,
  name: slug,
  kind,
  country: null,
  parentId: parent?.id ?? null,
  covers: covers as Coverage[],
});
const hub = org('hub', 'hub', null, []);
const nccIt = org('ncc-it', 'national-centre', hub, ['IT']);
const unitLazio = org('unit-lazio', 'unit', nccIt, ['IT-62']);
const source = org('source-us', 'referring-centre', null, ['US']);
const tree = [hub, nccIt, unitLazio, source];

const signal = (country: string, weight: number, extra: Partial<LocationSignal> = {}): LocationSignal => ({
  kind: 'ip',
  country: cc(country),
  weight,
  evidence: 'test',
  ...extra,
});

function routed(signals: LocationSignal[], organisations: readonly Organisation[] = tree) {
  const state = {
    ...initialState({} as ReferralDocument, source, '2026-01-01T00:00:00.000Z' as never),
    signals,
  };
  const r = routeStage({
    rules: () => rules,
    routing: { receivingOrganisation: () => hub, organisations: () => organisations },
  })(state);
  if (r.kind === 'reject') throw new Error('route never rejects');
  return r;
}

describe('jurisdiction', () => {
  it('agrees on the country all signals point to, with a confidence damped by the prior', () => {
    const v = decide([signal('IT', 3), signal('IT', 2, { kind: 'phone' })], rules.routing);
    expect(v).toMatchObject({ country: 'IT', confidence: 0.833 });
    expect(v.hold).toBeUndefined();
    expect(v.reasons[0]).toMatch(/^1 of 1 IP addresses in IT/);
    expect(v.reasons.at(-1)).toContain('confidence');
  });

  it('holds conflicting countries with every candidate and its weight shown', () => {
    const v = decide([signal('IT', 3), signal('DE', 3), signal('IT', 0.5, { kind: 'cctld' })], rules.routing);
    expect(v.hold?.reason).toBe('conflicting_countries');
    expect(v.hold?.detail).toBe('countries conflict: IT 3.5 vs DE 3');
    expect(v.candidates).toEqual([
      { country: 'IT', weight: 3.5 },
      { country: 'DE', weight: 3 },
    ]);
  });

  it('holds a single weak signal as low confidence rather than guessing', () => {
    const v = decide([signal('IT', 0.5, { kind: 'cctld' })], rules.routing);
    expect(v.hold?.reason).toBe('low_confidence');
    expect(v.country).toBe('IT');
  });

  it('holds a referral with nothing that locates anyone', () => {
    expect(decide([], rules.routing).hold?.reason).toBe('no_location');
  });

  it('decides the region when most of the evidence naming a region agrees on it', () => {
    const lazio = { region: 'IT-62' };
    const lombardia = { region: 'IT-25' };
    // A country-level IP says nothing about the region: the estimate naming Lazio decides it.
    expect(decide([signal('IT', 1, lazio), signal('IT', 3)], rules.routing).region).toBe('IT-62');
    expect(decide([signal('IT', 1, lazio), signal('IT', 3, lombardia)], rules.routing).region).toBe('IT-25');
    expect(decide([signal('IT', 2, lazio), signal('IT', 2, lombardia)], rules.routing).region).toBeNull();
  });
});

describe('routing', () => {
  it('sends a referral to the most specific organisation that covers its region', () => {
    const r = routed([signal('IT', 3, { region: 'IT-62' }), signal('IT', 2, { kind: 'phone' })]);
    expect(r.kind).toBe('ok');
    expect(r.value?.jurisdiction).toMatchObject({
      recipientOrgId: unitLazio.id,
      country: 'IT',
      region: 'IT-62',
    });
    expect(r.value?.jurisdiction?.reasons[0]).toBe('routed to unit-lazio: it covers IT-62');
  });

  it('sends it to the national centre when the region is not covered or not known', () => {
    const r = routed([signal('IT', 3), signal('IT', 2, { kind: 'phone' })]);
    expect(r.value?.jurisdiction?.recipientOrgId).toBe(nccIt.id);
  });

  it('keeps at the hub what no organisation covers, and never routes to a source', () => {
    const r = routed([signal('US', 3), signal('US', 2, { kind: 'phone' })]);
    expect(r.kind).toBe('ok');
    expect(r.value?.jurisdiction?.recipientOrgId).toBe(hub.id);
    expect(r.value?.jurisdiction?.reasons[0]).toContain('no organisation covers US');
  });

  it('holds at the receiving organisation for triage, with the conflict in the reasons', () => {
    const r = routed([signal('IT', 3), signal('DE', 3)]);
    expect(r.kind).toBe('hold');
    if (r.kind !== 'hold') return;
    expect(r.reason).toBe('conflicting_countries');
    expect(r.value.jurisdiction).toMatchObject({
      recipientOrgId: hub.id,
      rulesVersion: rules.routing.version,
    });
    expect(r.value.jurisdiction?.reasons[0]).toContain('DE 3 vs IT 3');
  });

  it('follows the rules: a stricter threshold holds what the default routes', () => {
    const strict = { ...rules, routing: { ...rules.routing, minConfidence: 0.9 } };
    const r = routeStage({
      rules: () => strict,
      routing: { receivingOrganisation: () => hub, organisations: () => tree },
    })({
      ...initialState({} as ReferralDocument, source, '2026-01-01T00:00:00.000Z' as never),
      signals: [signal('IT', 3)],
    });
    expect(r.kind).toBe('hold');
  });
});

describe('jurisdiction edge cases', () => {
  it('never reports a confidence that is not a number (a zero prior and weightless evidence)', () => {
    const v = decide([signal('IT', 0)], { ...rules.routing, prior: 0 });
    expect(v.confidence).toBe(0);
    expect(v.hold?.reason).toBe('low_confidence');
  });
});
