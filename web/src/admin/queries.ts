import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client.ts';
import type { Items, Organisation } from './types.ts';

/** Query keys of the administration screens (invalidated after each write). */
export const keys = {
  organisations: ['admin', 'organisations'] as const,
  users: ['admin', 'users'] as const,
  apikeys: ['admin', 'apikeys'] as const,
  hashlists: ['admin', 'hashlists'] as const,
  rules: (kind: string) => ['admin', 'rules', kind] as const,
  lexicons: ['admin', 'lexicons'] as const,
  registers: ['admin', 'registers'] as const,
  audit: (q: unknown) => ['admin', 'audit', q] as const,
};

export function useOrganisations() {
  return useQuery({
    queryKey: keys.organisations,
    queryFn: async () => (await ok<Items<Organisation>>(api.GET('/api/v1/organisations'))).items,
  });
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
