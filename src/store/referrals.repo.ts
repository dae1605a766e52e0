import { sql, type Kysely, type Transaction } from 'kysely';
import { PRIORITY_LEVELS, type Decision, type PriorityLevel } from '../domain/decision.ts';
import type { Instant, ReferralId } from '../domain/ids.ts';
import type { Identifier, IdentifierFacts } from '../domain/identifier.ts';
import { effectiveHashes, type Referral } from '../domain/referral.ts';
import { chunks } from './audit.repo.ts';
import type { Tables } from './schema.ts';

/** Everything stored for one accepted referral, written together. */
export interface ReferralRecord {
  readonly referral: Referral;
  readonly decision: Decision;
  readonly raw: {
    readonly mediaType: string;
    readonly encoding: 'gzip';
    readonly size: number;
    readonly sha256: string;
    readonly bytes: Uint8Array;
  };
}

/**
 * Inserts the referrals whose (source, reference) is new and returns the ids of those inserted;
 * the others already exist and are left untouched. Dependent rows are written only for the new ones.
 */
export async function insertReferrals(
  trx: Transaction<Tables>,
  records: readonly ReferralRecord[],
  decidedAt: string,
): Promise<Set<string>> {
  const inserted = new Set<string>();
  const referralRows = records.map(({ referral: r, decision }) => ({
    id: r.id,
    source_org_id: r.sourceOrgId,
    source_ref: r.sourceRef,
    content_sha256: r.contentSha256,
    format: r.format,
    received_at: r.receivedAt,
    incident_type: r.document.incident.type,
    incident_at: r.document.incident.occurredAt,
    status: r.status,
    recipient_org_id: r.recipientOrgId,
    document: JSON.stringify(r.document),
    ...effectiveColumns(decision),
    classification: decision.classification.kind,
    has_matches: decision.matches.some((m) => !m.list.negative) ? 1 : 0,
    triage: 'pending',
    overrides: null,
  }));
  for (const chunk of chunks(referralRows, 21)) {
    const rows = await trx
      .insertInto('referrals')
      .values(chunk)
      .onConflict((oc) => oc.columns(['source_org_id', 'source_ref']).doNothing())
      .returning('id')
      .execute();
    for (const { id } of rows) inserted.add(id);
  }
  const fresh = records.filter((r) => inserted.has(r.referral.id));
  if (fresh.length === 0) return inserted;

  const raw = fresh.map(({ referral, raw }) => ({
    referral_id: referral.id,
    media_type: raw.mediaType,
    encoding: raw.encoding,
    size: raw.size,
    sha256: raw.sha256,
    bytes: raw.bytes,
  }));
  const decisions = fresh.map(({ referral, decision }) => ({
    referral_id: referral.id,
    outcome: decision.outcome,
    recipient_org_id: decision.jurisdiction.recipientOrgId,
    // The identifiers live in their own table (indexed for linking); the JSON keeps the rest.
    decision: JSON.stringify({ ...decision, identifiers: undefined }),
    decided_at: decidedAt,
  }));
  const identifiers = fresh.flatMap(({ referral, decision }) =>
    identifierRows(referral.id, decision.identifiers),
  );
  const files = fresh.flatMap(({ referral }) =>
    referral.document.files.map((f, ord) => ({
      referral_id: referral.id,
      ord,
      ...effectiveHashes(f),
      relevance: f.relevance,
      classification: f.industryClassification ?? null,
    })),
  );
  for (const c of chunks(raw, 6)) await trx.insertInto('referral_raw').values(c).execute();
  for (const c of chunks(decisions, 5)) await trx.insertInto('decisions').values(c).execute();
  for (const c of chunks(identifiers, 11)) await trx.insertInto('identifiers').values(c).execute();
  for (const c of chunks(files, 8)) await trx.insertInto('files').values(c).execute();
  return inserted;
}

function identifierRows(referralId: string, identifiers: readonly Identifier[]) {
  return identifiers.map((x, ord) => ({
    referral_id: referralId,
    ord,
    kind: x.kind,
    value: x.value,
    raw: x.raw,
    role: x.role,
    account: x.account,
    service: x.service ?? null,
    port: x.port ?? null,
    seen_at: x.at ?? null,
    facts: x.facts ? JSON.stringify(x.facts) : null,
  }));
}

