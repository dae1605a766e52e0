import { actorOf, can, orgOf, type Permission, type RequestContext } from '../domain/access.ts';
import { PRIORITY_LEVELS, type Decision, type Overrides, type PriorityLevel } from '../domain/decision.ts';
import { problem, type Problem } from '../domain/errors.ts';
import type { Instant, OrganisationId } from '../domain/ids.ts';
import { subtreeOf, type Organisation } from '../domain/organisation.ts';
import type { ReferralDocument } from '../domain/referral.ts';
import type { HoldReason } from '../domain/result.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import { auditEvent, auditedWrite, recordAudit, type AuditEntry } from '../store/audit.repo.ts';
import type { Database } from '../store/db.ts';
import {
  effectiveColumns,
  getReferral,
  pageQueue,
  pageReferrals,
  priorityRank,
  replaceDecision,
  updateTriage,
  type QueueCursor,
  type ReferralRow,
  type TriageUpdate,
} from '../store/referrals.repo.ts';

export interface QueueQuery {
  /** Whose queue (an organisation's slug); the caller's own by default. */
  readonly org?: string;
  readonly levels?: readonly PriorityLevel[];
  readonly country?: string;
  /** `pending` (the default), `accepted`, or `all`. */
  readonly status?: 'pending' | 'accepted' | 'all';
  readonly hasMatches?: boolean;
  readonly held?: boolean;
  /** Informational referrals stay out of the queue unless asked for. */
  readonly classification?: 'actionable' | 'informational' | 'all';
  readonly after?: string;
  readonly limit: number;
}

export interface QueueItem {
  readonly id: string;
  readonly sourceRef: string;
  readonly source: string;
  readonly receivedAt: string;
  readonly incidentType: string;
  readonly incidentAt: string;
  readonly recipient: string | null;
  readonly held: boolean;
  readonly hold: { readonly reason: HoldReason; readonly detail: string } | null;
  readonly triage: 'pending' | 'accepted';
  readonly classification: 'actionable' | 'informational';
  readonly priority: {
    readonly level: PriorityLevel;
    readonly score: number | null;
    readonly overridden: boolean;
  } | null;
  readonly jurisdiction: {
    readonly country: string | null;
    readonly region: string | null;
    readonly confidence: number | null;
  };
  readonly media: { readonly files: number; readonly matched: number; readonly unknown: number } | null;
}

export interface RerouteSummary {
  readonly examined: number;
  readonly changed: number;
  readonly held: number;
  readonly skipped: number;
}

export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly Problem[] };

export interface TriageService {
  /** A page of an organisation's queue, by priority then age; an audited read naming every id shown. */
  queue(q: QueueQuery, ctx: RequestContext): Promise<Outcome<{ items: QueueItem[]; next: string | null }>>;
  /** The organisation it was routed to takes it on (a held one becomes routed there). */
  accept(id: string, ctx: RequestContext): Promise<Outcome<QueueItem>>;
  /** Sends it to another organisation, with a reason; kept as an override across re-routing. */
  reassign(id: string, to: string, reason: string, ctx: RequestContext): Promise<Outcome<QueueItem>>;
  overridePriority(
    id: string,
    level: PriorityLevel,
    reason: string,
    ctx: RequestContext,
  ): Promise<Outcome<QueueItem>>;
  /**
   * Decides again, with the rules and organisation tree in force, every referral in the caller's reach that
   * is not yet accepted (held ones only, if asked). Overrides stay. Each change is audited.
   */
  reroute(opts: { readonly heldOnly?: boolean }, ctx: RequestContext): Promise<Outcome<RerouteSummary>>;
}

/** Organisations that receive referrals; a source is never one. */
const RECIPIENT_KINDS: ReadonlySet<Organisation['kind']> = new Set(['hub', 'national-centre', 'unit']);
const MAX_REASON = 1000;

