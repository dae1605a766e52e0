import { sql, type Expression, type SqlBool } from 'kysely';
import { can, type RequestContext } from '../domain/access.ts';
import { problem } from '../domain/errors.ts';
import type { Instant } from '../domain/ids.ts';
import type { OrganisationsService } from '../organisations/organisations.service.ts';
import type { Outcome } from '../domain/result.ts';
import { auditEvent, recordAudit } from '../store/audit.repo.ts';
import type { Database } from '../store/db.ts';

/** What a supervisor puts on the wall: the flow of referrals in reach over a window of days. */
export interface DashboardView {
  /** The window, [from, to): whole UTC days ending today. */
  readonly from: string;
  readonly to: string;
  /** Referrals received in the window. */
  readonly total: number;
  readonly informational: number;
  /** Every day of the window, empty days included. */
  readonly receivedPerDay: readonly { readonly day: string; readonly count: number }[];
  /** By effective level (an override counts as the level); null: not prioritised. */
  readonly byLevel: readonly { readonly level: string | null; readonly count: number }[];
  /** By country, most first; null: no jurisdiction found. */
  readonly byCountry: readonly { readonly country: string | null; readonly count: number }[];
  /** Held for triage now, whenever received, and the oldest of them. */
  readonly held: { readonly backlog: number; readonly oldest: string | null };
  /** From receipt to the routing decision in force, over the window's routed (not held) referrals. */
  readonly routing: { readonly decided: number; readonly medianSeconds: number | null };
  /** Share of the window's referrals with at least one (positive) match on each list. */
  readonly matchRates: readonly {
    readonly list: string;
    readonly referrals: number;
    readonly rate: number;
  }[];
}

export interface DashboardService {
  view(q: { readonly days: number }, ctx: RequestContext): Promise<Outcome<DashboardView>>;
}

const DAY = 86_400_000;