/** Queue order: E first, then 1, 2, 3; 4 for a referral without a priority. */
export function priorityRank(level: PriorityLevel | null): number {
  return level === null ? 4 : PRIORITY_LEVELS.indexOf(level);
}

/** The decision's values the queue sorts and filters on, as referral columns. */
export function effectiveColumns(decision: Decision) {
  return {
    priority_level: decision.priority?.level ?? null,
    priority_rank: priorityRank(decision.priority?.level ?? null),
    priority_score: decision.priority?.score ?? null,
    country: decision.jurisdiction.country,
    region: decision.jurisdiction.region,
    confidence: decision.jurisdiction.confidence,
  };
}

/** What a resubmission is compared with: the stored referral's id, raw-input hash and document (JSON). */
export interface StoredReferral {
  readonly id: ReferralId;
  readonly contentSha256: string;
  readonly document: string;
}

export async function findReferralIds(
  db: Kysely<Tables> | Transaction<Tables>,
  sourceOrgId: string,
  refs: readonly string[],
): Promise<Map<string, StoredReferral>> {
  const out = new Map<string, StoredReferral>();
  for (let i = 0; i < refs.length; i += 1000) {
    const rows = await db
      .selectFrom('referrals')
      .select(['id', 'source_ref', 'content_sha256', 'document'])
      .where('source_org_id', '=', sourceOrgId)
      .where('source_ref', 'in', refs.slice(i, i + 1000))
      .execute();
    for (const row of rows) {
      out.set(row.source_ref, {
        id: row.id as ReferralId,
        contentSha256: row.content_sha256,
        document: row.document,
      });
    }
  }
  return out;
}

export async function insertOutbox(
  trx: Transaction<Tables>,
  rows: readonly { id: string; topic: string; payload: unknown; at: string }[],
): Promise<void> {
  const values = rows.map((r) => ({
    id: r.id,
    topic: r.topic,
    payload: JSON.stringify(r.payload),
    created_at: r.at,
    available_at: r.at,
    attempts: 0,
    done_at: null,
  }));
  for (const c of chunks(values, 7)) await trx.insertInto('outbox').values(c).execute();
}

export interface ReferralFilter {
  readonly sourceOrgId?: string;
  readonly recipientOrgId?: string;
  readonly status?: string;
  readonly receivedFrom?: string;
  readonly receivedTo?: string;
  /** Need-to-know: only referrals routed into these organisations, or filed by `source`. */
  readonly visibleTo?: { readonly recipients: readonly string[]; readonly source: string | null };
}

export interface ReferralRow {
  readonly id: string;
  readonly sourceOrgId: string;
  readonly sourceRef: string;
  readonly contentSha256: string;
  readonly format: string;
  readonly receivedAt: string;
  readonly incidentType: string;
  readonly incidentAt: string;
  readonly status: string;
  readonly recipientOrgId: string | null;
  readonly document: string;
  readonly decision: string | null;
  readonly priorityLevel: string | null;
  readonly priorityRank: number;
  readonly priorityScore: number | null;
  readonly country: string | null;
  readonly region: string | null;
  readonly confidence: number | null;
  readonly classification: string;
  readonly hasMatches: number;
  readonly triage: string;
  readonly overrides: string | null;
}

/**
 * One page in id order (ids are UUIDv7, so this is arrival order), starting after `after`:
 * keyset pagination, so page N costs the same as page 1.
 */
export async function pageReferrals(
  db: Kysely<Tables>,
  filter: ReferralFilter,
  page: { readonly after?: string; readonly limit: number; readonly order: 'asc' | 'desc' },
): Promise<ReferralRow[]> {
  let q = referralQuery(db);
  if (filter.sourceOrgId) q = q.where('r.source_org_id', '=', filter.sourceOrgId);
  if (filter.recipientOrgId) q = q.where('r.recipient_org_id', '=', filter.recipientOrgId);
  if (filter.status) q = q.where('r.status', '=', filter.status);
  if (filter.receivedFrom) q = q.where('r.received_at', '>=', filter.receivedFrom);
  if (filter.receivedTo) q = q.where('r.received_at', '<', filter.receivedTo);
  const visible = filter.visibleTo;
  if (visible) {
    q = q.where((eb) =>
      eb.or([
        ...(visible.recipients.length ? [eb('r.recipient_org_id', 'in', visible.recipients)] : []),
        ...(visible.source ? [eb('r.source_org_id', '=', visible.source)] : []),
        sql<boolean>`1 = 0`,
      ]),
    );
  }
  if (page.after) q = q.where('r.id', page.order === 'asc' ? '>' : '<', page.after);
  return q.orderBy('r.id', page.order).limit(page.limit).execute();
}

