import { gunzipSync } from 'node:zlib';
import type { Decision, Overrides } from '../domain/decision.ts';
import type { HashMatch } from '../domain/media.ts';
import type { Instant } from '../domain/ids.ts';
import { effectiveHashes, type ReferralDocument } from '../domain/referral.ts';
import { can, type RequestContext } from '../domain/access.ts';
import { subtreeOf, type Organisation } from '../domain/organisation.ts';
import { auditEvent, recordAudit, type AuditEntry } from '../store/audit.repo.ts';
import type { Database } from '../store/db.ts';
import {
  getRaw,
  getReferral,
  listIdentifiers,
  pageReferrals,
  subjectIdsOf,
  type ReferralFilter,
  type ReferralRow,
} from '../store/referrals.repo.ts';

export interface ReferralSummary {
  readonly id: string;
  readonly sourceRef: string;
  readonly source: string;
  readonly receivedAt: string;
  readonly status: string;
  readonly recipient: string | null;
  readonly incidentType: string;
  readonly incidentAt: string;
  readonly files: number;
  /** Effective values (the decision's, or an analyst's override). */
  readonly priority: string | null;
  readonly country: string | null;
  readonly classification: string;
  readonly triage: string;
}

export interface ReferralView extends ReferralSummary {
  readonly format: string;
  readonly contentSha256: string;
  readonly document: ReferralDocument;
  readonly decision: Decision | null;
  /** What analysts changed of the decision, with who, when and why. */
  readonly overrides: Overrides;
}

/** One line of `conduit export referrals` (the contract in DESIGN.md). */
export interface ExportRecord {
  readonly id: string;
  readonly sourceRef: string;
  readonly receivedAt: string;
  readonly files: readonly {
    md5: string | null;
    sha1: string | null;
    sha256: string | null;
    pdq: string | null;
  }[];
  readonly jurisdiction: {
    country: string | null;
    region: string | null;
    recipient: string | null;
    confidence: number | null;
    held: boolean;
    reasons: readonly string[];
  };
  readonly priority: Decision['priority'];
  readonly classification: Decision['classification'] | null;
  /** The subjects the referral's reported persons were linked into (none until it is linked). */
  readonly subjects: readonly string[];
  readonly matches: readonly HashMatch[];
}

export interface ListQuery extends ReferralFilter {
  readonly after?: string;
  readonly limit: number;
}

/** What the source of a referral may see of it: that it arrived, and when. */
export interface SubmissionStatus {
  readonly access: 'status';
  readonly id: string;
  readonly sourceRef: string;
  readonly receivedAt: string;
}

export type ReferralListItem = ({ readonly access: 'full' } & ReferralSummary) | SubmissionStatus;

export interface ReferralsService {
  /**
   * A page of what the principal may see, newest first; the page is an audited read naming every referral
   * it showed. Nothing else is counted or hinted at.
   */
  list(q: ListQuery, ctx: RequestContext): Promise<{ items: ReferralListItem[]; next: string | null }>;
  /**
   * One referral, checked against the principal: whole for the organisation it was routed into (and those
   * above it), its status for its source, undefined (as if absent) for anyone else. Audited either way.
   */
  get(
    id: string,
    ctx: RequestContext,
  ): Promise<({ readonly access: 'full' } & ReferralView) | SubmissionStatus | undefined>;
  /**
   * The document exactly as it was submitted (XML or JSON text), for whoever may read the referral whole;
   * undefined (as if absent) for anyone else. Audited either way.
   */
  raw(id: string, ctx: RequestContext): Promise<RawDocument | undefined>;
  /** Every referral the principal may read, oldest first; the export itself is an audited read. */
  exportAll(filter: ReferralFilter, ctx: RequestContext): AsyncIterable<ExportRecord>;
}

/** A referral's submitted document, as text. */
export interface RawDocument {
  readonly mediaType: string;
  readonly size: number;
  readonly sha256: string;
  readonly text: string;
}