export function createDashboardService(deps: {
  readonly database: Database;
  readonly organisations: Pick<OrganisationsService, 'reach'>;
  readonly clock: { now(): Instant };
}): DashboardService {
  const { database, organisations, clock } = deps;
  const { db } = database;

  return {
    async view(q, ctx) {
      if (!can(ctx.principal, 'referral.read'))
        return { ok: false, problems: [problem('forbidden', '', 'your role cannot read referrals')] };
      const reach = await organisations.reach(ctx);
      const now = Date.parse(clock.now());
      const to = new Date(Math.floor(now / DAY) * DAY + DAY).toISOString();
      const from = new Date(Date.parse(to) - q.days * DAY).toISOString();
      // Only referrals routed (or held) within the caller's organisation and those below it.
      const inReach = (column: 'r.recipient_org_id'): Expression<SqlBool> =>
        reach === undefined
          ? sql<SqlBool>`1 = 1`
          : reach.size === 0
            ? sql<SqlBool>`1 = 0`
            : sql<SqlBool>`${sql.ref(column)} in (${sql.join([...reach])})`;
      const windowed = db
        .selectFrom('referrals as r')
        .where(inReach('r.recipient_org_id'))
        .where('r.received_at', '>=', from)
        .where('r.received_at', '<', to);

      // Routed (not held) referrals and their current routing decision: a re-route restarts the clock.
      const routedInWindow = windowed
        .innerJoin('decisions as d', 'd.referral_id', 'r.id')
        .where('d.outcome', '=', 'routed');
      const day = sql<string>`substr(r.received_at, 1, 10)`;
      const [perDay, levels, countries, classes, held, decided] = await Promise.all([
        windowed
          .select([day.as('day'), (eb) => eb.fn.countAll<number | string>().as('n')])
          .groupBy(day)
          .execute(),
        windowed
          .select(['r.priority_level as level', (eb) => eb.fn.countAll<number | string>().as('n')])
          .groupBy('r.priority_level')
          .execute(),
        windowed
          .select(['r.country as country', (eb) => eb.fn.countAll<number | string>().as('n')])
          .groupBy('r.country')
          .execute(),
        windowed
          .select(['r.classification as c', (eb) => eb.fn.countAll<number | string>().as('n')])
          .groupBy('r.classification')
          .execute(),
        db
          .selectFrom('referrals as r')
          .where(inReach('r.recipient_org_id'))
          .where('r.status', '=', 'held')
          .select([
            (eb) => eb.fn.countAll<number | string>().as('n'),
            (eb) => eb.fn.min('r.received_at').as('oldest'),
          ])
          .executeTakeFirstOrThrow(),
        routedInWindow.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
      ]);
      const decidedCount = Number(decided.n);
      const seconds =
        database.dialect === 'postgres'
          ? sql<number>`extract(epoch from (d.decided_at::timestamptz - r.received_at::timestamptz))`
          : sql<number>`(julianday(d.decided_at) - julianday(r.received_at)) * 86400.0`;
      // The median without loading the durations: the middle row of them in order.
      const middle =
        decidedCount === 0
          ? undefined
          : await routedInWindow
              .select(seconds.as('s'))
              .orderBy(seconds)
              .limit(1)
              .offset(Math.floor((decidedCount - 1) / 2))
              .executeTakeFirst();
      const listName =
        database.dialect === 'postgres'
          ? sql<string>`m.value->'list'->>'name'`
          : sql<string>`json_extract(m.value, '$.list.name')`;
      const matchesOf =
        database.dialect === 'postgres'
          ? sql`jsonb_array_elements((d.decision::jsonb)->'matches')`
          : sql`json_each(d.decision, '$.matches')`;
      const negative =
        database.dialect === 'postgres'
          ? sql<SqlBool>`coalesce((m.value->'list'->>'negative')::boolean, false) = false`
          : sql<SqlBool>`coalesce(json_extract(m.value, '$.list.negative'), 0) = 0`;
      const lists = await windowed
        .innerJoin('decisions as d', 'd.referral_id', 'r.id')
        .innerJoin(sql`${matchesOf}`.as('m'), (j) => j.onTrue())
        .where(negative)
        .select([listName.as('list'), sql<number | string>`count(distinct r.id)`.as('n')])
        .groupBy(listName)
        .execute();

      const total = perDay.reduce((s, r) => s + Number(r.n), 0);
      const counts = new Map(perDay.map((r) => [r.day, Number(r.n)]));
      const receivedPerDay = [];
      for (let t = Date.parse(from); t < Date.parse(to); t += DAY) {
        const d = new Date(t).toISOString().slice(0, 10);
        receivedPerDay.push({ day: d, count: counts.get(d) ?? 0 });
      }
      const byCount = <T extends { n: number | string }>(rows: T[]) =>
        rows.map((r) => ({ ...r, n: Number(r.n) })).sort((a, b) => b.n - a.n);
      await recordAudit(db, [
        auditEvent(ctx, clock.now(), {
          action: 'dashboard.read',
          objectType: 'organisation',
          objectId: null,
          details: { from, to },
        }),
      ]);
      return {
        ok: true,
        value: {
          from,
          to,
          total,
          informational: Number(classes.find((c) => c.c === 'informational')?.n ?? 0),
          receivedPerDay,
          byLevel: byCount(levels)
            .map((r) => ({ level: r.level, count: r.n }))
            .sort((a, b) => levelOrder(a.level) - levelOrder(b.level)),
          byCountry: byCount(countries).map((r) => ({ country: r.country, count: r.n })),
          held: { backlog: Number(held.n), oldest: held.oldest ?? null },
          routing: {
            decided: decidedCount,
            medianSeconds: middle ? Math.max(0, Math.round(Number(middle.s) * 1000) / 1000) : null,
          },
          matchRates: byCount(lists).map((r) => ({
            list: r.list,
            referrals: r.n,
            rate: total === 0 ? 0 : r.n / total,
          })),
        },
      };
    },
  };
}

function levelOrder(level: string | null): number {
  return level === null ? 9 : level === 'E' ? 0 : Number(level);
}
