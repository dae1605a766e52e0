/**
 * What the API answers, as the server's own TypeScript types: the generated schema (schema.ts) types the
 * requests; these type the answers, so a change on the server that breaks a screen fails the type check.
 * Every screen takes the server's types from here (types only: the web bundle never pulls server modules in).
 */
export type { ApiKeyView, UserView } from '../../../src/access/access.service.ts';
export type { AuditEventView } from '../../../src/audit/audit.service.ts';
export type { Permission, Role, Scope } from '../../../src/domain/access.ts';
export type { Decision, LocationSignal, Overrides, PriorityLevel } from '../../../src/domain/decision.ts';
export type { Identifier } from '../../../src/domain/identifier.ts';
export type { HashMatch } from '../../../src/domain/media.ts';
export type { Organisation, OrganisationKind } from '../../../src/domain/organisation.ts';
export type {
  Account,
  Address,
  Email,
  EstimatedLocation,
  IpEvent,
  MediaFile,
  Person,
  Phone,
  ReferralDocument,
} from '../../../src/domain/referral.ts';
export type { HoldReason } from '../../../src/domain/result.ts';
export type { Scheme } from '../../../src/hashlists/categories.ts';
export type { HashListFormat, HashListView } from '../../../src/hashlists/hashlists.service.ts';
export type {
  CytoscapeEdgeData,
  CytoscapeElements,
  CytoscapeNodeData,
  GraphNodeType,
} from '../../../src/linking/graph.ts';
export type { Unlinkable } from '../../../src/linking/keys.ts';
export type { NicknameReason, NicknameSuggestion } from '../../../src/linking/nickname.ts';
export type { PriorHit } from '../../../src/linking/register-index.ts';
export type {
  CommunityView,
  DeconflictionNotice,
  EvidenceView,
  SubjectReferral,
  SubjectSummary,
  SubjectView,
} from '../../../src/linking/subjects.service.ts';
export type { DashboardView } from '../../../src/referrals/dashboard.service.ts';
export type {
  RawDocument,
  ReferralSummary,
  ReferralView,
  SubmissionStatus,
} from '../../../src/referrals/referrals.service.ts';
export type { LexiconFormat, LexiconView, RuleKind, RulesView } from '../../../src/rules/rules.service.ts';
export type { ChainVerdict } from '../../../src/store/audit.repo.ts';
export type { QueueItem } from '../../../src/triage/triage.service.ts';

import type { UserView } from '../../../src/access/access.service.ts';
import type { Permission } from '../../../src/domain/access.ts';
import type { Unlinkable } from '../../../src/linking/keys.ts';
import type { SubjectSummary } from '../../../src/linking/subjects.service.ts';

/** GET/POST /api/v1/session. */
export interface SessionAnswer {
  readonly user: UserView;
  readonly permissions: readonly Permission[];
  readonly csrfToken?: string;
}

/** GET lists: `{ items }`. */
export interface Items<T> {
  readonly items: readonly T[];
}

/** GET /api/v1/referrals/:id/links: each reported person's subject, and what could not link. */
export interface ReferralLinks {
  readonly referral: string;
  readonly mentions: readonly {
    readonly slot: number;
    readonly subject: SubjectSummary | null;
    readonly unlinkable: readonly Unlinkable[];
  }[];
  readonly tooCommon: readonly { readonly kind: string; readonly value: string }[];
}