/** How much of a referral a principal may see. */
type Access = 'full' | 'status' | 'none';

export function createReferralsService(deps: {
  readonly database: Database;
  readonly organisations: { list(): Promise<readonly Organisation[]> };
  readonly clock: { now(): Instant };
}): ReferralsService {
  const { database, organisations, clock } = deps;

  async function slugs(): Promise<Map<string, string>> {
    return new Map((await organisations.list()).map((o) => [o.id, o.slug]));
  }

  /** The principal's window on referrals: undefined for an operator (everything). */
  async function visibility(ctx: RequestContext): Promise<ReferralFilter['visibleTo']> {
    const p = ctx.principal;
    if (p.kind === 'operator') return undefined;
    const reach: ReadonlySet<string> = can(p, 'referral.read')
      ? subtreeOf(await organisations.list(), p.orgId)
      : new Set();
    return {
      recipients: [...reach],
      source: can(p, 'referral.status') ? p.orgId : null,
    };
  }

  function accessTo(row: ReferralRow, visible: ReferralFilter['visibleTo']): Access {
    if (!visible) return 'full';
    if (row.recipientOrgId !== null && visible.recipients.includes(row.recipientOrgId)) return 'full';
    return row.sourceOrgId === visible.source ? 'status' : 'none';
  }

  /** Reads are audited like writes: one chained event, committed before the data is returned. */
  function audit(
    ctx: RequestContext,
    action: string,
    objectId: string | null,
    details: Record<string, unknown>,
    outcome: AuditEntry['outcome'] = 'ok',
  ): Promise<void> {
    return recordAudit(database.db, [
      auditEvent(ctx, clock.now(), { action, objectType: 'referral', objectId, details, outcome }),
    ]);
  }

  function summary(r: ReferralRow, names: Map<string, string>): ReferralSummary {
    const doc = JSON.parse(r.document) as ReferralDocument;
    return {
      id: r.id,
      sourceRef: r.sourceRef,
      source: names.get(r.sourceOrgId) ?? r.sourceOrgId,
      receivedAt: r.receivedAt,
      status: r.status,
      recipient: r.recipientOrgId && (names.get(r.recipientOrgId) ?? r.recipientOrgId),
      incidentType: r.incidentType,
      incidentAt: r.incidentAt,
      files: doc.files.length,
      priority: r.priorityLevel,
      country: r.country,
      classification: r.classification,
      triage: r.triage,
    };
  }
  const statusOf = (r: ReferralRow): SubmissionStatus => ({
    access: 'status',
    id: r.id,
    sourceRef: r.sourceRef,
    receivedAt: r.receivedAt,
  });

  return {
    async list(q, ctx) {
      const visibleTo = await visibility(ctx);
      const names = await slugs();
      const rows = await pageReferrals(
        database.db,
        { ...q, ...(visibleTo && { visibleTo }) },
        {
          ...(q.after && { after: q.after }),
          limit: q.limit + 1,
          order: 'desc',
        },
      );
      const items = rows
        .slice(0, q.limit)
        .map((r): ReferralListItem =>
          accessTo(r, visibleTo) === 'full' ? { access: 'full', ...summary(r, names) } : statusOf(r),
        );
      await audit(ctx, 'referral.list', null, {
        ids: items.filter((i) => i.access === 'full').map((i) => i.id),
        statusIds: items.filter((i) => i.access === 'status').map((i) => i.id),
      });
      return { items, next: rows.length > q.limit ? (items.at(-1)?.id ?? null) : null };
    },

    async get(id, ctx) {
      const row = await getReferral(database.db, id);
      const access = row ? accessTo(row, await visibility(ctx)) : 'none';
      // Someone else's referral is reported as absent, and recorded as a refused read.
      await audit(
        ctx,
        access === 'status' ? 'referral.status' : 'referral.read',
        id,
        access === 'none' ? { error: row ? 'not_visible' : 'not_found' } : {},
        access === 'none' ? (row ? 'denied' : 'error') : 'ok',
      );
      if (!row || access === 'none') return undefined;
      if (access === 'status') return statusOf(row);
      const names = await slugs();
      return {
        access: 'full',
        ...summary(row, names),
        format: row.format,
        contentSha256: row.contentSha256,
        document: JSON.parse(row.document) as ReferralDocument,
        decision:
          row.decision === null
            ? null
            : {
                ...(JSON.parse(row.decision) as Omit<Decision, 'identifiers'>),
                identifiers: await listIdentifiers(database.db, id),
              },
        overrides: row.overrides === null ? {} : (JSON.parse(row.overrides) as Overrides),
      };
    },

    async raw(id, ctx) {
      const row = await getReferral(database.db, id);
      const full = row !== undefined && accessTo(row, await visibility(ctx)) === 'full';
      await audit(
        ctx,
        'referral.raw',
        id,
        full ? {} : { error: row ? 'not_visible' : 'not_found' },
        full ? 'ok' : row ? 'denied' : 'error',
      );
      const raw = full ? await getRaw(database.db, id) : undefined;
      if (!raw) return undefined;
      const bytes = raw.encoding === 'gzip' ? gunzipSync(raw.bytes) : Buffer.from(raw.bytes);
      return { mediaType: raw.media_type, size: raw.size, sha256: raw.sha256, text: bytes.toString('utf8') };
    },

    async *exportAll(filter, ctx) {
      const visibleTo = await visibility(ctx);
      // Export is of content: only what the principal may read whole.
      const scoped: ReferralFilter = {
        ...filter,
        ...(visibleTo && { visibleTo: { recipients: visibleTo.recipients, source: null } }),
      };
      await audit(ctx, 'referral.export', null, { filter });
      const names = await slugs();
      let after: string | undefined;
      for (;;) {
        const rows = await pageReferrals(database.db, scoped, {
          ...(after && { after }),
          limit: 1000,
          order: 'asc',
        });
        const subjects = await subjectIdsOf(
          database.db,
          rows.map((r) => r.id),
        );
        for (const r of rows) yield exportRecord(r, names, subjects.get(r.id) ?? []);
        if (rows.length < 1000) return;
        after = rows.at(-1)?.id;
      }
    },
  };
}

