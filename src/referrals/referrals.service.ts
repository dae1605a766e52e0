import type { Decision } from '../domain/decision.ts';
import type { Instant } from '../domain/ids.ts';
import { effectiveHashes, type ReferralDocument } from '../domain/referral.ts';
import type { RequestContext } from '../intake/intake.service.ts';
import { appendAudit, lockAuditHead } from '../store/audit.repo.ts';
import type { Database } from '../store/db.ts';
import { listOrganisations } from '../store/organisations.repo.ts';
import {
  getReferral,
  listIdentifiers,
  pageReferrals,
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
}

export interface ReferralView extends ReferralSummary {
  readonly format: string;
  readonly contentSha256: string;
  readonly document: ReferralDocument;
  readonly decision: Decision | null;
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
    reasons: readonly string[];
  };
  readonly priority: Decision['priority'];
  readonly subjects: readonly unknown[];
  readonly matches: readonly unknown[];
}

export interface ListQuery extends ReferralFilter {
  readonly after?: string;
  readonly limit: number;
}

export interface ReferralsService {
  /** A page of summaries; the page is an audited read naming every referral it showed. */
  list(q: ListQuery, ctx: RequestContext): Promise<{ items: ReferralSummary[]; next: string | null }>;
  /** Every read of a whole referral is audited, in the same transaction as nothing else: the read itself. */
  get(id: string, ctx: RequestContext): Promise<ReferralView | undefined>;
  /** Every referral matching the filter, oldest first; the export itself is an audited read. */
  exportAll(filter: ReferralFilter, ctx: RequestContext): AsyncIterable<ExportRecord>;
}

export function createReferralsService(deps: {
  readonly database: Database;
  readonly clock: { now(): Instant };
}): ReferralsService {
  const { database, clock } = deps;

  async function slugs(): Promise<Map<string, string>> {
    return new Map((await listOrganisations(database.db)).map((o) => [o.id, o.slug]));
  }

  /** Reads are audited like writes: one chained event, committed before the data is returned. */
  async function audit(
    ctx: RequestContext,
    action: string,
    objectId: string | null,
    details: Record<string, unknown>,
    outcome: 'ok' | 'error' = 'ok',
  ): Promise<void> {
    await database.db.transaction().execute(async (trx) => {
      const head = await lockAuditHead(trx);
      await appendAudit(trx, head, [
        {
          at: clock.now(),
          actor: ctx.actor,
          orgId: null,
          action,
          objectType: 'referral',
          objectId,
          requestId: ctx.requestId,
          outcome,
          details,
        },
      ]);
    });
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
    };
  }

  return {
    async list(q, ctx) {
      const names = await slugs();
      const rows = await pageReferrals(database.db, q, {
        ...(q.after && { after: q.after }),
        limit: q.limit + 1,
        order: 'desc',
      });
      const items = rows.slice(0, q.limit).map((r) => summary(r, names));
      await audit(ctx, 'referral.list', null, { ids: items.map((i) => i.id) });
      return { items, next: rows.length > q.limit ? (items.at(-1)?.id ?? null) : null };
    },

    async get(id, ctx) {
      const row = await getReferral(database.db, id);
      await audit(ctx, 'referral.read', id, row ? {} : { error: 'not_found' }, row ? 'ok' : 'error');
      if (!row) return undefined;
      const names = await slugs();
      return {
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
      };
    },

    async *exportAll(filter, ctx) {
      await audit(ctx, 'referral.export', null, { filter });
      const names = await slugs();
      let after: string | undefined;
      for (;;) {
        const rows = await pageReferrals(database.db, filter, {
          ...(after && { after }),
          limit: 1000,
          order: 'asc',
        });
        for (const r of rows) yield exportRecord(r, names);
        if (rows.length < 1000) return;
        after = rows.at(-1)?.id;
      }
    },
  };
}

function exportRecord(r: ReferralRow, names: Map<string, string>): ExportRecord {
  const doc = JSON.parse(r.document) as ReferralDocument;
  const decision = r.decision === null ? null : (JSON.parse(r.decision) as Decision);
  const j = decision?.jurisdiction;
  return {
    id: r.id,
    sourceRef: r.sourceRef,
    receivedAt: r.receivedAt,
    files: doc.files.map(effectiveHashes),
    jurisdiction: {
      country: j?.country ?? null,
      region: j?.region ?? null,
      recipient: j?.recipientOrgId ? (names.get(j.recipientOrgId) ?? j.recipientOrgId) : null,
      reasons: j?.reasons ?? [],
    },
    priority: decision?.priority ?? null,
    subjects: [],
    matches: [],
  };
}
