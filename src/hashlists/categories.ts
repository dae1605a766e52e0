import type { MediaCategory } from '../domain/media.ts';

/**
 * The categorisation schemes a list may use. A code is only meaningful within its scheme (0 is
 * "non-pertinent" in VICS US but "uncategorised" in the legacy DHS set), so a scheme is always explicit.
 * - `vics-us`: Project VIC US profile 0–4 (also VICS 1.x and the 2.0 `Default` profile)
 * - `vics-uk`, `vics-custom`: VICS 2.0 UK / CUSTOM profiles; their integers are not publicly documented,
 *   so every code is kept but mapped to `uncategorised` until the mapping is known
 * - `industry`: the industry classification A1, A2, B1, B2
 * - `uk`: UK sentencing categories A, B, C
 * - `dhs`: the legacy DHS CAT-0…CAT-5 set (0 uncategorised … 5 non-pertinent)
 */
export const SCHEMES = ['vics-us', 'vics-uk', 'vics-custom', 'industry', 'uk', 'dhs'] as const;
export type Scheme = (typeof SCHEMES)[number];

export function isScheme(s: string): s is Scheme {
  return (SCHEMES as readonly string[]).includes(s);
}

const MAPS: Readonly<Record<Scheme, Readonly<Record<string, MediaCategory>>>> = {
  'vics-us': {
    '0': 'non-pertinent',
    '1': 'illegal',
    '2': 'exploitive',
    '3': 'animated',
    '4': 'comparison',
  },
  'vics-uk': {},
  'vics-custom': {},
  industry: { A1: 'illegal', A2: 'illegal', B1: 'illegal', B2: 'illegal' },
  uk: { A: 'illegal', B: 'illegal', C: 'illegal' },
  dhs: {
    '0': 'uncategorised',
    '1': 'illegal',
    '2': 'exploitive',
    '3': 'animated',
    '4': 'comparison',
    '5': 'non-pertinent',
  },
};

/**
 * The internal category of a source code. No code (null, empty) and codes the scheme does not document
 * are `uncategorised` — never `non-pertinent`, which would suppress attention. Codes are compared
 * trimmed and upper-cased (`a1` = `A1`; `CAT-2` = `2` in the DHS set).
 */
export function mapCategory(scheme: Scheme, code: string | null): MediaCategory {
  if (code === null) return 'uncategorised';
  let c = code.trim().toUpperCase();
  if (scheme === 'dhs') c = c.replace(/^CAT-?/, '');
  if (/^\d+$/.test(c)) c = String(Number(c));
  return MAPS[scheme][c] ?? 'uncategorised';
}