function exportRecord(r: ReferralRow, names: Map<string, string>, subjects: readonly string[]): ExportRecord {
  const doc = JSON.parse(r.document) as ReferralDocument;
  const decision = r.decision === null ? null : (JSON.parse(r.decision) as Decision);
  const overrides = r.overrides === null ? {} : (JSON.parse(r.overrides) as Overrides);
  const j = decision?.jurisdiction;
  const recipient = r.recipientOrgId;
  const p = decision?.priority ?? null;
  // The export says what is in force: an analyst's override shows as the last factor, with its reason.
  const priority =
    p && overrides.priority
      ? {
          ...p,
          level: overrides.priority.level,
          factors: [
            ...p.factors,
            {
              factor: 'override',
              points: 0,
              reason: `${overrides.priority.by}: ${overrides.priority.reason}`,
            },
          ],
        }
      : p;
  return {
    id: r.id,
    sourceRef: r.sourceRef,
    receivedAt: r.receivedAt,
    files: doc.files.map(effectiveHashes),
    jurisdiction: {
      country: r.country,
      region: r.region,
      recipient: recipient ? (names.get(recipient) ?? recipient) : null,
      confidence: r.confidence,
      held: r.status === 'held',
      reasons: [
        ...(overrides.recipient
          ? [`reassigned by ${overrides.recipient.by}: ${overrides.recipient.reason}`]
          : []),
        ...(j?.reasons ?? []),
      ],
    },
    priority,
    classification: decision?.classification ?? null,
    subjects,
    matches: decision?.matches ?? [],
  };
}
