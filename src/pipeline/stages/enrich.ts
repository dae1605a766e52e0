import type { LocationSignal } from '../../domain/decision.ts';
import { parseCountryCode, type CountryCode } from '../../domain/ids.ts';
import type { Identifier } from '../../domain/identifier.ts';
import type { Account, Address, EstimatedLocation } from '../../domain/referral.ts';
import type { RoutingRules } from '../../domain/rules.ts';
import type { StageResult } from '../../domain/result.ts';
import { countryOfName, regionOf } from '../enrich/places.ts';
import type { Ports } from '../ports.ts';
import type { PipelineState } from '../state.ts';

const DAY_MS = 86_400_000;

/** The selectors that say where the reported person is: theirs and the incident's, not victims' or recipients'. */
const LOCATING_ROLES: ReadonlySet<Identifier['role']> = new Set([
  'reported',
  'associated',
  'incident',
  'file',
]);

/**
 * Gathers every location signal the referral carries, each weighted by the routing rules: IP addresses
 * through the geo database, phone numbers' countries, the provider's own estimate, postal addresses,
 * country-code domains, and the country where legal process was served. Deciding is the route stage's job.
 */
export function enrichStage(ports: Pick<Ports, 'geo' | 'rules'>) {
  return function enrich(state: PipelineState): StageResult<PipelineState> {
    const rules = ports.rules().routing;
    const incidentAt = Date.parse(state.document.incident.occurredAt);
    const signals: LocationSignal[] = [];
    const add = (s: Omit<LocationSignal, 'weight' | 'discounts'>, factors: [string, number][] = []) => {
      let weight = rules.weights[s.kind];
      const discounts: string[] = [];
      for (const [why, factor] of factors) {
        weight *= factor;
        discounts.push(`${why} ×${round(factor)}`);
      }
      if (s.at !== undefined && rules.halfLifeDays > 0) {
        const days = (incidentAt - Date.parse(s.at)) / DAY_MS;
        if (days >= 1) {
          const factor = 0.5 ** (days / rules.halfLifeDays);
          weight *= factor;
          discounts.push(`${Math.round(days)} days before the incident ×${round(factor)}`);
        }
      }
      // Evidence that has decayed to nothing (after rounding) says nothing.
      const rounded = round(weight);
      if (rounded > 0) signals.push({ ...s, weight: rounded, ...(discounts.length > 0 && { discounts }) });
    };

    for (const id of state.identifiers) {
      if (!LOCATING_ROLES.has(id.role)) continue;
      switch (id.kind) {
        case 'ip': {
          if (id.facts?.ipRange !== 'public') break;
          const hit = ports.geo.lookup(id.value);
          if (!hit) break;
          const factors: [string, number][] = [];
          if (id.facts.proxy) factors.push(['possible proxy', rules.discounts.proxy]);
          if (!id.value.includes(':')) factors.push(['IPv4, often shared', rules.discounts.sharedAddress]);
          add(
            {
              kind: 'ip',
              country: hit.country,
              ...(hit.region !== undefined && { region: hit.region }),
              ...(hit.city !== undefined && { city: hit.city }),
              ...(id.at !== undefined && { at: id.at }),
              evidence: id.value,
            },
            factors,
          );
          break;
        }
        case 'phone':
          if (id.facts?.country) add({ kind: 'phone', country: id.facts.country, evidence: id.value });
          break;
        case 'email':
        case 'url':
          if (id.facts?.country) add({ kind: 'cctld', country: id.facts.country, evidence: id.value });
          break;
        case 'screen-name':
        case 'service-user-id':
        case 'device-id':
        case 'group-id':
          break;
      }
    }

    const doc = state.document;
    const accounts: Account[] = doc.reportedPersons.flatMap((a) => [a, ...a.associatedAccounts]);
    for (const a of accounts) {
      if (a.estimatedLocation) estimate(a.estimatedLocation, rules, add);
      for (const address of a.person?.addresses ?? []) postal(address, rules, add);
    }
    for (const d of doc.internet) for (const address of d.addresses ?? []) postal(address, rules, add);
    const served = doc.lawEnforcement?.servedLegalProcessCountry;
    if (served) add({ kind: 'legal-process', country: served, evidence: doc.lawEnforcement.agencyName });
    if (doc.countryHint)
      add({
        kind: 'source-hint',
        country: doc.countryHint,
        evidence: `${state.source.slug}: ${doc.countryHint}`,
      });

    return { kind: 'ok', value: { ...state, signals } };
  };
}

type Add = (s: Omit<LocationSignal, 'weight' | 'discounts'>, factors?: [string, number][]) => void;

function estimate(e: EstimatedLocation, rules: RoutingRules, add: Add): void {
  const country = e.countryCode;
  if (!country) return;
  const region = regionOf(country, [e.city, e.region], rules.places);
  add(
    {
      kind: 'provider-estimate',
      country,
      ...(region !== undefined && { region }),
      ...(e.city !== undefined && { city: e.city }),
      ...(e.at !== undefined && { at: e.at }),
      evidence: [e.city, e.region, country].filter(Boolean).join(', '),
    },
    e.verified === false ? [['not verified by the provider', rules.discounts.unverifiedEstimate]] : [],
  );
}

function postal(a: Address, rules: RoutingRules, add: Add): void {
  const country: CountryCode | undefined =
    countryOfName(a.country) ?? (a.state !== undefined && a.nonUsaState === undefined ? us() : undefined);
  if (!country) return;
  const region = regionOf(country, [a.city, a.nonUsaState, a.state], rules.places);
  add({
    kind: 'address',
    country,
    ...(region !== undefined && { region }),
    ...(a.city !== undefined && { city: a.city }),
    evidence: [a.city, a.nonUsaState ?? a.state, a.country].filter(Boolean).join(', '),
  });
}

/** CyberTipline's `state` is a US state; an address with one and no country is in the US. */
function us(): CountryCode | undefined {
  return parseCountryCode('US');
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
