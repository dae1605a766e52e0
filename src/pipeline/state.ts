import type {
  Classification,
  Decision,
  Jurisdiction,
  LocationSignal,
  Priority,
  PriorRecordHit,
} from '../domain/decision.ts';
import type { Instant } from '../domain/ids.ts';
import type { Identifier } from '../domain/identifier.ts';
import type { HashMatch, MediaSummary } from '../domain/media.ts';
import type { Organisation } from '../domain/organisation.ts';
import type { ReferralDocument } from '../domain/referral.ts';
import type { HoldReason } from '../domain/result.ts';

/** What flows from stage to stage: the referral and what has been concluded so far. */
export interface PipelineState {
  readonly document: ReferralDocument;
  readonly source: Organisation;
  readonly receivedAt: Instant;
  readonly identifiers: readonly Identifier[];
  /** Where the evidence places the reported person (enrich stage). */
  readonly signals: readonly LocationSignal[];
  /** Prior-records register entries the reported persons match (link stage). */
  readonly prior: readonly PriorRecordHit[];
  readonly jurisdiction: Jurisdiction | null;
  readonly priority: Priority | null;
  readonly classification: Classification | null;
  readonly matches: readonly HashMatch[];
  readonly media: MediaSummary | null;
  readonly holds: readonly { readonly reason: HoldReason; readonly detail: string }[];
  readonly trace: Decision['trace'];
}

export function initialState(
  document: ReferralDocument,
  source: Organisation,
  receivedAt: Instant,
): PipelineState {
  return {
    document,
    source,
    receivedAt,
    identifiers: [],
    signals: [],
    prior: [],
    jurisdiction: null,
    priority: null,
    classification: null,
    matches: [],
    media: null,
    holds: [],
    trace: [],
  };
}
