import type { IndicatorField, IndicatorHit } from '../../domain/decision.ts';
import { INDICATOR_FIELDS } from '../../domain/decision.ts';
import { problem, type Problem } from '../../domain/errors.ts';
import type { Parsed } from '../../domain/result.ts';
import { skeleton } from '../normalise/screen-name.ts';

/**
 * Indicator lexicons: weighted terms an agency supplies at run time (never shipped with Conduit). A hit
 * names the list, the term and the field it was found in — never the text around it.
 *
 * Term and text are normalised the same way, in this order:
 * 1. NFKC, then lower case (fullwidth, ligatures, compatibility forms fold to plain letters).
 * 2. Look-alikes: every non-ASCII code point is replaced by its UTS #39 confusable skeleton (Cyrillic
 *    `а` → `a`, Greek `ο` → `o`), lower-cased, combining marks dropped (`ë` → `e`). ASCII is left to
 *    step 4, because the skeleton and leetspeak disagree on digits (UTS #39 maps `3` → `Ʒ`, `0` → `O`,
 *    `1` → `l`) and the skeleton would also rewrite plain `m` as `rn`.
 * 3. Words: runs of letters and digits. The symbols `@ $ ! |` belong to a word inside it (`t@rm`);
 *    `$` also at its edges (`$ex`, `bo$$`); a leading `@` (a mention) or trailing `!` (punctuation) does
 *    not. Two or more single characters separated by short runs of separators (`t.e.r.m`, `t-e-r-m`,
 *    `t_e_r_m`, `t e r m`) join into one word.
 * 4. Leetspeak, in words that contain a letter: `0`→o `1`→i `3`→e `4`→a `5`→s `7`→t `8`→b `@`→a `$`→s
 *    `!`→i `|`→i; and `l` → `i`, because `1` stands for either (so `l`/`i` are not told apart).
 * Matching is by whole words: a term's words must be consecutive words of the text (`term` never
 * matches inside `terms`). Words joined by `.`, `-`, `_` or an apostrophe are also tried glued together
 * (`token_alpha`, `token.alpha` match the term `tokenalpha`), up to {@link MAX_GLUE} pieces.
 * Limits: scripts written without spaces (Chinese, Japanese, Thai) only match whole runs; `rn` for `m`
 * and digits appended to a word (`term99`) are not undone.
 */
export interface LexiconTerm {
  readonly term: string;
  readonly weight: number;
}

export interface Lexicon {
  readonly name: string;
  readonly terms: readonly LexiconTerm[];
}

export interface LexiconMatcher {
  /** The compiled lists: name and number of terms (never the terms themselves). */
  readonly lists: readonly { readonly name: string; readonly terms: number }[];
  /** Every term found, once per (list, term, field); texts are not kept. */
  match(texts: readonly { readonly field: IndicatorField; readonly text: string }[]): IndicatorHit[];
}

/** No lexicons loaded: nothing is ever found, and no text is looked at. */
export const EMPTY_LEXICON: LexiconMatcher = { lists: [], match: () => [] };

const MAX_TERM_LENGTH = 200;
const MAX_TERM_WORDS = 8;
const MAX_TERMS = 100_000;
/** Pieces glued across `.`, `-`, `_`, `'` when looking a word up. */
export const MAX_GLUE = 4;

/** An agency's lexicon file: CSV `term,weight` (optional header, `#` comments) or JSON `{ "terms": [...] }`. */
export function parseLexicon(name: string, text: string, format: 'csv' | 'json'): Parsed<Lexicon> {
  const entries: { term: string; weight: number; at: string }[] = [];
  const problems: Problem[] = [];
  switch (format) {
    case 'csv':
      readCsv(text, entries, problems);
      break;
    case 'json':
      readJson(text, entries, problems);
      break;
  }
  const seen = new Map<string, string>();
  const terms: LexiconTerm[] = [];
  for (const e of entries) {
    const words = wordsOf(e.term);
    if (words.length === 0) {
      problems.push(problem('invalid_value', e.at, 'the term has no letters or digits'));
      continue;
    }
    if (words.length > MAX_TERM_WORDS) {
      problems.push(problem('invalid_value', e.at, `a term has at most ${MAX_TERM_WORDS} words`));
      continue;
    }
    const key = words.join(' ');
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push(problem('invalid_value', e.at, `the same term as ${first} once normalised`));
      continue;
    }
    seen.set(key, e.at);
    terms.push({ term: e.term, weight: e.weight });
  }
  if (problems.length === 0 && terms.length === 0)
    problems.push(
      problem('invalid_value', format === 'csv' ? 'line 1' : '/terms', 'the lexicon has no terms'),
    );
  if (terms.length > MAX_TERMS)
    problems.push(problem('too_large', format === 'csv' ? 'line 1' : '/terms', `over ${MAX_TERMS} terms`));
  return problems.length > 0
    ? { ok: false, problems: problems.slice(0, 50) }
    : { ok: true, value: { name, terms } };
}

