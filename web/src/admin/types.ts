/** The administration API's own answer shapes, and the server's lists restated for the forms. */
import type {
  ApiKeyView,
  AuditEventView,
  HashListFormat,
  HashListView,
  LexiconFormat,
  OrganisationKind,
  Role,
  RuleKind,
  Scheme,
  Scope,
} from '../api/views.ts';

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