function referralQuery(db: Kysely<Tables>) {
  return db
    .selectFrom('referrals as r')
    .leftJoin('decisions as d', 'd.referral_id', 'r.id')
    .select([
      'r.id',
      'r.source_org_id as sourceOrgId',
      'r.source_ref as sourceRef',
      'r.content_sha256 as contentSha256',
      'r.format',
      'r.received_at as receivedAt',
      'r.incident_type as incidentType',
      'r.incident_at as incidentAt',
      'r.status',
      'r.recipient_org_id as recipientOrgId',
      'r.document',
      'd.decision',
      'r.priority_level as priorityLevel',
      'r.priority_rank as priorityRank',
      'r.priority_score as priorityScore',
      'r.country',
      'r.region',
      'r.confidence',
      'r.classification',
      'r.has_matches as hasMatches',
      'r.triage',
      'r.overrides',
    ]);
}

export async function getReferral(db: Kysely<Tables>, id: string): Promise<ReferralRow | undefined> {
  const rows = await referralQuery(db).where('r.id', '=', id).execute();
  return rows[0];
}

export async function getRaw(db: Kysely<Tables>, id: string): Promise<Tables['referral_raw'] | undefined> {
  return db.selectFrom('referral_raw').selectAll().where('referral_id', '=', id).executeTakeFirst();
}

export async function countReferrals(db: Kysely<Tables>): Promise<number> {
  const r = await db
    .selectFrom('referrals')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * The subjects each of a page of referrals was linked into, one query for the page: referral id → subject
 * ids in the order of the referral's reported persons (each once). Referrals not yet linked are absent.
 */
export async function subjectIdsOf(
  db: Kysely<Tables>,
  referralIds: readonly string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (referralIds.length === 0) return out;
  const rows = await db
    .selectFrom('subject_mentions')
    .select(['referral_id', 'subject_id'])
    .where('referral_id', 'in', [...referralIds])
    .orderBy('referral_id')
    .orderBy('slot')
    .execute();
  for (const r of rows) {
    const ids = out.get(r.referral_id) ?? [];
    if (!ids.includes(r.subject_id)) ids.push(r.subject_id);
    out.set(r.referral_id, ids);
  }
  return out;
}

/** A referral's identifiers, in the order the pipeline found them. */
export async function listIdentifiers(db: Kysely<Tables>, referralId: string): Promise<Identifier[]> {
  const rows = await db
    .selectFrom('identifiers')
    .selectAll()
    .where('referral_id', '=', referralId)
    .orderBy('ord')
    .execute();
  return rows.map(identifierOf);
}

/** A stored identifier row as the domain's `Identifier`. */
export function identifierOf(r: Tables['identifiers']): Identifier {
  return {
    kind: r.kind as Identifier['kind'],
    value: r.value,
    raw: r.raw,
    role: r.role as Identifier['role'],
    account: r.account,
    ...(r.service !== null && { service: r.service }),
    ...(r.port !== null && { port: r.port }),
    ...(r.seen_at !== null && { at: r.seen_at as Instant }),
    ...(r.facts !== null && { facts: JSON.parse(r.facts) as IdentifierFacts }),
  };
}

export interface QueueFilter {
  readonly recipientOrgId: string;
  readonly classification?: 'actionable' | 'informational';
  /** Ranks (E=0 … 3=3) to include. */
  readonly ranks?: readonly number[];
  readonly country?: string;
  readonly triage?: 'pending' | 'accepted';
  readonly hasMatches?: boolean;
  readonly held?: boolean;
}

/** Where a queue page starts: after this (rank, received, id). */
export interface QueueCursor {
  readonly rank: number;
  readonly receivedAt: string;
  readonly id: string;
}

/**
 * One page of an organisation's queue, by priority then age: keyset pagination over the
 * `referrals_queue` index, so a page deep in the list costs what the first one does.
 */
export async function pageQueue(
  db: Kysely<Tables>,
  f: QueueFilter,
  page: { readonly after?: QueueCursor; readonly limit: number },
): Promise<ReferralRow[]> {
  let q = referralQuery(db).where('r.recipient_org_id', '=', f.recipientOrgId);
  if (f.classification) q = q.where('r.classification', '=', f.classification);
  if (f.ranks) q = q.where('r.priority_rank', 'in', f.ranks.length > 0 ? [...f.ranks] : [-1]);
  if (f.country) q = q.where('r.country', '=', f.country);
  if (f.triage) q = q.where('r.triage', '=', f.triage);
  if (f.hasMatches !== undefined) q = q.where('r.has_matches', '=', f.hasMatches ? 1 : 0);
  if (f.held !== undefined) q = q.where('r.status', f.held ? '=' : '<>', 'held');
  const after = page.after;
  if (after)
    q = q.where((eb) =>
      eb(
        eb.refTuple('r.priority_rank', 'r.received_at', 'r.id'),
        '>',
        eb.tuple(after.rank, after.receivedAt, after.id),
      ),
    );
  return q.orderBy('r.priority_rank').orderBy('r.received_at').orderBy('r.id').limit(page.limit).execute();
}

/**
 * Pending, actionable referrals of an organisation received after `since`. Ids are UUIDv7, minted at
 * receipt, so the range starts on the `referrals_recipient` index at the first id that time could have.
 */
export async function countArrivals(
  db: Kysely<Tables>,
  recipientOrgId: string,
  since: string,
): Promise<{ count: number; latest: string | null }> {
  const r = await db
    .selectFrom('referrals')
    .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.max('received_at').as('latest')])
    .where('recipient_org_id', '=', recipientOrgId)
    .where('id', '>=', uuidV7Floor(since))
    .where('received_at', '>', since)
    .where('classification', '=', 'actionable')
    .where('triage', '=', 'pending')
    .executeTakeFirstOrThrow();
  return { count: Number(r.n), latest: r.latest ?? null };
}

