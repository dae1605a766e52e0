/**
 * What the API answers, as the server's own TypeScript types: the generated schema (schema.ts) types the
 * requests; these type the answers, so a change on the server that breaks a screen fails the type check.
 */
export type { UserView, ApiKeyView } from '../../../src/access/access.service.ts';
export type { Permission, Role } from '../../../src/domain/access.ts';
export type { ReferralView, ReferralSummary } from '../../../src/referrals/referrals.service.ts';

import type { UserView } from '../../../src/access/access.service.ts';
import type { Permission } from '../../../src/domain/access.ts';

/** GET/POST /api/v1/session. */
export interface SessionAnswer {
  readonly user: UserView;
  readonly permissions: readonly Permission[];
  readonly csrfToken?: string;
}
