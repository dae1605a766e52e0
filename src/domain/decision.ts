import type { CountryCode, OrganisationId } from './ids.ts';
import type { Identifier } from './identifier.ts';
import type { HashMatch, MediaSummary } from './media.ts';
import type { HoldReason } from './result.ts';

/** What the pipeline concluded for one referral; stored with it, each part carrying its reasons. */
export interface Decision {
  readonly outcome: 'routed' | 'held';
  readonly hold?: { readonly reason: HoldReason; readonly detail: string };
  readonly jurisdiction: Jurisdiction;
  /** Filled by the prioritisation stage (a later issue); null until then. */
  readonly priority: Priority | null;
  readonly identifiers: readonly Identifier[];
  /** Every match of every file against the hash lists (list, version, entry, distance, category). */
  readonly matches: readonly HashMatch[];
  /** The files at a glance: counts by category, the never-seen ones, low-quality PDQ, suppressed. */
  readonly media: MediaSummary | null;
  /** Each stage that ran, in order, and what it said. */
  readonly trace: readonly {
    readonly stage: string;
    readonly result: 'ok' | 'hold';
    readonly note?: string;
  }[];
}

export interface Jurisdiction {
  readonly country: CountryCode | null;
  readonly region: string | null;
  readonly recipientOrgId: OrganisationId | null;
  readonly confidence: number;
  readonly reasons: readonly string[];
}

export interface Priority {
  readonly level: 'E' | '1' | '2' | '3';
  readonly score: number;
  readonly factors: readonly { readonly factor: string; readonly points: number; readonly reason: string }[];
}