function checkTerm(term: string, at: string, problems: Problem[]): boolean {
  if (term.trim() === '') {
    problems.push(problem('invalid_value', at, 'empty term'));
    return false;
  }
  if (term.length > MAX_TERM_LENGTH) {
    problems.push(problem('invalid_value', at, `a term has at most ${MAX_TERM_LENGTH} characters`));
    return false;
  }
  return true;
}

function checkWeight(weight: unknown, at: string, problems: Problem[]): weight is number {
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0 || weight > 1000) {
    problems.push(problem('invalid_value', at, 'the weight must be a number above 0 (at most 1000)'));
    return false;
  }
  return true;
}

function readCsv(
  text: string,
  out: { term: string; weight: number; at: string }[],
  problems: Problem[],
): void {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let header = true;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const at = `line ${i + 1}`;
    if (line === '' || line.startsWith('#')) return;
    const comma = line.lastIndexOf(',');
    const termText = unquote((comma < 0 ? line : line.slice(0, comma)).trim());
    const weightText = comma < 0 ? '' : line.slice(comma + 1).trim();
    if (header) {
      header = false;
      if (termText.toLowerCase() === 'term' && (weightText === '' || weightText.toLowerCase() === 'weight'))
        return;
    }
    // A line without a comma is a term of weight 1.
    const weight =
      weightText === '' && comma < 0
        ? 1
        : /^[+]?[0-9]*\.?[0-9]+(e[+-]?[0-9]+)?$/i.test(weightText)
          ? Number(weightText)
          : NaN;
    const okTerm = checkTerm(termText, `${at}/term`, problems);
    const okWeight = checkWeight(weight, `${at}/weight`, problems);
    if (okTerm && okWeight) out.push({ term: termText, weight, at });
  });
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s;
}

function readJson(
  text: string,
  out: { term: string; weight: number; at: string }[],
  problems: Problem[],
): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    problems.push(problem('malformed_input', '/', `not valid JSON: ${(e as Error).message}`));
    return;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    problems.push(problem('schema_violation', '/', 'expected an object { "terms": [...] }'));
    return;
  }
  for (const key of Object.keys(doc))
    // `name` is what Conduit itself writes when it stores a parsed lexicon.
    if (key !== 'terms' && key !== 'name')
      problems.push(problem('schema_violation', `/${key}`, `unknown field "${key}"`));
  const terms: unknown = (doc as { terms?: unknown }).terms;
  if (!Array.isArray(terms)) {
    problems.push(problem('schema_violation', '/terms', 'expected an array of { "term", "weight" }'));
    return;
  }
  terms.forEach((t: unknown, i) => {
    const at = `/terms/${i}`;
    if (typeof t !== 'object' || t === null || Array.isArray(t)) {
      problems.push(problem('schema_violation', at, 'expected { "term": "...", "weight": n }'));
      return;
    }
    for (const key of Object.keys(t))
      if (key !== 'term' && key !== 'weight')
        problems.push(problem('schema_violation', `${at}/${key}`, `unknown field "${key}"`));
    const { term, weight } = t as { term?: unknown; weight?: unknown };
    let okTerm = false;
    if (typeof term !== 'string') problems.push(problem('invalid_value', `${at}/term`, 'expected a string'));
    else okTerm = checkTerm(term, `${at}/term`, problems);
    const okWeight = checkWeight(weight, `${at}/weight`, problems);
    if (okTerm && okWeight && typeof term === 'string') out.push({ term, weight, at });
  });
}

