import { api, ok } from '../api/client.ts';
import type {
  RawDocument,
  ReferralLinks,
  ReferralView,
  SubjectView,
  SubmissionStatus,
} from '../api/views.ts';

/** GET /referrals/:id: the whole referral for the organisations it was routed into; its status for its source. */
export type ReferralAnswer = ({ readonly access: 'full' } & ReferralView) | SubmissionStatus;

export function referral(id: string): Promise<ReferralAnswer> {
  return ok<ReferralAnswer>(api.GET('/api/v1/referrals/{id}', { params: { path: { id } } }));
}

export function rawDocument(id: string): Promise<RawDocument> {
  return ok<RawDocument>(api.GET('/api/v1/referrals/{id}/raw', { params: { path: { id } } }));
}

export function referralLinks(id: string): Promise<ReferralLinks> {
  return ok<ReferralLinks>(api.GET('/api/v1/referrals/{id}/links', { params: { path: { id } } }));
}

export function subject(id: string): Promise<SubjectView> {
  return ok<SubjectView>(api.GET('/api/v1/subjects/{id}', { params: { path: { id } } }));
}
