import type { Jurisdiction, LocationSignal, LocationSignalKind } from '../../domain/decision.ts';
import type { CountryCode } from '../../domain/ids.ts';
import { receivesReferrals, subtreeOf, type Organisation } from '../../domain/organisation.ts';
import type { HoldReason, StageResult } from '../../domain/result.ts';
import type { RoutingRules } from '../../domain/rules.ts';
import type { Ports } from '../ports.ts';
import type { PipelineState } from '../state.ts';

/**
 * Combines the location signals into a country (and a region where the evidence agrees on one) with a
 * confidence, then sends the referral to the most specific organisation that covers it. Below the
 * confidence threshold, with conflicting countries, or with nothing to go on, it is held for manual triage
 * at the receiving organisation, with the candidates shown.
 */
export function routeStage(ports: Pick<Ports, 'routing' | 'rules'>) {
  return function route(state: PipelineState): StageResult<PipelineState> {
    const rules = ports.rules().routing;
    const receiving = ports.routing.receivingOrganisation();
    const verdict = decide(state.signals, rules);
    const base = {
      country: verdict.country,
      region: verdict.region,
      confidence: verdict.confidence,
      signals: state.signals,
      candidates: verdict.candidates,
      rulesVersion: rules.version,
    };
    const hold = (reason: HoldReason, detail: string, recipient: Organisation | undefined) => ({
      kind: 'hold' as const,
      reason,
      detail,
      value: {
        ...state,
        jurisdiction: {
          ...base,
          recipientOrgId: recipient?.id ?? null,
          reasons: [detail, ...verdict.reasons],
        } satisfies Jurisdiction,
      },
    });
    if (!receiving) return hold('no_recipient', 'no receiving organisation is configured', undefined);
    if (verdict.hold) return hold(verdict.hold.reason, verdict.hold.detail, receiving);

    const country = verdict.country;
    const target = country
      ? coverage(ports.routing.organisations(), receiving).find(country, verdict.region)
      : undefined;
    const recipient = target?.org ?? receiving;
    const why = target
      ? `routed to ${recipient.slug}: it covers ${target.covers}`
      : `no organisation covers ${country ?? 'the country'}: kept at ${recipient.slug} for onward referral`;
    return {
      kind: 'ok',
      value: {
        ...state,
        jurisdiction: { ...base, recipientOrgId: recipient.id, reasons: [why, ...verdict.reasons] },
      },
    };
  };
}

interface Verdict {
  readonly country: CountryCode | null;
  readonly region: string | null;
  readonly confidence: number;
  readonly candidates: Jurisdiction['candidates'];
  readonly reasons: string[];
  readonly hold?: { readonly reason: HoldReason; readonly detail: string };
}

/** The arithmetic of a jurisdiction, kept apart from the organisation tree so it can be read on its own. */
export function decide(signals: readonly LocationSignal[], rules: RoutingRules): Verdict {
  const byCountry = new Map<CountryCode, number>();
  let total = 0;
  for (const s of signals) {
    byCountry.set(s.country, (byCountry.get(s.country) ?? 0) + s.weight);
    total += s.weight;
  }
  const candidates = [...byCountry]
    .map(([country, weight]) => ({ country, weight: round(weight) }))
    .sort((a, b) => b.weight - a.weight || (a.country < b.country ? -1 : 1));
  const [first, second] = candidates;
  if (!first) {
    return {
      country: null,
      region: null,
      confidence: 0,
      candidates,
      reasons: [],
      hold: { reason: 'no_location', detail: 'nothing in the referral locates the reported person' },
    };
  }
  // Guarded: with a prior of 0 and only weightless evidence the share is 0/0.
  const confidence = total + rules.prior > 0 ? round(first.weight / (total + rules.prior)) : 0;
  const reasons = explain(signals, first.country);
  const region = leadingRegion(signals, first.country, rules.minRegionShare);
  const verdict = { country: first.country, region, confidence, candidates, reasons };
  if (second && second.weight >= first.weight * rules.conflictRatio) {
    const list = candidates.map((c) => `${c.country} ${c.weight}`).join(' vs ');
    return {
      ...verdict,
      hold: { reason: 'conflicting_countries', detail: `countries conflict: ${list}` },
    };
  }
  if (confidence < rules.minConfidence) {
    return {
      ...verdict,
      hold: {
        reason: 'low_confidence',
        detail: `confidence ${confidence} in ${first.country} is below ${rules.minConfidence}`,
      },
    };
  }
  return { ...verdict, reasons: [...reasons, `confidence ${confidence} in ${first.country}`] };
}