export function createTriageService(deps: {
  readonly database: Database;
  readonly organisations: { list(): Promise<readonly Organisation[]> };
  readonly pipeline: Pipeline;
  readonly clock: { now(): Instant };
}): TriageService {
  const { database, organisations, pipeline, clock } = deps;
  const db = database.db;
  const fail = (code: Problem['code'], path: string, message: string) => ({
    ok: false as const,
    problems: [problem(code, path, message)],
  });
  const notFound = () => fail('not_found', 'id', 'no such referral');

  /** The organisations the principal acts for: its own and those below it; all for an operator. */
  async function reach(ctx: RequestContext): Promise<ReadonlySet<string> | undefined> {
    const own = orgOf(ctx.principal);
    return own === null ? undefined : subtreeOf(await organisations.list(), own);
  }
  const allowed = (ctx: RequestContext, p: Permission) => can(ctx.principal, p);

  function item(r: ReferralRow, names: ReadonlyMap<string, string>): QueueItem {
    const decision = r.decision === null ? null : (JSON.parse(r.decision) as Omit<Decision, 'identifiers'>);
    const overrides = r.overrides === null ? {} : (JSON.parse(r.overrides) as Overrides);
    const media = decision?.media;
    return {
      id: r.id,
      sourceRef: r.sourceRef,
      source: names.get(r.sourceOrgId) ?? r.sourceOrgId,
      receivedAt: r.receivedAt,
      incidentType: r.incidentType,
      incidentAt: r.incidentAt,
      recipient: r.recipientOrgId && (names.get(r.recipientOrgId) ?? r.recipientOrgId),
      held: r.status === 'held',
      hold: r.status === 'held' ? (decision?.hold ?? null) : null,
      triage: r.triage === 'accepted' ? 'accepted' : 'pending',
      classification: r.classification === 'informational' ? 'informational' : 'actionable',
      priority:
        r.priorityLevel === null
          ? null
          : {
              level: r.priorityLevel as PriorityLevel,
              score: r.priorityScore,
              overridden: overrides.priority !== undefined,
            },
      jurisdiction: { country: r.country, region: r.region, confidence: r.confidence },
      media: media ? { files: media.files, matched: media.matched, unknown: media.unknown.length } : null,
    };
  }

  async function names(): Promise<Map<string, string>> {
    return new Map((await organisations.list()).map((o) => [o.id, o.slug]));
  }

  /** A referral the principal may act on (routed into its reach), or undefined as if absent. */
  async function actionable(id: string, ctx: RequestContext): Promise<ReferralRow | undefined> {
    const row = await getReferral(db, id);
    if (!row || row.recipientOrgId === null) return undefined;
    const r = await reach(ctx);
    return r === undefined || r.has(row.recipientOrgId) ? row : undefined;
  }

  /** Applies one action and its audit event together, then answers with the referral as it now is. */
  async function act(row: ReferralRow, set: TriageUpdate, event: AuditEntry): Promise<Outcome<QueueItem>> {
    await auditedWrite(db, async (trx) => {
      await updateTriage(trx, row.id, set);
      return { value: undefined, events: [event] };
    });
    const after = await getReferral(db, row.id);
    return after ? { ok: true, value: item(after, await names()) } : notFound();
  }

  function reasonProblem(reason: string): Outcome<never> | undefined {
    const r = reason.trim();
    if (r.length === 0) return fail('invalid_value', 'reason', 'say why (it is kept with the decision)');
    if (r.length > MAX_REASON) return fail('invalid_value', 'reason', `at most ${MAX_REASON} characters`);
    return undefined;
  }

  const parseCursor = (s: string): QueueCursor | undefined => {
    try {
      const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
      if (
        Array.isArray(v) &&
        v.length === 3 &&
        typeof v[0] === 'number' &&
        typeof v[1] === 'string' &&
        typeof v[2] === 'string'
      )
        return { rank: v[0], receivedAt: v[1], id: v[2] };
    } catch {
      // fall through: a cursor that is not ours
    }
    return undefined;
  };
  const cursorOf = (r: ReferralRow): string =>
    Buffer.from(JSON.stringify([r.priorityRank, r.receivedAt, r.id])).toString('base64url');

  return {
    async queue(q, ctx) {
      if (!allowed(ctx, 'referral.read')) return fail('forbidden', '', 'your role cannot read referrals');
      const all = await organisations.list();
      const own = orgOf(ctx.principal);
      const slug = q.org ?? all.find((o) => o.id === own)?.slug;
      if (slug === undefined) return fail('bad_request', 'org', 'name the organisation whose queue to read');
      const target = all.find((o) => o.slug === slug);
      const r = await reach(ctx);
      // An organisation outside the caller's reach is answered like one that does not exist.
      if (!target || (r !== undefined && !r.has(target.id)))
        return fail('unknown_organisation', 'org', `no organisation ${slug} in your reach`);
      let after: QueueCursor | undefined;
      if (q.after !== undefined) {
        after = parseCursor(q.after);
        if (!after) return fail('bad_request', 'after', 'not a cursor this queue gave out');
      }
      const classification = q.classification ?? 'actionable';
      const status = q.status ?? 'pending';
      const rows = await pageQueue(
        db,
        {
          recipientOrgId: target.id,
          ...(classification !== 'all' && { classification }),
          ...(status !== 'all' && { triage: status }),
          ...(q.levels && { ranks: q.levels.map((l) => priorityRank(l)) }),
          ...(q.country !== undefined && { country: q.country }),
          ...(q.hasMatches !== undefined && { hasMatches: q.hasMatches }),
          ...(q.held !== undefined && { held: q.held }),
        },
        { ...(after && { after }), limit: q.limit + 1 },
      );
      const page = rows.slice(0, q.limit);
      const slugs = new Map(all.map((o) => [o.id, o.slug]));
      const items = page.map((row) => item(row, slugs));
      await recordAudit(db, [
        auditEvent(ctx, clock.now(), {
          action: 'queue.read',
          objectType: 'organisation',
          objectId: target.id,
          details: { ids: items.map((i) => i.id) },
        }),
      ]);
      const last = page.at(-1);
      return { ok: true, value: { items, next: rows.length > q.limit && last ? cursorOf(last) : null } };
    },

    async accept(id, ctx) {
      if (!allowed(ctx, 'referral.triage')) return fail('forbidden', '', 'your role cannot triage referrals');
      const row = await actionable(id, ctx);
      if (!row) return notFound();
      if (row.triage === 'accepted') return fail('conflict', 'id', 'already accepted');
      return act(
        row,
        { triage: 'accepted', status: 'routed' },
        auditEvent(ctx, clock.now(), {
          action: 'referral.accept',
          objectType: 'referral',
          objectId: row.id,
          details: { recipient: row.recipientOrgId, wasHeld: row.status === 'held' },
        }),
      );
    },

    async reassign(id, to, reason, ctx) {
      if (!allowed(ctx, 'referral.triage')) return fail('forbidden', '', 'your role cannot triage referrals');
      const bad = reasonProblem(reason);
      if (bad) return bad;
      const row = await actionable(id, ctx);
      if (!row) return notFound();
      const all = await organisations.list();
      const target = all.find((o) => o.slug === to);
      const own = orgOf(ctx.principal);
      // Down into one's own subtree, or back up one's own line; never sideways into another branch.
      const allowedTargets =
        own === null ? undefined : new Set([...subtreeOf(all, own), ...ancestors(all, own)]);
      if (!target || (allowedTargets !== undefined && !allowedTargets.has(target.id)))
        return fail('unknown_organisation', 'to', `no organisation ${to} you can send referrals to`);
      if (!RECIPIENT_KINDS.has(target.kind))
        return fail('invalid_value', 'to', `${to} is a ${target.kind}: it does not receive referrals`);
      if (target.id === row.recipientOrgId) return fail('conflict', 'to', `already with ${to}`);
      const at = clock.now();
      const overrides: Overrides = {
        ...(row.overrides === null ? {} : (JSON.parse(row.overrides) as Overrides)),
        recipient: {
          orgId: target.id,
          previous: row.recipientOrgId as OrganisationId | null,
          reason: reason.trim(),
          by: actorOf(ctx.principal),
          at,
        },
      };
      return act(
        row,
        {
          recipient_org_id: target.id,
          status: 'routed',
          triage: 'pending',
          overrides: JSON.stringify(overrides),
        },
        auditEvent(ctx, at, {
          action: 'referral.reassign',
          objectType: 'referral',
          objectId: row.id,
          details: { from: row.recipientOrgId, to: target.id, reason: reason.trim() },
        }),
      );
    },

    async overridePriority(id, level, reason, ctx) {
      if (!allowed(ctx, 'referral.triage')) return fail('forbidden', '', 'your role cannot triage referrals');
      if (!PRIORITY_LEVELS.includes(level)) return fail('invalid_value', 'level', 'one of E, 1, 2, 3');
      const bad = reasonProblem(reason);
      if (bad) return bad;
      const row = await actionable(id, ctx);
      if (!row) return notFound();
      const at = clock.now();
      const previous = row.priorityLevel as PriorityLevel | null;
      const overrides: Overrides = {
        ...(row.overrides === null ? {} : (JSON.parse(row.overrides) as Overrides)),
        priority: { level, previous, reason: reason.trim(), by: actorOf(ctx.principal), at },
      };
      return act(
        row,
        {
          priority_level: level,
          priority_rank: priorityRank(level),
          overrides: JSON.stringify(overrides),
        },
        auditEvent(ctx, at, {
          action: 'referral.override-priority',
          objectType: 'referral',
          objectId: row.id,
          details: { from: previous, to: level, reason: reason.trim() },
        }),
      );
    },

    async reroute(opts, ctx) {
      if (!allowed(ctx, 'referral.triage')) return fail('forbidden', '', 'your role cannot triage referrals');
      const all = await organisations.list();
      const byId = new Map<string, Organisation>(all.map((o) => [o.id, o]));
      const r = await reach(ctx);
      const visibleTo = r === undefined ? undefined : { recipients: [...r], source: null };
      let examined = 0;
      let changed = 0;
      let held = 0;
      let skipped = 0;
      let after: string | undefined;
      for (;;) {
        const rows = await pageReferrals(
          db,
          { ...(visibleTo && { visibleTo }), ...(opts.heldOnly && { status: 'held' }) },
          { ...(after && { after }), limit: 500, order: 'asc' },
        );
        const updates: { row: ReferralRow; decision: Decision; set: TriageUpdate }[] = [];
        for (const row of rows) {
          if (row.triage === 'accepted') continue;
          examined++;
          const source = byId.get(row.sourceOrgId);
          const out = source
            ? pipeline(JSON.parse(row.document) as ReferralDocument, source, row.receivedAt as Instant)
            : undefined;
          if (out?.kind !== 'accepted') {
            skipped++;
            continue;
          }
          const d = out.decision;
          const overrides = row.overrides === null ? {} : (JSON.parse(row.overrides) as Overrides);
          const cols = effectiveColumns(d);
          const set: TriageUpdate = {
            ...(overrides.recipient
              ? {}
              : { recipient_org_id: d.jurisdiction.recipientOrgId, status: d.outcome }),
            ...(overrides.priority
              ? { country: cols.country, region: cols.region, confidence: cols.confidence }
              : cols),
            classification: d.classification.kind,
            has_matches: d.matches.some((m) => !m.list.negative) ? 1 : 0,
          };
          const status = set.status ?? row.status;
          if (status === 'held') held++;
          if (set.recipient_org_id !== undefined && set.recipient_org_id !== row.recipientOrgId) changed++;
          updates.push({ row, decision: d, set });
        }
        if (updates.length > 0) {
          const at = clock.now();
          await auditedWrite(db, async (trx) => {
            const events: AuditEntry[] = [];
            for (const u of updates) {
              await replaceDecision(trx, u.row.id, u.decision, at);
              await updateTriage(trx, u.row.id, u.set);
              events.push(
                auditEvent(ctx, at, {
                  action: 'referral.reroute',
                  objectType: 'referral',
                  objectId: u.row.id,
                  details: {
                    from: u.row.recipientOrgId,
                    to: u.set.recipient_org_id ?? u.row.recipientOrgId,
                    outcome: u.decision.outcome,
                    routingRules: u.decision.jurisdiction.rulesVersion,
                    priorityRules: u.decision.priority?.rulesVersion ?? null,
                  },
                }),
              );
            }
            return { value: undefined, events };
          });
        }
        if (rows.length < 500) break;
        after = rows.at(-1)?.id;
      }
      return { ok: true, value: { examined, changed, held, skipped } };
    },
  };
}

function ancestors(all: readonly Organisation[], id: string): OrganisationId[] {
  const out: OrganisationId[] = [];
  let cur = all.find((o) => o.id === id)?.parentId ?? null;
  while (cur !== null && !out.includes(cur)) {
    out.push(cur);
    const at: OrganisationId = cur;
    cur = all.find((o) => o.id === at)?.parentId ?? null;
  }
  return out;
}
