import { useCallback } from 'react';
import type { DashboardView } from '../api/views.ts';
import { useLocale, useNumber, useRegionName, useT } from '../i18n/i18n.tsx';
import { dashboardWords } from './messages.ts';

/** The priority levels, most urgent first. */
export const LEVELS: readonly string[] = ['E', '1', '2', '3'];
/** The badge colours of styles.css. */
export const LEVEL_COLOURS: Readonly<Record<string, string>> = {
  E: '#8b0000',
  '1': '#b3261e',
  '2': '#a15c00',
  '3': '#1f5f99',
};
export const NO_LEVEL_COLOUR = '#4a5360';
export const ACCENT = '#0b4f8a';
export const GREY = '#4a5360';
/** How many countries the ranked chart names before adding up the rest. */
export const TOP_COUNTRIES = 15;

export interface LevelRow {
  readonly level: string | null;
  readonly count: number;
  readonly colour: string;
}

/** Every level, empty ones included (a wall chart keeps its bars in place), then any other, then none. */
export function levelRows(view: DashboardView): LevelRow[] {
  const count = new Map(view.byLevel.map((l) => [l.level, l.count]));
  const known = LEVELS;
  const rows: LevelRow[] = known.map((l) => ({
    level: l,
    count: count.get(l) ?? 0,
    colour: LEVEL_COLOURS[l]!,
  }));
  for (const l of view.byLevel)
    if (l.level !== null && !known.includes(l.level))
      rows.push({ level: l.level, count: l.count, colour: NO_LEVEL_COLOUR });
  rows.push({ level: null, count: count.get(null) ?? 0, colour: NO_LEVEL_COLOUR });
  return rows;
}

export interface CountryRow {
  readonly key: string;
  /** A country code; null with kind 'unknown' (no jurisdiction found) or 'other' (the rest added up). */
  readonly code: string | null;
  readonly kind: 'country' | 'unknown' | 'other';
  readonly count: number;
  /** For 'other': how many countries it adds up. */
  readonly countries: number;
}

/**
 * The ranked countries, most first: the top ones, "unknown" (no jurisdiction: never hidden in the rest) in
 * its place by count, and the remaining countries added up as "other" at the end.
 */
export function countryRows(view: DashboardView, top = TOP_COUNTRIES): CountryRow[] {
  const named = view.byCountry.filter((c) => c.country !== null).sort((a, b) => b.count - a.count);
  const unknown = view.byCountry.filter((c) => c.country === null).reduce((s, c) => s + c.count, 0);
  const shown = named.length > top + 1 ? named.slice(0, top) : named;
  const rest = named.slice(shown.length);
  const rows: CountryRow[] = shown.map((c) => ({
    key: c.country!,
    code: c.country,
    kind: 'country',
    count: c.count,
    countries: 1,
  }));
  if (unknown > 0) {
    const at = rows.findIndex((r) => r.count < unknown);
    const row: CountryRow = { key: '(unknown)', code: null, kind: 'unknown', count: unknown, countries: 0 };
    rows.splice(at === -1 ? rows.length : at, 0, row);
  }
  if (rest.length > 0)
    rows.push({
      key: '(other)',
      code: null,
      kind: 'other',
      count: rest.reduce((s, c) => s + c.count, 0),
      countries: rest.length,
    });
  return rows;
}

/** A country row's name in the user's language ("IT" → "Italy"), "unknown", or "other (n countries)". */
export function useCountryLabel(): (row: CountryRow) => string {
  const t = useT(dashboardWords);
  const n = useNumber();
  const region = useRegionName();
  return useCallback(
    (row) =>
      row.kind === 'unknown'
        ? t('unknown')
        : row.kind === 'other'
          ? t('other', { n: n(row.countries) })
          : region(row.code ?? ''),
    [t, n, region],
  );
}

/** A priority level by name: "Level E", "Not prioritised" (long), or "E", "none" (short, for an axis). */
export function useLevelLabel(): (level: string | null, short?: boolean) => string {
  const t = useT(dashboardWords);
  return useCallback(
    (level, short = false) =>
      level === null ? (short ? t('noLevelShort') : t('noLevel')) : short ? level : t('levelN', { level }),
    [t],
  );
}

/** A UTC day ("2025-03-12") in the user's language: short for an axis ("12 Mar"), medium otherwise. */
export function useDayLabel(): (day: string, short?: boolean) => string {
  const { locale } = useLocale();
  return useCallback(
    (day, short = false) =>
      new Intl.DateTimeFormat(
        locale,
        short
          ? { day: 'numeric', month: 'short', timeZone: 'UTC' }
          : { dateStyle: 'medium', timeZone: 'UTC' },
      ).format(new Date(`${day}T12:00:00Z`)),
    [locale],
  );
}

/** The instant to show a UTC day with <Time dateOnly>: its midday, the same date in every nearby zone. */
export function middayOf(day: string): string {
  return `${day.slice(0, 10)}T12:00:00.000Z`;
}

/** A share (0..1) as a percentage in the user's language: "34.5%". */
export function usePercent(): (share: number) => string {
  const t = useT(dashboardWords);
  const n = useNumber();
  return useCallback((share) => t('percent', { n: n(share * 100, 1) }), [t, n]);
}

/** A duration read at a glance: "0.004 s", "0.25 s", "1.2 s", "3 min", "2 h", "4 d". */
export function useDuration(): (seconds: number) => string {
  const t = useT(dashboardWords);
  const n = useNumber();
  return useCallback(
    (seconds) => {
      const s = Math.max(0, seconds);
      // Two significant digits below ten (the server counts to the millisecond), whole numbers above.
      const digits = (v: number) => (v < 0.1 ? 3 : v < 1 ? 2 : v < 10 ? 1 : 0);
      if (s < 60) return t('seconds', { n: n(s, digits(s)) });
      if (s < 3600) return t('minutes', { n: n(s / 60, digits(s / 60)) });
      if (s < 86_400) return t('hours', { n: n(s / 3600, digits(s / 3600)) });
      return t('days', { n: n(s / 86_400, digits(s / 86_400)) });
    },
    [t, n],
  );
}
