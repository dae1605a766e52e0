import { can, orgOf, type RequestContext } from '../domain/access.ts';
import { problem, type Problem } from '../domain/errors.ts';
import type { Instant } from '../domain/ids.ts';
import type { OrganisationsService } from '../organisations/organisations.service.ts';
import {
  auditEvent,
  recordAudit,
  searchAudit,
  verifyAuditChain,
  type AuditAnchor,
  type ChainVerdict,
} from '../store/audit.repo.ts';
import type { Database } from '../store/db.ts';

export interface AuditQuery {
  readonly actor?: string;
  readonly action?: string;
  readonly objectType?: string;
  readonly objectId?: string;
  readonly from?: Instant;
  readonly to?: Instant;
  /** Cursor: the `seq` of the last event of the previous page; pages run newest first. */
  readonly before?: number;
  readonly limit: number;
}

export interface AuditEventView {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly organisation: string | null;
  readonly action: string;
  readonly objectType: string;
  readonly objectId: string | null;
  readonly requestId: string | null;
  readonly outcome: string;
  readonly details: unknown;
  readonly hash: string;
}

export interface AuditService {
  /** Recomputes the whole hash chain; the first broken link, if any, is the verdict. */
  verify(anchors?: readonly AuditAnchor[]): Promise<ChainVerdict>;
  /**
   * The trail for an auditor: events of their organisation and those below it (an auditor of a top-level
   * organisation also sees the instance's own, organisation-less events). The search is itself audited.
   */
  search(
    q: AuditQuery,
    ctx: RequestContext,
  ): Promise<
    { ok: true; items: AuditEventView[]; next: number | null } | { ok: false; problems: readonly Problem[] }
  >;
}

export function createAuditService(deps: {
  readonly database: Database;
  readonly organisations: OrganisationsService;
  readonly clock: { now(): Instant };
}): AuditService {
  const { database, organisations, clock } = deps;
  return {
    verify: (anchors) => verifyAuditChain(database.db, { ...(anchors && { anchors }) }),
    async search(q, ctx) {
      if (!can(ctx.principal, 'audit.read'))
        return { ok: false, problems: [problem('forbidden', '', 'your role cannot read the audit trail')] };
      const reach = await organisations.reach(ctx);
      const own = orgOf(ctx.principal);
      const top = own !== null && (await organisations.byId(own))?.parentId === null;
      const names = new Map<string, string>((await organisations.list()).map((o) => [o.id, o.slug]));
      const rows = await searchAudit(database.db, {
        ...q,
        limit: q.limit + 1,
        ...(reach && { orgIds: [...reach], includeNoOrg: top }),
      });
      const items = rows.slice(0, q.limit).map((r): AuditEventView => ({
        seq: r.seq,
        at: r.at,
        actor: r.actor,
        organisation: r.org_id === null ? null : (names.get(r.org_id) ?? r.org_id),
        action: r.action,
        objectType: r.object_type,
        objectId: r.object_id,
        requestId: r.request_id,
        outcome: r.outcome,
        details: JSON.parse(r.details) as unknown,
        hash: r.hash,
      }));
      await recordAudit(database.db, [
        auditEvent(ctx, clock.now(), {
          action: 'audit.search',
          objectType: 'audit',
          objectId: null,
          details: { query: { ...q }, shown: items.length },
        }),
      ]);
      return { ok: true, items, next: rows.length > q.limit ? (items.at(-1)?.seq ?? null) : null };
    },
  };
}
