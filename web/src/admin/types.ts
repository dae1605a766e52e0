/**
 * The administration API's answers, as the server's own types (a change on the server that breaks a screen
 * fails the type check). Only types come from the server: the web bundle never pulls server modules in.
 */
import type { ApiKeyView, UserView } from '../../../src/access/access.service.ts';
import type { AuditEventView } from '../../../src/audit/audit.service.ts';
import type { Role, Scope } from '../../../src/domain/access.ts';
import type { OrganisationKind } from '../../../src/domain/organisation.ts';
import type { Scheme } from '../../../src/hashlists/categories.ts';
import type { HashListFormat, HashListView } from '../../../src/hashlists/hashlists.service.ts';
import type { LexiconFormat, RuleKind } from '../../../src/rules/rules.service.ts';

export type { Organisation, OrganisationKind } from '../../../src/domain/organisation.ts';
export type { ChainVerdict } from '../../../src/store/audit.repo.ts';
export type { RulesView, LexiconView, RuleKind } from '../../../src/rules/rules.service.ts';
export type { ApiKeyView, AuditEventView, HashListView, Role, Scope, UserView };

/** GET lists: `{ items }`. */
export interface Items<T> {
  readonly items: readonly T[];
}

/** POST /api/v1/apikeys: the key itself, shown once. */
export interface CreatedApiKey {
  readonly key: string;
  readonly apiKey: ApiKeyView;
}

/** POST /api/v1/hashlists. */
export interface HashListImported {
  readonly list: HashListView;
  readonly entries: number;
  readonly skipped: number;
  readonly ignored: Readonly<Record<string, number>>;
}

/** GET /api/v1/audit. */
export interface AuditPage {
  readonly items: readonly AuditEventView[];
  readonly next: number | null;
}

/** POST /api/v1/rules/{kind}/validate. */
export interface RulesValid {
  readonly valid: true;
  readonly version: string;
}

/** GET /api/v1/registers. */
export interface RegisterView {
  readonly name: string;
  readonly entries: number;
  readonly importedAt: string;
}

/** The server's lists, restated (checked against its types by `satisfies`). */
export const ROLES = [
  'admin',
  'supervisor',
  'analyst',
  'investigator',
  'auditor',
] as const satisfies readonly Role[];
export const SCOPES = ['submit', 'read'] as const satisfies readonly Scope[];
export const HASHLIST_FORMATS = ['csv', 'vics'] as const satisfies readonly HashListFormat[];
export const SCHEMES = [
  'vics-us',
  'vics-uk',
  'vics-custom',
  'industry',
  'uk',
  'dhs',
] as const satisfies readonly Scheme[];
export const ORGANISATION_KINDS = [
  'provider',
  'referring-centre',
  'hub',
  'national-centre',
  'unit',
] as const satisfies readonly OrganisationKind[];
export const RULE_KINDS = ['routing', 'priority'] as const satisfies readonly RuleKind[];
export const LEXICON_FORMATS = ['csv', 'json'] as const satisfies readonly LexiconFormat[];
