import { api, ok } from '../api/client.ts';
import type { DashboardView } from '../api/views.ts';

/** The windows a supervisor picks from; any other whole number of days (1..366) in the address works too. */
export const WINDOWS = [7, 30, 90] as const;
export const DEFAULT_DAYS = 30;

/** The window asked for in the page address (?days=), or the default when absent or malformed. */
export function daysOf(params: URLSearchParams): number {
  const raw = params.get('days');
  if (raw === null || !/^\d{1,3}$/.test(raw)) return DEFAULT_DAYS;
  const d = Number(raw);
  return d >= 1 && d <= 366 ? d : DEFAULT_DAYS;
}

export function dashboard(days: number): Promise<DashboardView> {
  return ok<DashboardView>(api.GET('/api/v1/dashboard', { params: { query: { days } } }));
}
