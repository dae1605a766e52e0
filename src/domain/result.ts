import type { Problem } from './errors.ts';

/** The value every pipeline stage returns: expected outcomes are values, not exceptions. */
export type StageResult<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'reject'; readonly reason: RejectReason; readonly problems: readonly Problem[] }
  | { readonly kind: 'hold'; readonly value: T; readonly reason: HoldReason; readonly detail: string };

export type RejectReason = 'invalid_report';
/** Held referrals are stored but wait for an analyst. Later stages add reasons (e.g. conflicting jurisdiction). */
export type HoldReason = 'no_recipient' | 'no_location' | 'low_confidence' | 'conflicting_countries';

/** A parse at an edge: the value, or every problem found (not only the first). */
export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly Problem[] };

/** What a service answers: its value, or every problem that stopped it (edges map the codes to statuses). */
export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly Problem[] };
