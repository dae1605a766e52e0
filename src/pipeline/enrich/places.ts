import { createRequire } from 'node:module';
import { parseCountryCode, type CountryCode } from '../../domain/ids.ts';

/**
 * Place names → codes, offline. Countries by their English name (from the runtime's ICU data) or their
 * alpha-2 code; first-level subdivisions (ISO 3166-2) by name from the maintained `country-region-data`
 * package; finer places (a city, a province) only through the routing rules' `places` table.
 */
interface RegionData {
  readonly countryShortCode: string;
  readonly regions: readonly { readonly name: string; readonly shortCode: string }[];
}

const require = createRequire(import.meta.url);

/** Accents, case and punctuation do not make another place: "Île-de-France" = "ile de france". */
export function placeKey(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

let countries: Map<string, CountryCode> | undefined;
let regions: Map<string, string> | undefined;

function countryTable(): Map<string, CountryCode> {
  if (countries) return countries;
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  const out = new Map<string, CountryCode>();
  for (const c of (require('country-region-data/data.json') as RegionData[]).map((d) => d.countryShortCode)) {
    const code = parseCountryCode(c);
    if (!code) continue;
    out.set(placeKey(c), code);
    const name = names.of(c);
    if (name) out.set(placeKey(name), code);
  }
  for (const [alias, code] of [
    ['uk', 'GB'],
    ['great britain', 'GB'],
    ['england', 'GB'],
    ['scotland', 'GB'],
    ['wales', 'GB'],
    ['usa', 'US'],
    ['united states of america', 'US'],
  ] as const) {
    const cc = parseCountryCode(code);
    if (cc) out.set(alias, cc);
  }
  countries = out;
  return out;
}

function regionTable(): Map<string, string> {
  if (regions) return regions;
  const out = new Map<string, string>();
  for (const c of require('country-region-data/data.json') as RegionData[]) {
    for (const r of c.regions) {
      if (!r.shortCode) continue;
      const code = `${c.countryShortCode}-${r.shortCode}`;
      out.set(`${c.countryShortCode}|${placeKey(r.name)}`, code);
      out.set(`${c.countryShortCode}|${placeKey(r.shortCode)}`, code);
    }
  }
  regions = out;
  return out;
}

/** A country written as a code (`IT`) or an English name (`Italy`). */
export function countryOfName(s: string | undefined): CountryCode | undefined {
  if (!s) return undefined;
  return countryTable().get(keyOf(s));
}

/**
 * The subdivision of `country` that a place name denotes: the agency's own table first (it may name a
 * city or province), then the first-level subdivisions by name or code.
 */
export function regionOf(
  country: CountryCode,
  names: readonly (string | undefined)[],
  places: Readonly<Record<string, string>>,
): string | undefined {
  const own = agencyPlaces(places);
  const keys = names.map((n) => (n ? keyOf(n) : undefined));
  for (const key of keys) {
    const code = key === undefined ? undefined : own.get(`${country}|${key}`);
    if (code) return code;
  }
  for (const key of keys) {
    const code = key === undefined ? undefined : regionTable().get(`${country}|${key}`);
    if (code) return code;
  }
  return undefined;
}

/** The agency's table keyed like the built-in one, built once per rules document. */
const agencyTables = new WeakMap<Readonly<Record<string, string>>, Map<string, string>>();
function agencyPlaces(places: Readonly<Record<string, string>>): Map<string, string> {
  let table = agencyTables.get(places);
  if (!table) {
    table = new Map(
      Object.entries(places).map(([place, code]) => [`${code.slice(0, 2)}|${placeKey(place)}`, code]),
    );
    agencyTables.set(places, table);
  }
  return table;
}

/** Place names recur (a provider's estimates name a few hundred cities): their keys are remembered. */
const keys = new Map<string, string>();
function keyOf(name: string): string {
  let k = keys.get(name);
  if (k === undefined) {
    k = placeKey(name);
    if (keys.size >= 10_000) keys.clear();
    keys.set(name, k);
  }
  return k;
}
