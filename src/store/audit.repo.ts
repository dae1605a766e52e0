import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { actorOf, orgOf, type RequestContext } from '../domain/access.ts';
import { canonicalJson } from '../domain/canonical-json.ts';
import { GENESIS as GENESIS_HASH } from './migrations/0001_init.ts';
import type { Tables } from './schema.ts';

/** One event of the tamper-evident trail, before it is chained. */
export interface AuditEntry {
  readonly at: string;
  readonly actor: string;
  readonly orgId: string | null;
  readonly action: string;
  readonly objectType: string;
  readonly objectId: string | null;
  readonly requestId: string | null;
  readonly outcome: 'ok' | 'denied' | 'error';
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * The hash of an event: SHA-256 over the canonical JSON (RFC 8785) of the event and the previous hash,
 * so changing, removing or reordering any event breaks every later link.
 */
export function chainHash(seq: number, entry: AuditEntry, prevHash: string): string {
  return createHash('sha256')
    .update(canonicalJson({ seq, ...entry, prevHash }))
    .digest('hex');
}

/**
 * Appends events inside the caller's transaction. Must be the transaction's first write: taking the
 * head row serialises writers, so events commit with the change they record and the chain never forks.
 */
export async function lockAuditHead(trx: Transaction<Tables>): Promise<{ seq: number; hash: string }> {
  // A no-op UPDATE takes the row lock (PostgreSQL) / the database write lock (SQLite) before any read.
  await trx
    .updateTable('audit_head')
    .set((eb) => ({ seq: eb.ref('seq') }))
    .where('id', '=', 1)
    .execute();
  return trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
}

export async function appendAudit(
  trx: Transaction<Tables>,
  head: { seq: number; hash: string },
  entries: readonly AuditEntry[],
): Promise<{ seq: number; hash: string }> {
  if (entries.length === 0) return head;
  let { seq, hash } = head;
  const rows = entries.map((e) => {
    seq += 1;
    const prev = hash;
    hash = chainHash(seq, e, prev);
    return {
      seq,
      at: e.at,
      actor: e.actor,
      org_id: e.orgId,
      action: e.action,
      object_type: e.objectType,
      object_id: e.objectId,
      request_id: e.requestId,
      outcome: e.outcome,
      details: JSON.stringify(e.details),
      prev_hash: prev,
      hash,
    };
  });
  for (const chunk of chunks(rows, 12)) await trx.insertInto('audit_events').values(chunk).execute();
  await trx.updateTable('audit_head').set({ seq, hash }).where('id', '=', 1).execute();
  return { seq, hash };
}

/**
 * The event of one principal's request: who (`actorOf`), on behalf of which organisation, which request.
 * `orgId` overrides the principal's organisation where the event belongs to another (an /ispws client's).
 */
export function auditEvent(
  ctx: RequestContext,
  at: string,
  e: {
    readonly action: string;
    readonly objectType: string;
    readonly objectId: string | null;
    readonly details?: Readonly<Record<string, unknown>>;
    readonly outcome?: AuditEntry['outcome'];
    readonly orgId?: string | null;
  },
): AuditEntry {
  return {
    at,
    actor: actorOf(ctx.principal),
    orgId: e.orgId === undefined ? orgOf(ctx.principal) : e.orgId,
    action: e.action,
    objectType: e.objectType,
    objectId: e.objectId,
    requestId: ctx.requestId,
    outcome: e.outcome ?? 'ok',
    details: e.details ?? {},
  };
}

/** Records events that go with no change of their own (a read, a refusal), in their own transaction. */
export function recordAudit(db: Kysely<Tables>, events: readonly AuditEntry[]): Promise<void> {
  return auditedWrite(db, () => Promise.resolve({ value: undefined, events }));
}

/**
 * Runs a change and records its audit events in one transaction: the head is taken first, so the
 * events commit with the change or not at all. A read that changes nothing records its event the same way.
 */
export async function auditedWrite<T>(
  db: Kysely<Tables>,
  work: (trx: Transaction<Tables>) => Promise<{ value: T; events: readonly AuditEntry[] }>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const head = await lockAuditHead(trx);
    const { value, events } = await work(trx);
    await appendAudit(trx, head, events);
    return value;
  });
}