// ---------------------------------------------------------------------------------------------------
// Normalisation

const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '@': 'a',
  $: 's',
  '!': 'i',
  '|': 'i',
  l: 'i',
};
const LEET_CODE: readonly (string | undefined)[] = Array.from(
  { length: 128 },
  (_, c) => LEET[String.fromCharCode(c)],
);
const HAS_LETTER = /\p{L}/u;
// eslint-disable-next-line no-control-regex -- the whole ASCII range, control characters included
const ASCII = /^[\x00-\x7f]*$/;
const WORD_CHAR = /[\p{L}\p{N}]/u;
const MARKS = /\p{M}/gu;

// Memo of non-ASCII code point → its look-alike form; bounded so hostile text cannot grow it forever.
const lookAlike = new Map<string, string>();
const LOOK_ALIKE_CACHE = 20_000;

function foldChar(ch: string): string {
  const hit = lookAlike.get(ch);
  if (hit !== undefined) return hit;
  const folded = skeleton(ch).normalize('NFD').replace(MARKS, '').toLowerCase();
  if (lookAlike.size < LOOK_ALIKE_CACHE) lookAlike.set(ch, folded);
  return folded;
}

/** Steps 1–2: NFKC, lower case, non-ASCII code points to their look-alike skeleton. */
function fold(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  const s = text.normalize('NFKC').toLowerCase();
  let out = '';
  for (const ch of s) out += ch.charCodeAt(0) < 0x80 ? ch : foldChar(ch);
  return out;
}

// Character classes of the word splitter, per UTF-16 code unit (both halves of a surrogate pair alike).
const WORD = 0;
const SYMBOL = 1;
const SEPARATOR = 2;
const ASCII_CLASS = Uint8Array.from({ length: 128 }, (_, c) => {
  const ch = String.fromCharCode(c);
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) return WORD;
  return ch === '@' || ch === '$' || ch === '!' || ch === '|' ? SYMBOL : SEPARATOR;
});
const isGlue = (c: number): boolean => c === 0x2e || c === 0x2d || c === 0x5f || c === 0x27; // . - _ '

interface Words {
  readonly words: string[];
  /** `glue[k]`: words k-1 and k were joined by one or two of `.`, `-`, `_`, `'` only. */
  readonly glue: boolean[];
}

/** Step 3 (and 4): words, with the separator rules. Linear in the text. */
function split(s: string): Words {
  const n = s.length;
  const cls = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) cls[i] = ASCII_CLASS[c] ?? SEPARATOR;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const k = WORD_CHAR.test(s.slice(i, i + 2)) ? WORD : SEPARATOR;
      cls[i] = k;
      cls[++i] = k;
    } else cls[i] = WORD_CHAR.test(s.charAt(i)) ? WORD : SEPARATOR;
  }
  // Symbols: part of a word inside it; `$` also at a word's edge.
  for (let i = 0; i < n;) {
    if (cls[i] !== SYMBOL) {
      i++;
      continue;
    }
    let j = i;
    let dollars = true;
    for (; j < n && cls[j] === SYMBOL; j++) if (s.charCodeAt(j) !== 0x24) dollars = false;
    const before = i > 0 && cls[i - 1] === WORD;
    const after = j < n && cls[j] === WORD;
    const keep = (before && after) || (dollars && (before || after));
    cls.fill(keep ? WORD : SEPARATOR, i, j);
    i = j;
  }
  const raw: string[] = [];
  /** Per word: the separator before it is short (≤ 3, no line break) / only glue characters (≤ 2). */
  const short: boolean[] = [];
  const glued: boolean[] = [];
  let gapStart = 0;
  for (let i = 0; i < n;) {
    if (cls[i] !== WORD) {
      i++;
      continue;
    }
    const gap = i - gapStart;
    let shortGap = gap >= 1 && gap <= 3;
    let glueGap = gap >= 1 && gap <= 2;
    for (let g = gapStart; g < i && (shortGap || glueGap); g++) {
      const c = s.charCodeAt(g);
      if (c === 0x0a || c === 0x0d) shortGap = false;
      if (!isGlue(c)) glueGap = false;
    }
    const start = i;
    while (i < n && cls[i] === WORD) i++;
    raw.push(s.slice(start, i));
    short.push(shortGap);
    glued.push(glueGap && raw.length > 1);
    gapStart = i;
  }
  // Spaced single characters (`t.e.r.m`, `t e r m`) join into one word.
  const words: string[] = [];
  const glue: boolean[] = [];
  for (let k = 0; k < raw.length;) {
    const w = raw[k] ?? '';
    let end = k + 1;
    if (single(w)) while (end < raw.length && single(raw[end] ?? '') && short[end] === true) end++;
    words.push(leet(end - k >= 2 ? raw.slice(k, end).join('') : w));
    glue.push(glued[k] === true);
    k = end;
  }
  return { words, glue };
}

