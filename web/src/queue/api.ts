/**
 * The triage API as the queue and referral screens use it: typed calls on the generated client, answers
 * typed as the server's own view types.
 */
import { api, ok } from '../api/client.ts';
import type { Organisation, PriorityLevel, QueueItem } from '../api/views.ts';

export const LEVELS: readonly PriorityLevel[] = ['E', '1', '2', '3'];
export const PAGE_SIZE = 50;

export interface QueuePage {
  readonly items: QueueItem[];
  readonly next: string | null;
  /**
   * The server's clock taken just before the page was read (its `asOf`, to the millisecond): the moment
   * "new arrivals" count from, so a referral stored while the page was being read is never missed.
   */
  readonly readAt: string;
}

export interface QueueQuery {
  readonly org?: string;
  readonly level?: string;
  readonly country?: string;
  readonly status?: 'pending' | 'accepted' | 'all';
  readonly hasMatches?: boolean;
  readonly held?: boolean;
  readonly classification?: 'actionable' | 'informational' | 'all';
}

export async function queuePage(q: QueueQuery, after: string | undefined): Promise<QueuePage> {
  const page = await ok<{ items: QueueItem[]; next: string | null; asOf: string }>(
    api.GET('/api/v1/queue', {
      params: { query: { ...q, ...(after !== undefined && { after }), limit: PAGE_SIZE } },
    }),
  );
  return { items: page.items, next: page.next, readAt: page.asOf };
}

export interface Arrivals {
  readonly count: number;
  readonly latest: string | null;
}

export function arrivals(since: string, org: string | undefined): Promise<Arrivals> {
  return ok<Arrivals>(
    api.GET('/api/v1/queue/arrivals', { params: { query: { since, ...(org && { org }) } } }),
  );
}

export function acceptReferral(id: string): Promise<QueueItem> {
  return ok<QueueItem>(api.POST('/api/v1/referrals/{id}/accept', { params: { path: { id } } }));
}

export function reassignReferral(id: string, to: string, reason: string): Promise<QueueItem> {
  return ok<QueueItem>(
    api.POST('/api/v1/referrals/{id}/reassign', { params: { path: { id } }, body: { to, reason } }),
  );
}

export function overridePriority(id: string, level: PriorityLevel, reason: string): Promise<QueueItem> {
  return ok<QueueItem>(
    api.POST('/api/v1/referrals/{id}/priority', { params: { path: { id } }, body: { level, reason } }),
  );
}

export async function organisations(): Promise<Organisation[]> {
  return (await ok<{ items: Organisation[] }>(api.GET('/api/v1/organisations'))).items;
}

const RECEIVING: ReadonlySet<string> = new Set(['hub', 'national-centre', 'unit']);

/** Organisations that act on referrals and sit in `slug`'s subtree (its queues the user may read). */
export function queuesInReach(all: readonly Organisation[], slug: string): Organisation[] {
  const own = all.find((o) => o.slug === slug);
  if (!own) return [];
  const inside = subtree(all, own.id);
  return all.filter((o) => inside.has(o.id) && RECEIVING.has(o.kind));
}

/**
 * Where the user may send a referral (the server's rule): down into their own subtree or back up their own
 * line, never sideways; only organisations that receive referrals.
 */
export function reassignTargets(all: readonly Organisation[], slug: string): Organisation[] {
  const own = all.find((o) => o.slug === slug);
  if (!own) return [];
  const allowed = subtree(all, own.id);
  for (let p = own.parentId; p !== null && !allowed.has(p);) {
    allowed.add(p);
    const at = p;
    p = all.find((o) => o.id === at)?.parentId ?? null;
  }
  return all
    .filter((o) => allowed.has(o.id) && RECEIVING.has(o.kind))
    .sort((a, b) => a.slug.localeCompare(b.slug));
}

function subtree(all: readonly Organisation[], root: string): Set<string> {
  const out = new Set<string>([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const o of all)
      if (o.parentId !== null && out.has(o.parentId) && !out.has(o.id)) {
        out.add(o.id);
        grew = true;
      }
  }
  return out;
}