/** Splits rows so one INSERT stays under SQLite's 32,766 bound parameters (PostgreSQL allows 65,535). */
export function chunks<T extends object>(rows: readonly T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(30_000 / columns));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export interface AuditSearch {
  readonly actor?: string;
  readonly action?: string;
  readonly objectType?: string;
  readonly objectId?: string;
  readonly from?: string;
  readonly to?: string;
  readonly before?: number;
  readonly limit: number;
  /** Only events of these organisations (and, with includeNoOrg, those of no organisation). */
  readonly orgIds?: readonly string[];
  readonly includeNoOrg?: boolean;
}

/** Events newest first, filtered; keyset-paged on `seq`. */
export function searchAudit(db: Kysely<Tables>, s: AuditSearch) {
  let q = db.selectFrom('audit_events').selectAll();
  if (s.actor !== undefined) q = q.where('actor', '=', s.actor);
  if (s.action !== undefined) q = q.where('action', '=', s.action);
  if (s.objectType !== undefined) q = q.where('object_type', '=', s.objectType);
  if (s.objectId !== undefined) q = q.where('object_id', '=', s.objectId);
  if (s.from !== undefined) q = q.where('at', '>=', s.from);
  if (s.to !== undefined) q = q.where('at', '<', s.to);
  if (s.before !== undefined) q = q.where('seq', '<', s.before);
  const orgIds = s.orgIds;
  if (orgIds) {
    q = q.where((eb) =>
      eb.or([
        ...(orgIds.length ? [eb('org_id', 'in', orgIds)] : []),
        ...(s.includeNoOrg ? [eb('org_id', 'is', null)] : []),
        sql<boolean>`1 = 0`,
      ]),
    );
  }
  return q.orderBy('seq', 'desc').limit(s.limit).execute();
}

/** An event's hash recorded outside the database (printed by an earlier verify), to catch a rewritten tail. */
export interface AuditAnchor {
  readonly seq: number;
  readonly hash: string;
}

export type ChainVerdict =
  | { readonly ok: true; readonly events: number; readonly headHash: string }
  | { readonly ok: false; readonly seq: number; readonly reason: string };

/**
 * Walks the trail in order up to the head (read first, so events appended meanwhile by a live server are
 * left for the next walk) and recomputes every link; the first broken one is reported. Changing, removing
 * or reordering any event is caught, and so is removing events from the end (the head still counts them).
 * Rewriting the whole tail together with the head is caught only against an anchor kept elsewhere.
 */
export async function verifyAuditChain(
  db: Kysely<Tables>,
  opts: { readonly anchors?: readonly AuditAnchor[]; readonly pageSize?: number } = {},
): Promise<ChainVerdict> {
  const pageSize = opts.pageSize ?? 5000;
  const anchors = new Map((opts.anchors ?? []).map((a) => [a.seq, a.hash]));
  const head = await db
    .selectFrom('audit_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirst();
  if (!head) return { ok: false, seq: 1, reason: 'the chain head is missing' };
  let prev = GENESIS_HASH;
  let expected = 1;
  for (;;) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '>=', expected)
      .where('seq', '<=', head.seq)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    for (const r of rows) {
      if (r.seq !== expected) return { ok: false, seq: expected, reason: `event ${expected} is missing` };
      if (r.prev_hash !== prev)
        return { ok: false, seq: r.seq, reason: 'does not link to the previous event' };
      const entry: AuditEntry = {
        at: r.at,
        actor: r.actor,
        orgId: r.org_id,
        action: r.action,
        objectType: r.object_type,
        objectId: r.object_id,
        requestId: r.request_id,
        outcome: r.outcome as AuditEntry['outcome'],
        details: JSON.parse(r.details) as Record<string, unknown>,
      };
      if (chainHash(r.seq, entry, prev) !== r.hash)
        return { ok: false, seq: r.seq, reason: 'its content does not match its hash' };
      const anchored = anchors.get(r.seq);
      if (anchored !== undefined && anchored !== r.hash)
        return {
          ok: false,
          seq: r.seq,
          reason: 'its hash differs from the anchored one: the trail was rewritten',
        };
      prev = r.hash;
      expected++;
    }
    if (rows.length < pageSize) break;
  }
  const last = expected - 1;
  if (last < head.seq)
    return {
      ok: false,
      seq: last + 1,
      reason: `event ${last + 1} is missing: the head records ${head.seq} events`,
    };
  if (head.hash !== prev)
    return { ok: false, seq: last, reason: `event ${last} does not match the chain head's hash` };
  for (const seq of anchors.keys())
    if (seq > last)
      return {
        ok: false,
        seq: last + 1,
        reason: `the trail ends at event ${last} but event ${seq} was anchored`,
      };
  return { ok: true, events: last, headHash: prev };
}
