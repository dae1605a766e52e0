import type { PriorityLevel } from '../api/views.ts';
import { LEVELS, type QueueQuery } from './api.ts';

/** The queue's filters, as kept in the page address (so a filtered view can be bookmarked and shared). */
export interface Filters {
  readonly org: string;
  readonly levels: readonly PriorityLevel[];
  readonly country: string;
  readonly status: 'pending' | 'accepted' | 'all';
  readonly hasMatches: '' | 'yes' | 'no';
  readonly held: '' | 'yes' | 'no';
  readonly classification: 'actionable' | 'informational' | 'all';
}

export const DEFAULT_FILTERS: Filters = {
  org: '',
  levels: [],
  country: '',
  status: 'pending',
  hasMatches: '',
  held: '',
  classification: 'actionable',
};

const COUNTRY = /^[A-Z]{2}$/;

function oneOf<T extends string>(v: string | null, allowed: readonly T[], fallback: T): T {
  return v !== null && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
}

const yesNo = (v: string | null): '' | 'yes' | 'no' =>
  v === 'true' || v === 'yes' ? 'yes' : v === 'false' || v === 'no' ? 'no' : '';

/** Reads the filters from the address; anything unknown or malformed falls back to the default. */
export function filtersOf(params: URLSearchParams): Filters {
  const country = (params.get('country') ?? '').toUpperCase();
  const levels = (params.get('level') ?? '')
    .split(',')
    .filter((l): l is PriorityLevel => (LEVELS as readonly string[]).includes(l));
  return {
    org: params.get('org') ?? '',
    levels: LEVELS.filter((l) => levels.includes(l)),
    country: COUNTRY.test(country) ? country : '',
    status: oneOf(params.get('status'), ['pending', 'accepted', 'all'], 'pending'),
    hasMatches: yesNo(params.get('hasMatches')),
    held: yesNo(params.get('held')),
    classification: oneOf(params.get('classification'), ['actionable', 'informational', 'all'], 'actionable'),
  };
}

/** The filters as a page address query: only what differs from the default. */
export function paramsOf(f: Filters): URLSearchParams {
  const p = new URLSearchParams();
  if (f.org) p.set('org', f.org);
  if (f.levels.length > 0) p.set('level', f.levels.join(','));
  if (f.country) p.set('country', f.country);
  if (f.status !== DEFAULT_FILTERS.status) p.set('status', f.status);
  if (f.hasMatches) p.set('hasMatches', f.hasMatches === 'yes' ? 'true' : 'false');
  if (f.held) p.set('held', f.held === 'yes' ? 'true' : 'false');
  if (f.classification !== DEFAULT_FILTERS.classification) p.set('classification', f.classification);
  return p;
}

/** The filters as the queue API's query. */
export function queryOf(f: Filters): QueueQuery {
  return {
    ...(f.org && { org: f.org }),
    ...(f.levels.length > 0 && { level: f.levels.join(',') }),
    ...(f.country && { country: f.country }),
    status: f.status,
    ...(f.hasMatches && { hasMatches: f.hasMatches === 'yes' }),
    ...(f.held && { held: f.held === 'yes' }),
    classification: f.classification,
  };
}

export function isFiltered(f: Filters): boolean {
  return paramsOf(f).toString() !== '';
}

export function isCountry(s: string): boolean {
  return COUNTRY.test(s);
}
