/**
 * What people read and decide about subjects, communities and nicknames, with need-to-know: a subject is
 * visible through the referrals in the principal's reach; the rest of it is reduced to who holds it and
 * since when (deconfliction), never its content. Every read and every decision is audited.
 */
import { randomUUID } from 'node:crypto';
import { actorOf, can, orgOf, type Permission, type RequestContext } from '../domain/access.ts';
import { problem } from '../domain/errors.ts';
import type { Instant } from '../domain/ids.ts';
import { receivesReferrals, type Organisation } from '../domain/organisation.ts';
import type { Outcome } from '../domain/result.ts';
import { auditEvent, auditedWrite, recordAudit } from '../store/audit.repo.ts';
import type { Database } from '../store/db.ts';
import { chunks } from '../store/audit.repo.ts';
import { graphJson, graphMl, type Graph, type GraphEdge, type GraphNode } from './graph.ts';
import { describeKey, mentionsOf, type Unlinkable } from './keys.ts';
import type { LinkService } from './link.service.ts';
import { NicknameIndex, type NicknameSuggestion } from './nickname.ts';
import type { PriorHit } from './register-index.ts';
import { parseRegister } from './register.ts';
import type { LinkRules } from './rules.ts';
import { listIdentifiers } from '../store/referrals.repo.ts';

export interface SubjectSummary {
  readonly id: string;
  readonly referrals: number;
  readonly accounts: readonly string[];
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly prior: readonly PriorHit[];
  readonly confirmed: boolean;
}

export interface SubjectReferral {
  readonly id: string;
  readonly slot: number;
  readonly account: string;
  readonly receivedAt: string;
  readonly recipient: string | null;
  readonly country: string | null;
  readonly priority: string | null;
}

export interface EvidenceView {
  readonly from: string | null;
  readonly to: string | null;
  readonly rule: string;
  /** Why, in words; withheld when neither side is in the caller's reach. */
  readonly reasons: readonly string[];
}

export interface SubjectView extends SubjectSummary {
  readonly referralsVisible: readonly SubjectReferral[];
  readonly identifiers: readonly { kind: string; value: string; raw: string; referrals: number }[];
  readonly evidence: readonly EvidenceView[];
  /** Referrals of this subject held by organisations outside the caller's reach: who, how many, since. */
  readonly heldElsewhere: readonly { organisation: string; referrals: number; since: string }[];
  readonly decisions: readonly { id: string; kind: string; reason: string; at: string; by: string }[];
}

export interface CommunityView {
  readonly id: string;
  readonly kind: 'group';
  readonly service: string;
  readonly group: string;
  readonly subjects: number;
  readonly referrals: number;
  /** Per country: distinct subjects — each a prospective investigation there. */
  readonly countries: readonly { country: string; subjects: number }[];
  readonly members?: readonly { subject: string; country: string | null; referrals: number }[];
}

export interface DeconflictionNotice {
  readonly id: string;
  readonly side: 'holder' | 'newcomer';
  readonly subject: string;
  readonly otherOrganisation: string;
  /** The referral that linked: shown to the side that received it only. */
  readonly referral: string | null;
  readonly heldSince: string;
  readonly via: readonly string[];
  readonly at: string;
}

export interface SubjectsService {
  list(
    q: { limit: number; after?: string; withPrior?: boolean },
    ctx: RequestContext,
  ): Promise<Outcome<{ items: SubjectSummary[]; next: string | null }>>;
  get(id: string, ctx: RequestContext): Promise<Outcome<SubjectView>>;
  referralLinks(
    referralId: string,
    ctx: RequestContext,
  ): Promise<
    Outcome<{
      referral: string;
      mentions: { slot: number; subject: SubjectSummary | null; unlinkable: readonly Unlinkable[] }[];
      tooCommon: readonly { kind: string; value: string }[];
    }>
  >;
  graph(id: string, format: 'json' | 'graphml', ctx: RequestContext): Promise<Outcome<string>>;
  communities(q: { detail?: string }, ctx: RequestContext): Promise<Outcome<CommunityView[]>>;
  trace(
    name: string,
    limit: number,
    ctx: RequestContext,
  ): Promise<Outcome<{ query: string; suggestions: NicknameSuggestion[] }>>;
  split(
    id: string,
    accounts: readonly string[],
    reason: string,
    ctx: RequestContext,
  ): Promise<Outcome<string[]>>;
  merge(ids: readonly string[], reason: string, ctx: RequestContext): Promise<Outcome<string>>;
  confirm(id: string, reason: string, ctx: RequestContext): Promise<Outcome<string>>;
  importRegister(
    name: string,
    text: string,
    format: 'csv' | 'json',
    ctx: RequestContext,
  ): Promise<Outcome<{ name: string; entries: number; subjectsMatched: number }>>;
  registers(ctx: RequestContext): Promise<Outcome<{ name: string; entries: number; importedAt: string }[]>>;
  notices(ctx: RequestContext): Promise<Outcome<DeconflictionNotice[]>>;
}

