import type { Outcome } from '../domain/result.ts';
import { createHash } from 'node:crypto';
import { actorOf, can, orgOf, type Permission, type RequestContext } from '../domain/access.ts';
import { problem, type Problem } from '../domain/errors.ts';
import type { Instant } from '../domain/ids.ts';
import { receivesReferrals, type Organisation } from '../domain/organisation.ts';
import type { Parsed } from '../domain/result.ts';
import type { RoutingRules } from '../domain/rules.ts';
import { compileLexicons, parseLexicon, type Lexicon } from '../pipeline/priority/lexicon.ts';
import {
  loadDefaultPriorityRules,
  parsePriorityRules,
  type PriorityRules,
} from '../pipeline/priority/rules.ts';
import type { RulesSnapshot } from '../pipeline/ports.ts';
import { auditEvent, auditedWrite, recordAudit } from '../store/audit.repo.ts';
import type { Database } from '../store/db.ts';
import { listOrganisations } from '../store/organisations.repo.ts';
import { appendRuleSet, currentRuleSets, ruleSetsSignature, type RuleSetRow } from '../store/rules.repo.ts';
import { loadDefaultRoutingRules, parseRoutingRules } from './routing-rules.ts';

export const RULE_KINDS = ['routing', 'priority'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];
export const LEXICON_FORMATS = ['csv', 'json'] as const;
export type LexiconFormat = (typeof LEXICON_FORMATS)[number];

export interface RulesView {
  readonly kind: RuleKind;
  /** The file's own version string. */
  readonly version: string;
  /** `default`: the file shipped with Conduit; `loaded`: an agency's, stored in the database. */
  readonly source: 'default' | 'loaded';
  readonly revision: number | null;
  readonly loadedAt: string | null;
  readonly loadedBy: string | null;
  readonly document: RoutingRules | PriorityRules;
}

export interface LexiconView {
  readonly name: string;
  readonly revision: number;
  readonly terms: number;
  readonly loadedAt: string;
  readonly loadedBy: string;
}

export interface RulesService {
  /** What the pipeline reads: the rules and lexicons in force, compiled once per change. */
  readonly snapshot: () => RulesSnapshot;
  /** The organisation tree as of the last reload (the pipeline is synchronous; the tree changes rarely). */
  readonly organisations: () => readonly Organisation[];
  readonly reload: () => Promise<void>;
  /** Reloads when another process changed rules or organisations: for a poll. */
  reloadIfChanged(): Promise<boolean>;
  show(kind: RuleKind, ctx: RequestContext): Promise<Outcome<RulesView>>;
  /** Checks a rules document without loading it. */
  validate(kind: RuleKind, document: unknown): Parsed<RoutingRules | PriorityRules>;
  /** Validates and stores a new revision; it is in force for every referral decided after. Audited. */
  load(kind: RuleKind, document: unknown, ctx: RequestContext): Promise<Outcome<RulesView>>;
  lexicons(ctx: RequestContext): Promise<Outcome<readonly LexiconView[]>>;
  importLexicon(
    name: string,
    text: string,
    format: LexiconFormat,
    ctx: RequestContext,
  ): Promise<Outcome<LexiconView>>;
  removeLexicon(name: string, ctx: RequestContext): Promise<Outcome<{ readonly name: string }>>;
}

const LEXICON_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** The rules shipped with Conduit (`config/*.rules.json`) and no lexicons: what a fresh instance decides by. */
export function shippedRules(): RulesSnapshot {
  return {
    routing: loadDefaultRoutingRules(),
    priority: loadDefaultPriorityRules(),
    lexicon: compileLexicons([]),
  };
}

