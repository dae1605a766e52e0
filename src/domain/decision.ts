import type { CountryCode, Instant, OrganisationId } from './ids.ts';
import type { Identifier } from './identifier.ts';
import type { HashMatch, MediaSummary } from './media.ts';
import type { HoldReason } from './result.ts';

/** What the pipeline concluded for one referral; stored with it, each part carrying its reasons. */
export interface Decision {
  readonly outcome: 'routed' | 'held';
  readonly hold?: { readonly reason: HoldReason; readonly detail: string };
  readonly jurisdiction: Jurisdiction;
  readonly priority: Priority | null;
  /** Actionable referrals enter the triage queue; informational ones are kept and searchable only. */
  readonly classification: Classification;
  readonly identifiers: readonly Identifier[];
  /** Every match of every file against the hash lists (list, version, entry, distance, category). */
  readonly matches: readonly HashMatch[];
  /** The files at a glance: counts by category, the never-seen ones, low-quality PDQ, suppressed. */
  readonly media: MediaSummary | null;
  /** Entries of a prior-records register the reported persons match (the link stage); absent when none. */
  readonly prior?: readonly PriorRecordHit[];
  /** Each stage that ran, in order, and what it said. */
  readonly trace: readonly {
    readonly stage: string;
    readonly result: 'ok' | 'hold';
    readonly note?: string;
  }[];
}

/** A register entry (known offender or known account) that a referral or subject matches, and why. */
export interface PriorRecordHit {
  readonly register: string;
  readonly reference: string;
  readonly label: string | null;
  readonly since: string | null;
  readonly kind: string;
  readonly value: string;
  readonly reason: string;
}

export const LOCATION_SIGNAL_KINDS = [
  'ip',
  'phone',
  'provider-estimate',
  'address',
  'cctld',
  'legal-process',
  'source-hint',
] as const;
export type LocationSignalKind = (typeof LOCATION_SIGNAL_KINDS)[number];

/** One hint of where the reported person is, with the weight it carries after discounts. */
export interface LocationSignal {
  readonly kind: LocationSignalKind;
  readonly country: CountryCode;
  /** ISO 3166-2 subdivision (`IT-62`) when the evidence names one. */
  readonly region?: string;
  readonly city?: string;
  readonly weight: number;
  /** When the evidence was captured (an IP event's time, an estimate's time). */
  readonly at?: Instant;
  /** The value it came from, as an analyst would recognise it (`198.51.100.7 Login`, `+39 06 …`). */
  readonly evidence: string;
  /** Why the weight is lower than the kind's base weight (`possible proxy ×0.2`). */
  readonly discounts?: readonly string[];
}

export interface Jurisdiction {
  readonly country: CountryCode | null;
  readonly region: string | null;
  readonly recipientOrgId: OrganisationId | null;
  /** 0–1: the leading country's share of all the evidence, damped when there is little of it. */
  readonly confidence: number;
  /** In plain words, strongest first: "3 of 4 IP logins in IT", "phone +39 (IT, mobile)". */
  readonly reasons: readonly string[];
  /** Every signal considered, for the analyst who wants to see the arithmetic. */
  readonly signals: readonly LocationSignal[];
  /** Each country's total weight, largest first: shown when countries conflict. */
  readonly candidates: readonly { readonly country: CountryCode; readonly weight: number }[];
  /** The routing rules' version that decided it. */
  readonly rulesVersion: string | null;
}

export const PRIORITY_LEVELS = ['E', '1', '2', '3'] as const;
export type PriorityLevel = (typeof PRIORITY_LEVELS)[number];

/** An indicator-lexicon term found in the referral: the list, the term and the field, never the text around it. */
export interface IndicatorHit {
  readonly list: string;
  readonly term: string;
  readonly weight: number;
  /** Which kind of text it was found in. */
  readonly field: IndicatorField;
}
export const INDICATOR_FIELDS = ['text', 'chat', 'file-name', 'screen-name', 'group-name'] as const;
export type IndicatorField = (typeof INDICATOR_FIELDS)[number];

export interface PriorityFactor {
  /** The rule's id in the priority rules file. */
  readonly factor: string;
  readonly points: number;
  /** The level this factor alone guarantees (an escalation is `E` whatever the score). */
  readonly floor?: PriorityLevel;
  readonly reason: string;
}

export interface Priority {
  readonly level: PriorityLevel;
  readonly score: number;
  readonly factors: readonly PriorityFactor[];
  readonly indicators: readonly IndicatorHit[];
  readonly rulesVersion: string;
}

export interface Classification {
  readonly kind: 'actionable' | 'informational';
  readonly reasons: readonly string[];
}

/** An analyst's overrides of a decision: kept across re-routing, each with who, when and why. */
export interface Overrides {
  readonly priority?: {
    readonly level: PriorityLevel;
    readonly previous: PriorityLevel | null;
    readonly reason: string;
    readonly by: string;
    readonly at: Instant;
  };
  readonly recipient?: {
    readonly orgId: OrganisationId;
    readonly previous: OrganisationId | null;
    readonly reason: string;
    readonly by: string;
    readonly at: Instant;
  };
}