const fail = <T>(code: Parameters<typeof problem>[0], path: string, message: string): Outcome<T> => ({
  ok: false,
  problems: [problem(code, path, message)],
});

const REGISTER_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function createSubjectsService(deps: {
  readonly database: Database;
  readonly link: LinkService;
  readonly rules: LinkRules;
  readonly organisations: {
    list(): Promise<readonly Organisation[]>;
    reach(ctx: RequestContext): Promise<ReadonlySet<string> | undefined>;
  };
  readonly clock: { now(): Instant };
  /** The receiving organisation: registers decide for everyone, so only its people load them. */
  readonly receivingSlug: string;
}): SubjectsService {
  const { database, link, organisations, clock } = deps;
  const db = database.db;
  let nicknames: { index: NicknameIndex; seq: number } | undefined;

  async function denied<T>(ctx: RequestContext, permission: Permission, what: string): Promise<Outcome<T>> {
    await recordAudit(db, [
      auditEvent(ctx, clock.now(), {
        action: 'access.denied',
        objectType: 'subject',
        objectId: null,
        outcome: 'denied',
        details: { permission, what },
      }),
    ]);
    return fail('forbidden', '', `your role cannot ${what}`);
  }

  async function names(): Promise<Map<string, string>> {
    return new Map((await organisations.list()).map((o) => [o.id, o.slug]));
  }

  const visible = (reach: ReadonlySet<string> | undefined, org: string | null): boolean =>
    reach === undefined || (org !== null && reach.has(org));

  async function confirmedSet(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await db
      .selectFrom('link_decisions')
      .select('subject_id')
      .where('kind', '=', 'confirm')
      .where('subject_id', 'in', [...ids])
      .execute();
    return new Set(rows.map((r) => r.subject_id));
  }

  function summary(
    r: {
      id: string;
      referrals: number;
      accounts: string;
      first_seen: string;
      last_seen: string;
      prior: string | null;
    },
    confirmed: Set<string>,
  ): SubjectSummary {
    return {
      id: r.id,
      referrals: r.referrals,
      accounts: JSON.parse(r.accounts) as string[],
      firstSeen: r.first_seen,
      lastSeen: r.last_seen,
      prior: r.prior === null ? [] : (JSON.parse(r.prior) as PriorHit[]),
      confirmed: confirmed.has(r.id),
    };
  }

  /**
   * Summaries as the caller may see them: for a caller with limited reach, accounts, counts, dates and
   * prior-record hits come only from the mentions in referrals within reach (the rest of a subject is
   * "held elsewhere", never described).
   */
  async function summariesFor(
    rows: readonly Parameters<typeof summary>[0][],
    reach: ReadonlySet<string> | undefined,
  ): Promise<SubjectSummary[]> {
    const confirmed = await confirmedSet(rows.map((r) => r.id));
    const full = rows.map((r) => summary(r, confirmed));
    if (reach === undefined || full.length === 0) return full;
    const ids = full.map((s) => s.id);
    const members = await db
      .selectFrom('subject_mentions as m')
      .innerJoin('referrals as r', 'r.id', 'm.referral_id')
      .select(['m.subject_id', 'm.referral_id', 'm.slot', 'm.account', 'r.received_at'])
      .where('m.subject_id', 'in', ids)
      .where('r.recipient_org_id', 'in', ['', ...reach])
      .execute();
    const values = new Set((await identifiersOf(members)).map((x) => `${x.kind}|${x.value}`));
    return full.map((s) => {
      const mine = members.filter((m) => m.subject_id === s.id);
      const times = mine.map((m) => m.received_at).sort();
      return {
        ...s,
        referrals: new Set(mine.map((m) => m.referral_id)).size,
        accounts: [...new Set(mine.map((m) => m.account))],
        firstSeen: times[0] ?? '',
        lastSeen: times.at(-1) ?? '',
        prior: s.prior.filter((h) => values.has(`${h.kind}|${h.value}`)),
      };
    });
  }

  /** The subject's mentions with where their referrals went, split into what the caller sees and not. */
  async function membersOf(id: string, reach: ReadonlySet<string> | undefined) {
    const rows = await db
      .selectFrom('subject_mentions as m')
      .innerJoin('referrals as r', 'r.id', 'm.referral_id')
      .select([
        'm.referral_id',
        'm.slot',
        'm.account',
        'r.received_at',
        'r.recipient_org_id',
        'r.country',
        'r.priority_level',
        'r.triage',
      ])
      .where('m.subject_id', '=', id)
      .orderBy('r.received_at')
      .orderBy('m.referral_id')
      .execute();
    return {
      shown: rows.filter((r) => visible(reach, r.recipient_org_id)),
      hidden: rows.filter((r) => !visible(reach, r.recipient_org_id)),
    };
  }

  function readable(ctx: RequestContext): boolean {
    return can(ctx.principal, 'subject.read');
  }

  async function readAudit(ctx: RequestContext, action: string, id: string | null, details: object) {
    await recordAudit(db, [
      auditEvent(ctx, clock.now(), { action, objectType: 'subject', objectId: id, details: { ...details } }),
    ]);
  }

  async function subjectRow(id: string) {
    return db.selectFrom('subjects').selectAll().where('id', '=', id).executeTakeFirst();
  }

  const service: SubjectsService = {
    async list(q, ctx) {
      if (!readable(ctx)) return denied(ctx, 'subject.read', 'read subjects');
      await link.catchUp();
      const reach = await organisations.reach(ctx);
      let query = db
        .selectFrom('subjects as s')
        .selectAll('s')
        .orderBy('s.id')
        .limit(q.limit + 1);
      if (q.after) query = query.where('s.id', '>', q.after);
      if (q.withPrior) query = query.where('s.prior', 'is not', null);
      if (reach !== undefined) {
        const orgs = [...reach];
        if (orgs.length === 0) return { ok: true, value: { items: [], next: null } };
        query = query.where((eb) =>
          eb.exists(
            eb
              .selectFrom('subject_mentions as m')
              .innerJoin('referrals as r', 'r.id', 'm.referral_id')
              .select('m.slot')
              .whereRef('m.subject_id', '=', 's.id')
              .where('r.recipient_org_id', 'in', orgs),
          ),
        );
      }
      const rows = await query.execute();
      const page = rows.slice(0, q.limit);
      const items = await summariesFor(page, reach);
      await readAudit(ctx, 'subject.list', null, { ids: items.map((i) => i.id) });
      return { ok: true, value: { items, next: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null } };
    },

    async get(id, ctx) {
      if (!readable(ctx)) return denied(ctx, 'subject.read', 'read subjects');
      await link.catchUp();
      const reach = await organisations.reach(ctx);
      const row = await subjectRow(id);
      const members = row ? await membersOf(id, reach) : { shown: [], hidden: [] };
      if (!row || members.shown.length === 0) {
        await recordAudit(db, [
          auditEvent(ctx, clock.now(), {
            action: 'subject.read',
            objectType: 'subject',
            objectId: id,
            outcome: row ? 'denied' : 'error',
          }),
        ]);
        return fail('not_found', 'id', `no subject ${id}`);
      }
      const slugs = await names();
      const shownIds = new Set(members.shown.map((m) => `${m.referral_id}.${m.slot}`));
      const referralIds = [...new Set(members.shown.map((m) => m.referral_id))];
      const ids = await identifiersOf(members.shown);
      const evidence = await db
        .selectFrom('subject_evidence')
        .selectAll()
        .where('subject_id', '=', id)
        .orderBy('ord')
        .execute();
      const held = new Map<string, { referrals: number; since: string }>();
      for (const h of members.hidden) {
        const org = slugs.get(h.recipient_org_id ?? '') ?? 'another organisation';
        const cur = held.get(org) ?? { referrals: 0, since: h.received_at };
        cur.referrals++;
        if (h.received_at < cur.since) cur.since = h.received_at;
        held.set(org, cur);
      }
      const decisions = await db
        .selectFrom('link_decisions')
        .selectAll()
        .where('subject_id', '=', id)
        .orderBy('created_at')
        .execute();
      const [own] = await summariesFor([row], reach);
      if (!own) return fail('not_found', 'id', `no subject ${id}`);
      const view: SubjectView = {
        ...own,
        referralsVisible: members.shown.map((m) => ({
          id: m.referral_id,
          slot: m.slot,
          account: m.account,
          receivedAt: m.received_at,
          recipient: m.recipient_org_id === null ? null : (slugs.get(m.recipient_org_id) ?? null),
          country: m.country,
          priority: m.priority_level,
        })),
        identifiers: ids,
        evidence: evidence.map((e) => {
          const from = shownIds.has(e.from_mention) ? e.from_mention : null;
          const to = shownIds.has(e.to_mention) ? e.to_mention : null;
          const keys = JSON.parse(e.keys) as string[];
          return {
            from,
            to,
            rule: e.rule,
            reasons: from === null && to === null ? [] : keys.map(describeKey),
          };
        }),
        heldElsewhere: [...held.entries()].map(([organisation, h]) => ({ organisation, ...h })),
        decisions: decisions.map((d) => ({
          id: d.id,
          kind: d.kind,
          reason: d.reason,
          at: d.created_at,
          by: d.created_by,
        })),
      };
      await readAudit(ctx, 'subject.read', id, { referrals: referralIds });
      return { ok: true, value: view };
    },

    async referralLinks(referralId, ctx) {
      if (!readable(ctx)) return denied(ctx, 'subject.read', 'read subjects');
      await link.catchUp();
      const reach = await organisations.reach(ctx);
      const r = await db
        .selectFrom('referrals')
        .select(['id', 'recipient_org_id', 'received_at'])
        .where('id', '=', referralId)
        .executeTakeFirst();
      if (!r || !visible(reach, r.recipient_org_id)) {
        await recordAudit(db, [
          auditEvent(ctx, clock.now(), {
            action: 'referral.links',
            objectType: 'referral',
            objectId: referralId,
            outcome: r ? 'denied' : 'error',
          }),
        ]);
        return fail('not_found', 'id', `no referral ${referralId}`);
      }
      const rows = await db
        .selectFrom('subject_mentions as m')
        .innerJoin('subjects as s', 's.id', 'm.subject_id')
        .selectAll('s')
        .select('m.slot')
        .where('m.referral_id', '=', referralId)
        .orderBy('m.slot')
        .execute();
      const summaries = await summariesFor(rows, reach);
      const mentions = mentionsOf(
        referralId,
        r.received_at,
        await listIdentifiers(db, referralId),
        deps.rules,
      );
      const common = await db
        .selectFrom('link_common')
        .select(['key', 'kind'])
        .where('key', 'in', ['', ...mentions.flatMap((m) => m.keys.map((k) => k.key))])
        .execute();
      const value = {
        referral: referralId,
        mentions: mentions.map((m) => {
          const at = rows.findIndex((x) => x.slot === m.slot);
          return { slot: m.slot, subject: summaries[at] ?? null, unlinkable: m.unlinkable };
        }),
        tooCommon: common.map((c) => ({ kind: c.kind, value: describeKey(c.key) })),
      };
      await readAudit(ctx, 'referral.links', referralId, { subjects: rows.map((x) => x.id) });
      return { ok: true, value };
    },

    async graph(id, format, ctx) {
      const got = await service.get(id, ctx);
      if (!got.ok) return got;
      const s = got.value;
      const nodes: GraphNode[] = [
        {
          id: `subject:${s.id}`,
          type: 'subject',
          label: `subject ${s.id}`,
          data: { referrals: s.referrals },
        },
      ];
      const edges: GraphEdge[] = [];
      const seen = new Set<string>();
      const node = (n: GraphNode) => {
        if (seen.has(n.id)) return;
        seen.add(n.id);
        nodes.push(n);
      };
      for (const r of s.referralsVisible) {
        const rid = `referral:${r.id}`;
        node({
          id: rid,
          type: 'referral',
          label: r.id,
          data: { receivedAt: r.receivedAt, country: r.country ?? '' },
        });
        if (!edges.some((e) => e.id === `member:${rid}`))
          edges.push({ id: `member:${rid}`, source: `subject:${s.id}`, target: rid, kind: 'member' });
        const aid = `account:${r.account}`;
        node({ id: aid, type: 'account', label: r.account });
        const eid = `reports:${rid}:${aid}`;
        if (!edges.some((e) => e.id === eid))
          edges.push({ id: eid, source: rid, target: aid, kind: 'reports' });
      }
      for (const x of s.identifiers) {
        const nid = `identifier:${x.kind}:${x.value}`;
        node({ id: nid, type: 'identifier', label: x.raw, data: { kind: x.kind, referrals: x.referrals } });
        edges.push({ id: `seen:${nid}`, source: `subject:${s.id}`, target: nid, kind: 'seen-in' });
      }
      s.evidence.forEach((e, i) => {
        if (e.from === null || e.to === null) return;
        const a = `referral:${e.from.slice(0, e.from.lastIndexOf('.'))}`;
        const b = `referral:${e.to.slice(0, e.to.lastIndexOf('.'))}`;
        if (a === b) return;
        edges.push({
          id: `evidence:${i}`,
          source: a,
          target: b,
          kind: `link:${e.rule}`,
          strength: e.rule === 'weak-corroborated' ? 'weak' : 'strong',
          evidence: e.reasons.join('; '),
        });
      });
      const mine = new Set(s.referralsVisible.map((r) => `${r.id}.${r.slot}`));
      const found = await db
        .selectFrom('identifiers')
        .select(['referral_id', 'account', 'service', 'value'])
        .where('kind', '=', 'group-id')
        .where('role', 'in', ['reported', 'associated'])
        .where('referral_id', 'in', ['', ...s.referralsVisible.map((r) => r.id)])
        .execute();
      const groups = [
        ...new Map(
          found
            .filter((g) => mine.has(`${g.referral_id}.${g.account}`))
            .map((g) => [`${g.service ?? ''}|${g.value}`, g]),
        ).values(),
      ];
      for (const g of groups) {
        const cid = `community:${communityId(g.service ?? '', g.value)}`;
        node({ id: cid, type: 'community', label: g.value, data: { service: g.service ?? '' } });
        edges.push({ id: `in:${cid}`, source: `subject:${s.id}`, target: cid, kind: 'in-community' });
      }
      const graph: Graph = { nodes, edges };
      return { ok: true, value: format === 'graphml' ? graphMl(graph) : JSON.stringify(graphJson(graph)) };
    },

    async communities(q, ctx) {
      if (!readable(ctx)) return denied(ctx, 'subject.read', 'read communities');
      await link.catchUp();
      const reach = await organisations.reach(ctx);
      let query = db
        .selectFrom('identifiers as i')
        .innerJoin('subject_mentions as m', (j) =>
          j.onRef('m.referral_id', '=', 'i.referral_id').onRef('m.slot', '=', 'i.account'),
        )
        .innerJoin('referrals as r', 'r.id', 'i.referral_id')
        .select(['i.service', 'i.value', 'm.subject_id', 'r.id as referral', 'r.country'])
        .where('i.kind', '=', 'group-id')
        .where('i.role', 'in', ['reported', 'associated']);
      if (reach !== undefined) query = query.where('r.recipient_org_id', 'in', ['', ...reach]);
      const rows = await query.execute();
      const groups = new Map<string, typeof rows>();
      for (const r of rows) {
        const id = communityId(r.service ?? '', r.value);
        if (q.detail !== undefined && id !== q.detail) continue;
        const list = groups.get(id) ?? [];
        list.push(r);
        groups.set(id, list);
      }
      const out: CommunityView[] = [];
      for (const [id, list] of groups) {
        const subjects = new Map<string, { country: string | null; referrals: Set<string> }>();
        for (const r of list) {
          const s = subjects.get(r.subject_id) ?? { country: r.country, referrals: new Set() };
          s.referrals.add(r.referral);
          s.country ??= r.country;
          subjects.set(r.subject_id, s);
        }
        // One account alone in a group is not a community.
        if (subjects.size < 2 && q.detail === undefined) continue;
        const perCountry = new Map<string, number>();
        for (const s of subjects.values())
          perCountry.set(s.country ?? 'unknown', (perCountry.get(s.country ?? 'unknown') ?? 0) + 1);
        const first = list[0];
        out.push({
          id,
          kind: 'group',
          service: first?.service ?? '',
          group: first?.value ?? '',
          subjects: subjects.size,
          referrals: new Set(list.map((r) => r.referral)).size,
          countries: [...perCountry.entries()]
            .map(([country, n]) => ({ country, subjects: n }))
            .sort((a, b) => b.subjects - a.subjects || a.country.localeCompare(b.country)),
          ...(q.detail !== undefined && {
            members: [...subjects.entries()].map(([subject, s]) => ({
              subject,
              country: s.country,
              referrals: s.referrals.size,
            })),
          }),
        });
      }
      out.sort((a, b) => b.subjects - a.subjects || a.id.localeCompare(b.id));
      await readAudit(ctx, q.detail === undefined ? 'community.list' : 'community.read', q.detail ?? null, {
        communities: out.map((c) => c.id),
      });
      if (q.detail !== undefined && out.length === 0)
        return fail('not_found', 'id', `no community ${q.detail}`);
      return { ok: true, value: out };
    },

    async trace(name, limit, ctx) {
      if (!readable(ctx)) return denied(ctx, 'subject.read', 'trace nicknames');
      const query = name.trim();
      if (query.length === 0 || query.length > 200)
        return fail('invalid_value', 'q', 'a screen name of 1 to 200 characters');
      await link.catchUp();
      const index = await nicknameIndex();
      const reach = await organisations.reach(ctx);
      const exact = index.refsOf(query);
      const found: NicknameSuggestion[] = [
        ...(exact.length > 0
          ? [
              {
                name: query,
                score: 1,
                reason: 'same-skeleton' as const,
                detail: 'the name itself',
                refs: [...exact],
                refCount: exact.length,
              },
            ]
          : []),
        ...index.search(query, { limit: limit * 4 }),
      ];
      // Only names seen in referrals the caller may read, and only those referrals.
      const refs = [...new Set(found.flatMap((s) => s.refs))];
      const recipients = new Map<string, string | null>();
      for (let i = 0; i < refs.length; i += 500) {
        const rows = await db
          .selectFrom('referrals')
          .select(['id', 'recipient_org_id'])
          .where('id', 'in', refs.slice(i, i + 500))
          .execute();
        for (const r of rows) recipients.set(r.id, r.recipient_org_id);
      }
      const suggestions = found
        .map((s) => {
          const mine = s.refs.filter((id) => visible(reach, recipients.get(id) ?? null));
          return { ...s, refs: mine, refCount: mine.length };
        })
        .filter((s) => s.refs.length > 0)
        .slice(0, limit);
      await readAudit(ctx, 'nickname.trace', null, {
        query,
        referrals: [...new Set(suggestions.flatMap((s) => s.refs))],
      });
      return { ok: true, value: { query, suggestions } };
    },

    async split(id, accounts, reason, ctx) {
      if (!can(ctx.principal, 'subject.decide')) return denied(ctx, 'subject.decide', 'split subjects');
      const why = reason.trim();
      if (!why) return fail('invalid_value', 'reason', 'a reason is required');
      const got = await service.get(id, ctx);
      if (!got.ok) return got;
      const all = got.value.accounts;
      const side = [...new Set(accounts)];
      const unknown = side.find((a) => !all.includes(a));
      if (unknown !== undefined)
        return fail('invalid_value', 'accounts', `${unknown} is not in subject ${id}`);
      if (side.length === 0 || side.length === all.length)
        return fail('invalid_value', 'accounts', 'name some, not all, of the subject’s accounts');
      const other = all.filter((a) => !side.includes(a));
      const decision = { id: randomUUID(), side, other };
      const at = clock.now();
      const produced = await link.withEngine(async (engine, trx) => {
        const made = engine.split(decision);
        await trx
          .insertInto('link_decisions')
          .values({
            id: decision.id,
            kind: 'split',
            subject_id: id,
            accounts: JSON.stringify(side),
            other: JSON.stringify(other),
            reason: why,
            created_at: at,
            created_by: actorOf(ctx.principal),
            org_id: orgOf(ctx.principal),
          })
          .execute();
        return made.map((s) => s.id);
      });
      await decisionAudit(ctx, 'subject.split', id, {
        decision: decision.id,
        side,
        other,
        produced,
        reason: why,
      });
      return { ok: true, value: produced };
    },

    async merge(ids, reason, ctx) {
      if (!can(ctx.principal, 'subject.decide')) return denied(ctx, 'subject.decide', 'merge subjects');
      const why = reason.trim();
      if (!why) return fail('invalid_value', 'reason', 'a reason is required');
      const unique = [...new Set(ids)];
      if (unique.length < 2) return fail('invalid_value', 'subjects', 'name at least two subjects');
      const accounts: string[] = [];
      for (const id of unique) {
        const got = await service.get(id, ctx);
        if (!got.ok) return got;
        accounts.push(...got.value.accounts);
      }
      const decision = { id: randomUUID(), accounts: [...new Set(accounts)] };
      const at = clock.now();
      const merged = await link.withEngine(async (engine, trx) => {
        const s = engine.merge(decision);
        if (!s) return undefined;
        await trx
          .insertInto('link_decisions')
          .values({
            id: decision.id,
            kind: 'merge',
            subject_id: s.id,
            accounts: JSON.stringify(decision.accounts),
            other: '[]',
            reason: why,
            created_at: at,
            created_by: actorOf(ctx.principal),
            org_id: orgOf(ctx.principal),
          })
          .execute();
        return s.id;
      });
      if (merged === undefined)
        return fail('conflict', 'subjects', 'an earlier split keeps some of these accounts apart');
      await decisionAudit(ctx, 'subject.merge', merged, {
        decision: decision.id,
        subjects: unique,
        reason: why,
      });
      return { ok: true, value: merged };
    },

    async confirm(id, reason, ctx) {
      if (!can(ctx.principal, 'subject.decide')) return denied(ctx, 'subject.decide', 'confirm subjects');
      const why = reason.trim();
      if (!why) return fail('invalid_value', 'reason', 'a reason is required');
      const got = await service.get(id, ctx);
      if (!got.ok) return got;
      const decision = randomUUID();
      await auditedWrite(db, async (trx) => {
        await trx
          .insertInto('link_decisions')
          .values({
            id: decision,
            kind: 'confirm',
            subject_id: id,
            accounts: JSON.stringify(got.value.accounts),
            other: '[]',
            reason: why,
            created_at: clock.now(),
            created_by: actorOf(ctx.principal),
            org_id: orgOf(ctx.principal),
          })
          .execute();
        return {
          value: undefined,
          events: [
            auditEvent(ctx, clock.now(), {
              action: 'subject.confirm',
              objectType: 'subject',
              objectId: id,
              details: { decision, reason: why },
            }),
          ],
        };
      });
      return { ok: true, value: id };
    },

    async importRegister(name, text, format, ctx) {
      if (!(await registerAllowed(ctx, 'register.write')))
        return denied(ctx, 'register.write', 'import registers (the receiving organisation loads them)');
      if (!REGISTER_NAME.test(name))
        return fail(
          'invalid_value',
          'name',
          'lower-case letters, digits, . _ - (1 to 64), starting alphanumeric',
        );
      const parsed = parseRegister(text, format);
      if (!parsed.ok) return { ok: false, problems: parsed.problems };
      if (parsed.entries.length === 0)
        return fail('invalid_value', 'body', 'the register has no entries (an empty import would wipe it)');
      const at = clock.now();
      await auditedWrite(db, async (trx) => {
        await trx.deleteFrom('prior_records').where('register', '=', name).execute();
        const rows = parsed.entries.map((e) => ({
          register: name,
          reference: e.reference,
          kind: e.kind,
          value: e.value,
          service: e.service ?? '',
          raw: e.raw,
          label: e.label ?? null,
          since: e.since ?? null,
          imported_at: at,
        }));
        for (const c of chunks(rows, 9)) await trx.insertInto('prior_records').values(c).execute();
        return {
          value: undefined,
          events: [
            auditEvent(ctx, at, {
              action: 'register.import',
              objectType: 'register',
              objectId: name,
              details: { entries: rows.length, format },
            }),
          ],
        };
      });
      await link.reloadRegister();
      const subjectsMatched = await link.refreshPrior();
      return { ok: true, value: { name, entries: parsed.entries.length, subjectsMatched } };
    },

    async registers(ctx) {
      if (!(await registerAllowed(ctx, 'register.read')))
        return denied(ctx, 'register.read', 'list registers');
      const rows = await db
        .selectFrom('prior_records')
        .select((eb) => ['register', eb.fn.countAll<number>().as('n'), eb.fn.max('imported_at').as('at')])
        .groupBy('register')
        .orderBy('register')
        .execute();
      await readAudit(ctx, 'register.list', null, {});
      return {
        ok: true,
        value: rows.map((r) => ({ name: r.register, entries: Number(r.n), importedAt: String(r.at) })),
      };
    },

    async notices(ctx) {
      if (!readable(ctx)) return denied(ctx, 'subject.read', 'read deconfliction notices');
      await link.catchUp();
      const own = orgOf(ctx.principal);
      let query = db.selectFrom('deconfliction_notices').selectAll().orderBy('created_at', 'desc').limit(500);
      if (own !== null) query = query.where('org_id', '=', own);
      const rows = await query.execute();
      const slugs = await names();
      const value = rows.map((r): DeconflictionNotice => ({
        id: r.id,
        side: r.side === 'holder' ? 'holder' : 'newcomer',
        subject: r.subject_id,
        otherOrganisation: slugs.get(r.other_org_id) ?? 'another organisation',
        referral: r.side === 'newcomer' || own === null ? r.referral_id : null,
        heldSince: r.held_since,
        via: JSON.parse(r.via) as string[],
        at: r.created_at,
      }));
      await readAudit(ctx, 'deconfliction.read', null, { notices: value.map((n) => n.id) });
      return { ok: true, value };
    },
  };

  async function identifiersOf(shown: readonly { referral_id: string; slot: number }[]) {
    const ids = [...new Set(shown.map((m) => m.referral_id))];
    const slots = new Set(shown.map((m) => `${m.referral_id}.${m.slot}`));
    const rows = [];
    for (let i = 0; i < ids.length; i += 500) {
      rows.push(
        ...(await db
          .selectFrom('identifiers')
          .select(['referral_id', 'account', 'role', 'kind', 'value', 'raw'])
          .where('referral_id', 'in', ids.slice(i, i + 500))
          .where('role', 'in', ['reported', 'associated'])
          .execute()),
      );
    }
    const out = new Map<string, { kind: string; value: string; raw: string; referrals: Set<string> }>();
    for (const r of rows) {
      if (!slots.has(`${r.referral_id}.${r.account}`)) continue;
      const k = `${r.kind}|${r.value}`;
      const cur = out.get(k) ?? { kind: r.kind, value: r.value, raw: r.raw, referrals: new Set() };
      cur.referrals.add(r.referral_id);
      out.set(k, cur);
    }
    return [...out.values()]
      .map((x) => ({ kind: x.kind, value: x.value, raw: x.raw, referrals: x.referrals.size }))
      .sort(
        (a, b) => a.kind.localeCompare(b.kind) || b.referrals - a.referrals || a.value.localeCompare(b.value),
      );
  }

  /** Registers decide for every organisation: the receiving one writes them, receiving kinds read them. */
  async function registerAllowed(
    ctx: RequestContext,
    p: 'register.read' | 'register.write',
  ): Promise<boolean> {
    if (!can(ctx.principal, p)) return false;
    const own = orgOf(ctx.principal);
    if (own === null) return true;
    const org = (await organisations.list()).find((o) => o.id === own);
    if (!org) return false;
    return p === 'register.write' ? org.slug === deps.receivingSlug : receivesReferrals(org.kind);
  }

  async function decisionAudit(ctx: RequestContext, action: string, id: string, details: object) {
    await recordAudit(db, [
      auditEvent(ctx, clock.now(), { action, objectType: 'subject', objectId: id, details: { ...details } }),
    ]);
  }

  /** Screen names of every linked referral, indexed once and topped up with what was linked since. */
  async function nicknameIndex(): Promise<NicknameIndex> {
    const state = await db
      .selectFrom('link_state')
      .select('seq')
      .where('id', '=', 'linker')
      .executeTakeFirst();
    const seq = Number(state?.seq ?? 0);
    if (!nicknames || nicknames.seq > seq) nicknames = { index: new NicknameIndex(), seq: 0 };
    if (nicknames.seq < seq) {
      const rows = await db
        .selectFrom('identifiers as i')
        .innerJoin('referrals as r', 'r.id', 'i.referral_id')
        .select(['i.raw', 'i.referral_id'])
        .where('i.kind', '=', 'screen-name')
        .where('i.role', 'in', ['reported', 'associated'])
        .where('r.link_seq', '>', nicknames.seq)
        .where('r.link_seq', '<=', seq)
        .execute();
      for (const r of rows) nicknames.index.add(r.raw, r.referral_id);
      nicknames.seq = seq;
    }
    return nicknames.index;
  }

  return service;
}

/** A community's id: its service and group identifier, URL-safe. */
export function communityId(service: string, group: string): string {
  return Buffer.from(`${service}|${group}`).toString('base64url');
}
