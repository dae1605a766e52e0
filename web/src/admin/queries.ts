import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client.ts';
import type { Items, Organisation } from '../api/views.ts';

/** Query keys of the administration screens (invalidated after each write). */
export const keys = {
  // Shared with the queue and the referral (same answer, same key): a change here shows there too.
  organisations: ['organisations'] as const,
  users: ['admin', 'users'] as const,
  apikeys: ['admin', 'apikeys'] as const,
  hashlists: ['admin', 'hashlists'] as const,
  rules: (kind: string) => ['admin', 'rules', kind] as const,
  lexicons: ['admin', 'lexicons'] as const,
  registers: ['admin', 'registers'] as const,
  audit: (q: unknown) => ['admin', 'audit', q] as const,
};

/** A list the API answers as `{ items }`, kept under its query key. */
export function useItems<T>(queryKey: readonly unknown[], call: () => Parameters<typeof ok>[0]) {
  return useQuery({ queryKey, queryFn: async () => (await ok<Items<T>>(call())).items });
}

export function useOrganisations() {
  return useItems<Organisation>(keys.organisations, () => api.GET('/api/v1/organisations'));
}

/** The organisation of this slug and everything below it: where an administrator may add and manage. */
export function reachOf(orgs: readonly Organisation[], slug: string): Organisation[] {
  const root = orgs.find((o) => o.slug === slug);
  if (!root) return [];
  const out: Organisation[] = [root];
  for (let i = 0; i < out.length; i++) {
    const parent = out[i];
    for (const o of orgs) if (parent && o.parentId === parent.id && !out.includes(o)) out.push(o);
  }
  return out;
}