/**
 * The region most of the region-naming evidence in the country agrees on. Signals that name no region (a
 * country-level IP database, a phone number) are silent about it, not against it.
 */
function leadingRegion(
  signals: readonly LocationSignal[],
  country: CountryCode,
  minShare: number,
): string | null {
  const byRegion = new Map<string, number>();
  let named = 0;
  for (const s of signals) {
    if (s.country !== country || s.region === undefined) continue;
    byRegion.set(s.region, (byRegion.get(s.region) ?? 0) + s.weight);
    named += s.weight;
  }
  let best: [string, number] | undefined;
  for (const entry of byRegion) if (!best || entry[1] > best[1]) best = entry;
  return best && best[1] >= named * minShare ? best[0] : null;
}

const KIND_WORDS: Readonly<Record<LocationSignalKind, string>> = {
  ip: 'IP addresses',
  phone: 'phone numbers',
  'provider-estimate': 'provider estimates',
  address: 'postal addresses',
  cctld: 'country-code domains',
  'legal-process': 'legal process served',
  'source-hint': "the source's country hints",
};

/** One line per kind of evidence, strongest kind first: "3 of 4 IP addresses in IT (198.51.100.7, …)". */
function explain(signals: readonly LocationSignal[], country: CountryCode): string[] {
  const kinds = new Map<LocationSignalKind, LocationSignal[]>();
  for (const s of signals) kinds.set(s.kind, [...(kinds.get(s.kind) ?? []), s]);
  return [...kinds]
    .map(([kind, list]) => {
      const here = list.filter((s) => s.country === country);
      const weight = here.reduce((w, s) => w + s.weight, 0);
      const elsewhere = [...new Set(list.filter((s) => s.country !== country).map((s) => s.country))];
      const places = [...new Set(here.map((s) => s.city ?? s.region).filter((p) => p !== undefined))];
      const line =
        `${here.length} of ${list.length} ${KIND_WORDS[kind]} in ${country}` +
        (places.length > 0 ? ` (${places.slice(0, 3).join(', ')})` : '') +
        (elsewhere.length > 0 ? `; others in ${elsewhere.join(', ')}` : '') +
        ` — weight ${round(weight)}`;
      return { line, weight };
    })
    .sort((a, b) => b.weight - a.weight)
    .map((x) => x.line);
}

/**
 * Who covers what, below the receiving organisation: for each code (`IT`, `IT-62`) the organisation that
 * covers it most specifically — deepest in the tree, then by slug. Built once per organisation list (the
 * list is replaced whole when it changes), so routing a referral is two map lookups.
 */
interface Coverage {
  find(country: CountryCode, region: string | null): { org: Organisation; covers: string } | undefined;
}
const coverages = new WeakMap<readonly Organisation[], Map<string, Coverage>>();

function coverage(organisations: readonly Organisation[], receiving: Organisation): Coverage {
  let byRoot = coverages.get(organisations);
  if (!byRoot) {
    byRoot = new Map();
    coverages.set(organisations, byRoot);
  }
  const cached = byRoot.get(receiving.id);
  if (cached) return cached;
  const byId = new Map(organisations.map((o) => [o.id, o]));
  const depth = (o: Organisation): number => {
    let d = 0;
    for (let p = o.parentId; p !== null && d < organisations.length; p = byId.get(p)?.parentId ?? null) d++;
    return d;
  };
  const tree = subtreeOf(organisations, receiving.id);
  const best = new Map<string, Organisation>();
  for (const o of organisations) {
    if (!tree.has(o.id) || !receivesReferrals(o.kind)) continue;
    for (const code of o.covers) {
      const held = best.get(code);
      if (!held || depth(o) > depth(held) || (depth(o) === depth(held) && o.slug < held.slug))
        best.set(code, o);
    }
  }
  const result: Coverage = {
    find(country, region) {
      for (const code of region ? [region, country] : [country]) {
        const org = best.get(code);
        if (org) return { org, covers: code };
      }
      return undefined;
    },
  };
  byRoot.set(receiving.id, result);
  return result;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