/** The smallest UUIDv7 of a millisecond: its 48-bit timestamp, then zeros. */
function uuidV7Floor(at: string): string {
  const hex = Math.max(0, Date.parse(at)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/** The triage columns of one referral that an action changes. */
export type TriageUpdate = Partial<
  Pick<
    Tables['referrals'],
    | 'status'
    | 'recipient_org_id'
    | 'triage'
    | 'overrides'
    | 'priority_level'
    | 'priority_rank'
    | 'priority_score'
    | 'country'
    | 'region'
    | 'confidence'
    | 'classification'
    | 'has_matches'
  >
>;

export async function updateTriage(trx: Transaction<Tables>, id: string, set: TriageUpdate): Promise<void> {
  await trx.updateTable('referrals').set(set).where('id', '=', id).execute();
}

/** The triage state of these referrals as it is now (read inside the transaction that changes it). */
export async function triageStates(
  trx: Transaction<Tables>,
  ids: readonly string[],
): Promise<
  Map<string, { triage: string; overrides: string | null; recipientOrgId: string | null; status: string }>
> {
  const out = new Map<
    string,
    { triage: string; overrides: string | null; recipientOrgId: string | null; status: string }
  >();
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await trx
      .selectFrom('referrals')
      .select(['id', 'triage', 'overrides', 'recipient_org_id', 'status'])
      .where('id', 'in', ids.slice(i, i + 1000))
      .execute();
    for (const r of rows)
      out.set(r.id, {
        triage: r.triage,
        overrides: r.overrides,
        recipientOrgId: r.recipient_org_id,
        status: r.status,
      });
  }
  return out;
}

/** A new decision for a stored referral, with the identifiers it found (normalisation may have changed). */
export async function replaceDecision(
  trx: Transaction<Tables>,
  id: string,
  decision: Decision,
  decidedAt: string,
): Promise<void> {
  await trx
    .updateTable('decisions')
    .set({
      outcome: decision.outcome,
      recipient_org_id: decision.jurisdiction.recipientOrgId,
      decision: JSON.stringify({ ...decision, identifiers: undefined }),
      decided_at: decidedAt,
    })
    .where('referral_id', '=', id)
    .execute();
  await trx.deleteFrom('identifiers').where('referral_id', '=', id).execute();
  const rows = identifierRows(id, decision.identifiers);
  for (const c of chunks(rows, 11)) await trx.insertInto('identifiers').values(c).execute();
}
