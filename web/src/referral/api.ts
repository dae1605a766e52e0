import { api, ok } from '../api/client.ts';
import type { ReferralView } from '../api/views.ts';
import type { SubjectSummary, SubjectView } from '../../../src/linking/subjects.service.ts';
import type { Unlinkable } from '../../../src/linking/keys.ts';
import type { RawDocument, SubmissionStatus } from '../../../src/referrals/referrals.service.ts';

export type { SubjectView } from '../../../src/linking/subjects.service.ts';
export type { Unlinkable } from '../../../src/linking/keys.ts';
export type { RawDocument } from '../../../src/referrals/referrals.service.ts';

/** GET /referrals/:id: the whole referral for the organisations it was routed into; its status for its source. */
export type ReferralAnswer = ({ readonly access: 'full' } & ReferralView) | SubmissionStatus;

export function referral(id: string): Promise<ReferralAnswer> {
  return ok<ReferralAnswer>(api.GET('/api/v1/referrals/{id}', { params: { path: { id } } }));
}

export function rawDocument(id: string): Promise<RawDocument> {
  return ok<RawDocument>(api.GET('/api/v1/referrals/{id}/raw', { params: { path: { id } } }));
}

/** GET /referrals/:id/links: each reported person's subject, and what could not link. */
export interface ReferralLinks {
  readonly referral: string;
  readonly mentions: readonly {
    readonly slot: number;
    readonly subject: SubjectSummary | null;
    readonly unlinkable: readonly Unlinkable[];
  }[];
  readonly tooCommon: readonly { readonly kind: string; readonly value: string }[];
}

export function referralLinks(id: string): Promise<ReferralLinks> {
  return ok<ReferralLinks>(api.GET('/api/v1/referrals/{id}/links', { params: { path: { id } } }));
}

export function subject(id: string): Promise<SubjectView> {
  return ok<SubjectView>(api.GET('/api/v1/subjects/{id}', { params: { path: { id } } }));
}