export function createRulesService(deps: {
  readonly database: Database;
  readonly clock: { now(): Instant };
  readonly newId: () => string;
  /** The instance's receiving organisation: its people set the rules every referral is decided by. */
  readonly receivingSlug: string;
}): RulesService {
  const { database, clock, newId } = deps;
  const db = database.db;
  const defaults = shippedRules();
  let state: {
    snapshot: RulesSnapshot;
    organisations: readonly Organisation[];
    rows: readonly RuleSetRow[];
    signature: string;
  } = {
    snapshot: defaults,
    organisations: [],
    rows: [],
    signature: '',
  };

  async function signature(): Promise<string> {
    const orgs = await db
      .selectFrom('organisations')
      .select((eb) => [eb.fn.countAll<number | string>().as('n')])
      .executeTakeFirstOrThrow();
    return `${await ruleSetsSignature(db)}/${orgs.n}`;
  }

  async function reload(): Promise<void> {
    const sig = await signature();
    const rows = await currentRuleSets(db);
    const organisations = await listOrganisations(db);
    const stored = (kind: RuleKind) => rows.find((r) => r.kind === kind && r.document !== null);
    const routingRow = stored('routing');
    const priorityRow = stored('priority');
    const routing = routingRow ? parseRoutingRules(JSON.parse(routingRow.document ?? 'null')) : undefined;
    const priority = priorityRow ? parsePriorityRules(JSON.parse(priorityRow.document ?? 'null')) : undefined;
    const lexicons: Lexicon[] = [];
    for (const r of rows) {
      if (r.kind !== 'lexicon' || r.document === null) continue;
      const parsed = parseLexicon(r.name, r.document, 'json');
      if (parsed.ok) lexicons.push(parsed.value);
    }
    state = {
      snapshot: {
        // What was stored was validated on the way in; a row that no longer parses (rules format changed)
        // falls back to the shipped rules rather than stopping intake.
        routing: routing?.ok ? routing.value : defaults.routing,
        priority: priority?.ok ? priority.value : defaults.priority,
        lexicon: compileLexicons(lexicons),
      },
      organisations,
      rows,
      signature: sig,
    };
  }

  /** A refusal, recorded like the edge's own (`access.denied`): a known principal probing the rules. */
  const denied = async (ctx: RequestContext, what: string): Promise<{ ok: false; problems: Problem[] }> => {
    await recordAudit(db, [
      auditEvent(ctx, clock.now(), {
        action: 'access.denied',
        objectType: 'rule_set',
        objectId: null,
        details: { reason: `cannot ${what}` },
        outcome: 'denied',
      }),
    ]);
    return refusal(what);
  };
  const refusal = (what: string): { ok: false; problems: Problem[] } => ({
    ok: false,
    problems: [
      problem(
        'forbidden',
        '',
        `you cannot ${what}: the receiving organisation sets the rules, and organisations that receive referrals read them`,
      ),
    ],
  });
  /**
   * The rules decide for the whole instance, so only the receiving organisation's people change them, and
   * only organisations that receive referrals read them: a source must not learn how to stay low-priority.
   */
  const allowed = (ctx: RequestContext, p: Permission) => {
    if (!can(ctx.principal, p)) return false;
    const own = orgOf(ctx.principal);
    if (own === null) return true;
    const org = state.organisations.find((o) => o.id === own);
    if (!org) return false;
    return p === 'rules.write' ? org.slug === deps.receivingSlug : receivesReferrals(org.kind);
  };

  function view(kind: RuleKind): RulesView {
    const row = state.rows.find((r) => r.kind === kind && r.document !== null);
    return {
      kind,
      version: state.snapshot[kind].version,
      source: row ? 'loaded' : 'default',
      revision: row?.version ?? null,
      loadedAt: row?.created_at ?? null,
      loadedBy: row?.created_by ?? null,
      document: state.snapshot[kind],
    };
  }

  function lexiconViews(): LexiconView[] {
    return state.rows
      .filter((r) => r.kind === 'lexicon' && r.document !== null)
      .map((r) => ({
        name: r.name,
        revision: r.version,
        terms: state.snapshot.lexicon.lists.find((l) => l.name === r.name)?.terms ?? 0,
        loadedAt: r.created_at,
        loadedBy: r.created_by,
      }));
  }

  function validate(kind: RuleKind, document: unknown): Parsed<RoutingRules | PriorityRules> {
    switch (kind) {
      case 'routing':
        return parseRoutingRules(document);
      case 'priority':
        return parsePriorityRules(document);
    }
  }

  async function append(
    kind: RuleSetRow['kind'],
    name: string,
    label: string | null,
    document: string | null,
    ctx: RequestContext,
    details: Record<string, unknown>,
  ): Promise<RuleSetRow> {
    const at = clock.now();
    const row = await auditedWrite(db, async (trx) => {
      const stored = await appendRuleSet(trx, {
        id: newId(),
        kind,
        name,
        label,
        document,
        sha256: createHash('sha256')
          .update(document ?? '')
          .digest('hex'),
        created_at: at,
        created_by: actorOf(ctx.principal),
      });
      return {
        value: stored,
        events: [
          auditEvent(ctx, at, {
            action: document === null ? `${kind}.remove` : `${kind}.load`,
            objectType: 'rule_set',
            objectId: stored.id,
            details: { name, revision: stored.version, sha256: stored.sha256, ...details },
          }),
        ],
      };
    });
    await reload();
    return row;
  }

  return {
    snapshot: () => state.snapshot,
    organisations: () => state.organisations,
    reload,
    async reloadIfChanged() {
      if ((await signature()) === state.signature) return false;
      await reload();
      return true;
    },
    async show(kind, ctx) {
      if (!allowed(ctx, 'rules.read')) return denied(ctx, 'read the rules');
      const at = clock.now();
      await recordAudit(db, [
        auditEvent(ctx, at, {
          action: 'rules.read',
          objectType: 'rule_set',
          objectId: null,
          details: { kind },
        }),
      ]);
      return { ok: true, value: view(kind) };
    },
    validate,
    async load(kind, document, ctx) {
      if (!allowed(ctx, 'rules.write')) return denied(ctx, 'load rules');
      const parsed = validate(kind, document);
      if (!parsed.ok) return parsed;
      await append(kind, 'default', parsed.value.version, JSON.stringify(parsed.value), ctx, {
        version: parsed.value.version,
      });
      return { ok: true, value: view(kind) };
    },
    async lexicons(ctx) {
      if (!allowed(ctx, 'rules.read')) return denied(ctx, 'read the lexicons');
      await recordAudit(db, [
        auditEvent(ctx, clock.now(), { action: 'lexicon.list', objectType: 'rule_set', objectId: null }),
      ]);
      return { ok: true, value: lexiconViews() };
    },
    async importLexicon(name, text, format, ctx) {
      if (!allowed(ctx, 'rules.write')) return denied(ctx, 'load lexicons');
      if (!LEXICON_NAME.test(name))
        return {
          ok: false,
          problems: [problem('invalid_value', 'name', 'a lexicon name: lower-case letters, digits, . _ -')],
        };
      const parsed = parseLexicon(name, text, format);
      if (!parsed.ok) return parsed;
      await append('lexicon', name, null, JSON.stringify(parsed.value), ctx, {
        terms: parsed.value.terms.length,
      });
      const v = lexiconViews().find((l) => l.name === name);
      return v
        ? { ok: true, value: v }
        : { ok: false, problems: [problem('conflict', 'name', 'not stored')] };
    },
    async removeLexicon(name, ctx) {
      if (!allowed(ctx, 'rules.write')) return denied(ctx, 'remove lexicons');
      if (!lexiconViews().some((l) => l.name === name))
        return { ok: false, problems: [problem('not_found', 'name', `no lexicon ${name}`)] };
      await append('lexicon', name, null, null, ctx, {});
      return { ok: true, value: { name } };
    },
  };
}
