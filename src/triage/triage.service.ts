import type { Outcome } from '../domain/result.ts';
import { actorOf, can, orgOf, type Permission, type RequestContext } from '../domain/access.ts';
import { PRIORITY_LEVELS, type Decision, type Overrides, type PriorityLevel } from '../domain/decision.ts';
import { problem, type Problem } from '../domain/errors.ts';
import { parseInstant, parseReferralId, type Instant, type OrganisationId } from '../domain/ids.ts';
import { receivesReferrals, subtreeOf, type Organisation } from '../domain/organisation.ts';
import type { ReferralDocument } from '../domain/referral.ts';
import type { HoldReason } from '../domain/result.ts';
import type { OrganisationsService } from '../organisations/organisations.service.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import { auditEvent, auditedWrite, recordAudit, type AuditEntry } from '../store/audit.repo.ts';
import type { Database } from '../store/db.ts';
import {
  countArrivals,
  effectiveColumns,
  getReferral,
  pageQueue,
  pageReferrals,
  priorityRank,
  replaceDecision,
  triageStates,
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

export interface TriageService {
  /** A page of an organisation's queue, by priority then age; an audited read naming every id shown. */
  queue(
    q: QueueQuery,
    ctx: RequestContext,
  ): Promise<Outcome<{ items: QueueItem[]; next: string | null; asOf: string }>>;
  /**
   * How many pending, actionable referrals reached the organisation's queue after `since` (the queue
   * screen's "N new" notice), and when the latest did.
   */
  arrivals(
    q: { readonly org?: string; readonly since: string },
    ctx: RequestContext,
  ): Promise<Outcome<{ count: number; latest: string | null }>>;
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

const MAX_REASON = 1000;

export function createTriageService(deps: {
  readonly database: Database;
  readonly organisations: Pick<OrganisationsService, 'list' | 'reach'>;
  readonly pipeline: Pipeline;
  readonly clock: { now(): Instant };
  /** After a referral is accepted (deconfliction: does another organisation hold its subject?). */
  readonly onAccepted?: (id: string) => Promise<unknown>;
}): TriageService {
  const { database, organisations, pipeline, clock } = deps;
  const db = database.db;
  const fail = (code: Problem['code'], path: string, message: string) => ({
    ok: false as const,
    problems: [problem(code, path, message)],
  });
  const notFound = () => fail('not_found', 'id', 'no such referral');

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

  /**
   * Whose queue a request reads: the named organisation, or the caller's own. One outside the caller's
   * reach is answered like one that does not exist; the refusal of an existing one is recorded, as a refused
   * read of a referral is.
   */
  async function queueOf(
    org: string | undefined,
    ctx: RequestContext,
  ): Promise<Outcome<{ target: Organisation; all: readonly Organisation[] }>> {
    if (!allowed(ctx, 'referral.read')) return fail('forbidden', '', 'your role cannot read referrals');
    const all = await organisations.list();
    const own = orgOf(ctx.principal);
    const slug = org ?? all.find((o) => o.id === own)?.slug;
    if (slug === undefined) return fail('bad_request', 'org', 'name the organisation whose queue to read');
    const target = all.find((o) => o.slug === slug);
    const r: ReadonlySet<string> | undefined = await organisations.reach(ctx);
    if (!target || (r !== undefined && !r.has(target.id))) {
      if (target)
        await recordAudit(db, [
          auditEvent(ctx, clock.now(), {
            action: 'queue.read',
            objectType: 'organisation',
            objectId: target.id,
            details: { error: 'not_visible' },
            outcome: 'denied',
          }),
        ]);
      return fail('unknown_organisation', 'org', `no organisation ${slug} in your reach`);
    }
    return { ok: true, value: { target, all } };
  }

  async function names(): Promise<Map<string, string>> {
    return new Map((await organisations.list()).map((o) => [o.id, o.slug]));
  }

  /**
   * Applies one action: the referral is read under the audit head's lock, so concurrent actions on it
   * serialise and each decides on what the last one left; the change and its audit event commit together.
   * A referral outside the caller's reach is answered as absent, and the refusal is recorded.
   */
  async function act(
    id: string,
    action: string,
    ctx: RequestContext,
    plan: (row: ReferralRow, at: Instant) => Outcome<{ set: TriageUpdate; details: Record<string, unknown> }>,
  ): Promise<Outcome<QueueItem>> {
    const r: ReadonlySet<string> | undefined = await organisations.reach(ctx);
    const at = clock.now();
    const outcome = await auditedWrite<Outcome<null>>(db, async (trx) => {
      const row = await getReferral(trx, id);
      const event = (details: Record<string, unknown>, outcome: AuditEntry['outcome'] = 'ok') =>
        auditEvent(ctx, at, { action, objectType: 'referral', objectId: id, details, outcome });
      if (!row || row.recipientOrgId === null || (r !== undefined && !r.has(row.recipientOrgId)))
        return {
          value: notFound(),
          events: [event({ error: row ? 'not_visible' : 'not_found' }, row ? 'denied' : 'error')],
        };
      const p = plan(row, at);
      if (!p.ok) return { value: p, events: [] };
      await updateTriage(trx, id, p.value.set);
      return { value: { ok: true, value: null }, events: [event(p.value.details)] };
    });
    if (!outcome.ok) return outcome;
    const after = await getReferral(db, id);
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
        Number.isInteger(v[0]) &&
        typeof v[0] === 'number' &&
        v[0] >= 0 &&
        v[0] <= 4 &&
        typeof v[1] === 'string' &&
        parseInstant(v[1]) !== undefined &&
        typeof v[2] === 'string' &&
        parseReferralId(v[2]) !== undefined
      )
        // Checked to the letter: a forged cursor is a 400, never a database error.
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
      const found = await queueOf(q.org, ctx);
      if (!found.ok) return found;
      const { target, all } = found.value;
      // What "new since this page" is counted from (the arrivals notice): taken before the read.
      const asOf = clock.now();
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
      return {
        ok: true,
        value: { items, next: rows.length > q.limit && last ? cursorOf(last) : null, asOf },
      };
    },

    async arrivals(q, ctx) {
      const since = parseInstant(q.since);
      if (!since) return fail('bad_request', 'since', 'not an ISO 8601 date-time');
      const found = await queueOf(q.org, ctx);
      if (!found.ok) return found;
      const { target } = found.value;
      // Not audited: a count names no referral and shows nothing the queue page (audited) does not, and
      // a poll every few seconds per open tab would take the audit chain's lock in line with intake.
      const value = await countArrivals(db, target.id, since);
      return { ok: true, value };
    },

    async accept(id, ctx) {
      if (!allowed(ctx, 'referral.triage')) return fail('forbidden', '', 'your role cannot triage referrals');
      const r = await act(id, 'referral.accept', ctx, (row) =>
        row.triage === 'accepted'
          ? fail('conflict', 'id', 'already accepted')
          : {
              ok: true,
              value: {
                set: { triage: 'accepted', status: 'routed' },
                details: { recipient: row.recipientOrgId, wasHeld: row.status === 'held' },
              },
            },
      );
      if (r.ok) await deps.onAccepted?.(id);
      return r;
    },

    async reassign(id, to, reason, ctx) {
      if (!allowed(ctx, 'referral.triage')) return fail('forbidden', '', 'your role cannot triage referrals');
      const bad = reasonProblem(reason);
      if (bad) return bad;
      const all = await organisations.list();
      const target = all.find((o) => o.slug === to);
      const own = orgOf(ctx.principal);
      // Down into one's own subtree, or back up one's own line; never sideways into another branch.
      const allowedTargets =
        own === null ? undefined : new Set([...subtreeOf(all, own), ...ancestors(all, own)]);
      if (!target || (allowedTargets !== undefined && !allowedTargets.has(target.id)))
        return fail('unknown_organisation', 'to', `no organisation ${to} you can send referrals to`);
      if (!receivesReferrals(target.kind))
        return fail('invalid_value', 'to', `${to} is a ${target.kind}: it does not receive referrals`);
      const why = reason.trim();
      return act(id, 'referral.reassign', ctx, (row, at) => {
        if (target.id === row.recipientOrgId) return fail('conflict', 'to', `already with ${to}`);
        const overrides: Overrides = {
          ...overridesOf(row),
          recipient: {
            orgId: target.id,
            previous: row.recipientOrgId as OrganisationId | null,
            reason: why,
            by: actorOf(ctx.principal),
            at,
          },
        };
        return {
          ok: true,
          value: {
            set: {
              recipient_org_id: target.id,
              status: 'routed',
              triage: 'pending',
              overrides: JSON.stringify(overrides),
            },
            details: { from: row.recipientOrgId, to: target.id, reason: why },
          },
        };
      });
    },

    async overridePriority(id, level, reason, ctx) {
      if (!allowed(ctx, 'referral.triage')) return fail('forbidden', '', 'your role cannot triage referrals');
      if (!PRIORITY_LEVELS.includes(level)) return fail('invalid_value', 'level', 'one of E, 1, 2, 3');
      const bad = reasonProblem(reason);
      if (bad) return bad;
      const why = reason.trim();
      return act(id, 'referral.override-priority', ctx, (row, at) => {
        const previous = row.priorityLevel as PriorityLevel | null;
        const overrides: Overrides = {
          ...overridesOf(row),
          priority: { level, previous, reason: why, by: actorOf(ctx.principal), at },
        };
        return {
          ok: true,
          value: {
            set: {
              priority_level: level,
              priority_rank: priorityRank(level),
              overrides: JSON.stringify(overrides),
            },
            details: { from: previous, to: level, reason: why },
          },
        };
      });
    },

    async reroute(opts, ctx) {
      if (!allowed(ctx, 'referral.triage')) return fail('forbidden', '', 'your role cannot triage referrals');
      const all = await organisations.list();
      const byId = new Map<string, Organisation>(all.map((o) => [o.id, o]));
      const r: ReadonlySet<string> | undefined = await organisations.reach(ctx);
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
        // Decided outside the transaction (pure, from the immutable document); applied inside it against the
        // triage state as it is then, so an action that landed meanwhile (an accept, an override) wins.
        const decided: { row: ReferralRow; decision: Decision }[] = [];
        for (const row of rows) {
          if (row.triage === 'accepted') continue;
          const source = byId.get(row.sourceOrgId);
          const out = source
            ? pipeline(JSON.parse(row.document) as ReferralDocument, source, row.receivedAt as Instant)
            : undefined;
          if (out?.kind === 'accepted') decided.push({ row, decision: out.decision });
          else skipped++;
        }
        if (decided.length > 0) {
          const at = clock.now();
          await auditedWrite(db, async (trx) => {
            const now = await triageStates(
              trx,
              decided.map((d) => d.row.id),
            );
            const events: AuditEntry[] = [];
            for (const { row, decision: d } of decided) {
              const state = now.get(row.id);
              if (!state || state.triage === 'accepted') continue;
              examined++;
              const overrides: Overrides =
                state.overrides === null ? {} : (JSON.parse(state.overrides) as Overrides);
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
              if ((set.status ?? state.status) === 'held') held++;
              if (set.recipient_org_id !== undefined && set.recipient_org_id !== state.recipientOrgId)
                changed++;
              await replaceDecision(trx, row.id, d, at);
              await updateTriage(trx, row.id, set);
              events.push(
                auditEvent(ctx, at, {
                  action: 'referral.reroute',
                  objectType: 'referral',
                  objectId: row.id,
                  details: {
                    from: state.recipientOrgId,
                    to: set.recipient_org_id ?? state.recipientOrgId,
                    outcome: d.outcome,
                    routingRules: d.jurisdiction.rulesVersion,
                    priorityRules: d.priority?.rulesVersion ?? null,
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

function overridesOf(row: ReferralRow): Overrides {
  return row.overrides === null ? {} : (JSON.parse(row.overrides) as Overrides);
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
