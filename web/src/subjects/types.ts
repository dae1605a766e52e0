/** The linking API's own answer shapes (the server's types themselves come from api/views.ts). */
import type { NicknameSuggestion, SubjectSummary } from '../api/views.ts';

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

/** POST /api/v1/subjects/:id/split. */
export interface SplitAnswer {
  readonly subjects: readonly string[];
}

/** POST /api/v1/subjects/merge and /api/v1/subjects/:id/confirm. */
export interface SubjectAnswer {
  readonly subject: string;
}