function single(w: string): boolean {
  return w.length === 1 || (w.length === 2 && (w.codePointAt(0) ?? 0) > 0xffff);
}

/** Step 4, in words that contain a letter. */
function leet(w: string): string {
  let letter = false;
  let mapped = false;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) letter = true;
    else if (c >= 0x80) letter ||= HAS_LETTER.test(w.charAt(i));
    if (c < 0x80 && LEET_CODE[c] !== undefined) mapped = true;
  }
  if (!letter || !mapped) return w;
  let out = '';
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    out += (c < 0x80 ? LEET_CODE[c] : undefined) ?? w.charAt(i);
  }
  return out;
}

function wordsOf(text: string): string[] {
  return split(fold(text)).words;
}

/** The normalised words of a text, as the matcher sees them (for tests and the UI's "why did this match"). */
export function normaliseForMatching(text: string): string[] {
  return wordsOf(text);
}

// ---------------------------------------------------------------------------------------------------
// Matching

interface TermRef {
  readonly id: number;
  readonly list: string;
  readonly term: string;
  readonly weight: number;
}

interface TrieNode {
  terms: TermRef[];
  children: Map<string, TrieNode> | null;
}

const FIELD_INDEX: ReadonlyMap<IndicatorField, number> = new Map(INDICATOR_FIELDS.map((f, i) => [f, i]));

/** Compiles once (a trie over normalised words); `match` then takes time linear in the text. */
export function compileLexicons(lexicons: readonly Lexicon[]): LexiconMatcher {
  const root = new Map<string, TrieNode>();
  let id = 0;
  for (const lexicon of lexicons)
    for (const t of lexicon.terms) {
      const words = wordsOf(t.term);
      const [first, ...rest] = words;
      if (first === undefined) continue;
      let node = root.get(first);
      if (!node) root.set(first, (node = { terms: [], children: null }));
      for (const w of rest) {
        node.children ??= new Map();
        let next = node.children.get(w);
        if (!next) node.children.set(w, (next = { terms: [], children: null }));
        node = next;
      }
      node.terms.push({ id: id++, list: lexicon.name, term: t.term, weight: t.weight });
    }
  const lists = lexicons.map((l) => ({ name: l.name, terms: l.terms.length }));
  if (id === 0) return { lists, match: () => [] };

  function record(
    node: TrieNode,
    field: IndicatorField,
    f: number,
    seen: Set<number>,
    hits: IndicatorHit[],
  ): void {
    for (const t of node.terms) {
      const key = t.id * INDICATOR_FIELDS.length + f;
      if (seen.has(key)) continue;
      seen.add(key);
      hits.push({ list: t.list, term: t.term, weight: t.weight, field });
    }
  }

  return {
    lists,
    match(texts) {
      const hits: IndicatorHit[] = [];
      const seen = new Set<number>();
      for (const { field, text } of texts) {
        if (text === '') continue;
        const f = FIELD_INDEX.get(field) ?? 0;
        const { words, glue } = split(fold(text));
        const n = words.length;
        for (let i = 0; i < n; i++) {
          let word = words[i] ?? '';
          let end = i + 1;
          for (let g = 0; g < MAX_GLUE; g++) {
            let node = root.get(word);
            // The rest of a multi-word term: the following words, one by one.
            for (let j = end; node; j++) {
              if (node.terms.length > 0) record(node, field, f, seen, hits);
              if (!node.children || j >= n) break;
              node = node.children.get(words[j] ?? '');
            }
            if (end >= n || glue[end] !== true) break;
            word += words[end] ?? '';
            end++;
          }
        }
      }
      return hits;
    },
  };
}
