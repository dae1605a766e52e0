/**
 * The linking API's answers, as the server's own types (a change on the server that breaks a screen fails
 * the type check). Only types come from the server: the web bundle never pulls server modules in.
 */
import type { SubjectSummary } from '../../../src/linking/subjects.service.ts';
import type { Unlinkable } from '../../../src/linking/keys.ts';
import type { NicknameSuggestion } from '../../../src/linking/nickname.ts';

export type {
  CommunityView,
  DeconflictionNotice,
  EvidenceView,
  SubjectReferral,
  SubjectSummary,
  SubjectView,
} from '../../../src/linking/subjects.service.ts';
export type {
  CytoscapeEdgeData,
  CytoscapeElements,
  CytoscapeNodeData,
  GraphNodeType,
} from '../../../src/linking/graph.ts';
export type { NicknameReason, NicknameSuggestion } from '../../../src/linking/nickname.ts';
export type { PriorHit } from '../../../src/linking/register-index.ts';

/** GET lists: `{ items }`. */
export interface Items<T> {
  readonly items: readonly T[];
}

/** GET /api/v1/subjects: one keyset page. */
export interface SubjectPage {
  readonly items: readonly SubjectSummary[];
  readonly next: string | null;
}

/** GET /api/v1/nicknames. */
export interface TraceAnswer {
  readonly query: string;
  readonly suggestions: readonly NicknameSuggestion[];
}

/** GET /api/v1/referrals/:id/links. */
export interface ReferralLinks {
  readonly referral: string;
  readonly mentions: readonly {
    slot: number;
    subject: SubjectSummary | null;
    unlinkable: readonly Unlinkable[];
  }[];
  readonly tooCommon: readonly { kind: string; value: string }[];
}

/** POST /api/v1/subjects/:id/split. */
export interface SplitAnswer {
  readonly subjects: readonly string[];
}

/** POST /api/v1/subjects/merge and /api/v1/subjects/:id/confirm. */
export interface SubjectAnswer {
  readonly subject: string;
}
