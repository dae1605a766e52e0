/**
 * Nickname tracing: for a screen name, the names seen across referrals that look like the same
 * person's handle, ranked, each with the reason it was suggested. Suggestions only — an investigator
 * decides; nothing here merges anything. Pure and in memory.
 */
import { caseFold, skeleton } from '../pipeline/normalise/screen-name.ts';

/** The comparison forms of one screen name. For matching only; never shown as the name itself. */
export interface NicknameForms {
  /** UTS #39 case-insensitive skeleton of the whole name (`night_0wl77` → `night_owl77`). */
  readonly skeleton: string;
  /** Separators, marks and leetspeak folded away, the digit suffix kept (`night_0wl77` → `nightowl77`). */
  readonly letters: string;
  /** `letters` without the digit suffix (`nightowl`). */
  readonly stem: string;
  /** The digit suffix (`77`), '' when the name has none. */
  readonly digits: string;
}

export type NicknameReason = 'same-skeleton' | 'same-letters' | 'same-stem' | 'similar';

export interface NicknameSuggestion {
  /** The name as it was first added. */
  readonly name: string;
  /** 0..1; fixed per exact reason, the Jaro-Winkler similarity (at most {@link SIMILAR_CEILING}) for `similar`. */
  readonly score: number;
  readonly reason: NicknameReason;
  /** Why, for a person to read. */
  readonly detail: string;
  /** The first {@link MAX_REFS} refs the name was added with, in the order they were added. */
  readonly refs: readonly string[];
  readonly refCount: number;
}

export interface NicknameSearchOptions {
  /** Most suggestions returned (default 20). */
  readonly limit?: number;
  /** Suggestions scoring below this are dropped (default 0). */
  readonly minScore?: number;
  /** Jaro-Winkler threshold for `similar` (default {@link DEFAULT_SIMILARITY_THRESHOLD}). */
  readonly threshold?: number;
}

/**
 * Jaro-Winkler threshold on stems for a `similar` suggestion, chosen with `nicknameBench` (src/bench/
 * nicknames.ts; seed `calibrate`, 20,000 and 100,000 reports, 5,000 persons' names searched). The
 * generator builds nicknames from two lists of 30 words, so unrelated persons share whole words
 * (`nightowl` / `nightfox`: 0.90) and lower thresholds flood the list with other persons' names: at
 * 0.90, 0.03 % / 0.01 % of `similar` suggestions were the queried person's, and only 0.6 % even had the
 * same base words; at 0.96, 1.4 % / 0.3 % (24 % / 21 % same words). At 0.97 every `similar` suggestion
 * had the queried person's base words, person-level precision (6.1 % / 1.4 %) is no worse than
 * `same-stem`'s (4.6 % / 1.1 %: many persons share a base nickname), and no recall is lost against 0.80
 * (`similar` finds 1.5 % / 1.4 % of a person's other names — a trailing leet digit read as a digit
 * suffix, `redp4nd4` → stem `redpand`, 0.975 against `redpanda` — the exact folds the other 98.5 %).
 * At 0.98 a quarter to a half of that recall goes. Real handles are more varied than the generator's,
 * so this is a strict default; callers can pass `threshold`.
 */
export const DEFAULT_SIMILARITY_THRESHOLD = 0.97;

/** A fuzzy match never outranks an exact fold: `same-stem` scores 0.95. */
export const SIMILAR_CEILING = 0.94;

/** Refs listed on a suggestion; `refCount` has the full number. */
export const MAX_REFS = 50;

const DEFAULT_LIMIT = 20;

const SCORE: Readonly<Record<Exclude<NicknameReason, 'similar'>, number>> = {
  'same-skeleton': 1,
  'same-letters': 0.97,
  'same-stem': 0.95,
};
const RANK: Readonly<Record<NicknameReason, number>> = {
  'same-skeleton': 0,
  'same-letters': 1,
  'same-stem': 2,
  similar: 3,
};

/*
 * Leetspeak back to letters. `1` is read as `i` (the commoner substitution, and the generator's), not
 * as `l` the way the skeleton reads it: `n1ghtowl` → `nightowl`. A `1` meant as `l` (`s1ayer`) then
 * differs from `slayer` by one letter and is left to the `similar` reason.
 */
const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
};
const LEET_CHARS = /[013457@$]/g;
const unleet = (s: string): string => s.replace(LEET_CHARS, (c) => LEET[c] ?? c);
/** Separators and every other non-letter, non-digit (punctuation, symbols, spaces, combining marks). */
const NOT_ALNUM = /[^\p{L}\p{N}]/gu;
/** ASCII digits at the end, possibly followed by separators: `owl_77`, `owl77_`. */
const DIGIT_SUFFIX = /(\d+)[^\p{L}\p{N}]*$/u;
const LETTER = /\p{L}/u;

/**
 * The comparison forms of a screen name. The digit suffix is found before any folding other than
 * NFKC and case (so `１７` counts, and the skeleton's own `0` → `o`, `1` → `l` cannot eat it); only
 * the part before it is read as leetspeak, then skeletonised, so the skeleton never sees those digits
 * either. A trailing leet digit is therefore a suffix (`p4nd4` → stem `pand`, digits `4`): the rule is
 * deterministic; `similar` still finds such a name when its stem is long enough (`redpand` / `redpanda`
 * 0.975, but `pand` / `panda` 0.96 is under the default threshold). A name without any letter (`1984`)
 * is a number, not leet: its stem is its digits and it has no suffix.
 */
export function foldNickname(name: string): NicknameForms {
  const sk = skeleton(name);
  const folded = caseFold(name);
  if (!LETTER.test(folded)) {
    const stem = folded.replace(NOT_ALNUM, '');
    return { skeleton: sk, letters: stem, stem, digits: '' };
  }
  const m = DIGIT_SUFFIX.exec(folded);
  const cut = m && LETTER.test(folded.slice(0, m.index)) ? m : null;
  const rest = cut ? folded.slice(0, cut.index) : folded;
  const digits = cut?.[1] ?? '';
  // Leet again after the skeleton: a few look-alikes have digit prototypes (Canadian syllabic `ᔰ` → `4·`).
  const stem = unleet(skeleton(unleet(rest)).replace(NOT_ALNUM, '')); // the skeleton is NFD: marks go too
  return { skeleton: sk, letters: stem + digits, stem, digits };
}

/**
 * Jaro-Winkler similarity (Winkler 1990): Jaro's matches within half the longer length less one,
 * half-transpositions, then a prefix bonus of 0.1 per common leading character, up to 4, applied when
 * the Jaro similarity exceeds 0.7 (Winkler's boost threshold). Works on UTF-16 code units.
 */
export function jaroWinkler(a: string, b: string): number {
  const j = jaro(a, b);
  if (j <= 0.7) return j;
  let prefix = 0;
  const max = Math.min(4, a.length, b.length);
  while (prefix < max && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * 0.1 * (1 - j);
}

// Scratch flags for jaro(), grown on demand: no allocation per comparison on the search's hot path.
let aMatched = new Uint8Array(64);
let bMatched = new Uint8Array(64);

function jaro(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  if (aMatched.length < la) aMatched = new Uint8Array(la * 2);
  if (bMatched.length < lb) bMatched = new Uint8Array(lb * 2);
  aMatched.fill(0, 0, la);
  bMatched.fill(0, 0, lb);
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const c = a.charCodeAt(i);
    const hi = Math.min(i + window + 1, lb);
    for (let k = Math.max(0, i - window); k < hi; k++) {
      if (bMatched[k] === 0 && b.charCodeAt(k) === c) {
        aMatched[i] = 1;
        bMatched[k] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let half = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (aMatched[i] === 0) continue;
    while (bMatched[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) half++;
    k++;
  }
  return (matches / la + matches / lb + (matches - half / 2) / matches) / 3;
}

interface Entry {
  readonly name: string;
  readonly forms: NicknameForms;
  readonly refs: Set<string>;
}

/** All names that share one stem; the unit of fuzzy blocking. */
interface StemGroup {
  readonly id: number;
  readonly stem: string;
  readonly entries: Entry[];
}

/** What a search looked at, for benchmarks and tests of the blocking. */
export interface NicknameSearchResult {
  readonly suggestions: NicknameSuggestion[];
  /** Distinct stems that passed the blocking (length window and shared trigrams). */
  readonly blocked: number;
  /** Of those, stems whose Jaro-Winkler was computed (the rest were ruled out by a cheap upper bound). */
  readonly compared: number;
  /** Distinct stems in the index. */
  readonly stems: number;
}

interface Candidate {
  readonly entry: Entry;
  readonly reason: NicknameReason;
  readonly score: number;
  /** Orders `similar` candidates whose score is capped at the ceiling. */
  readonly jw: number;
}

/** The length window never reaches further than this from the query stem's length. */
const MAX_LENGTH_SLACK = 2;

/**
 * Names seen across referrals, searchable by look-alike forms.
 *
 * Exact folds are Map lookups (skeleton, letters, stem). The fuzzy `similar` reason is blocked, so a
 * search never scans the index. Names are grouped by stem, and each stem's padded trigrams (`^ni`,
 * `nig`, … `wl$`) are posted in a bucket per stem length. For a query stem of length L at threshold t:
 * - only lengths that can reach t at all are read — Jaro ≤ (2 + shorter/longer) / 3, an exact bound; at
 *   the default that is L alone up to 5 characters, L−1..L+1 for 7–11, L−2..L+2 from 14 — and never
 *   further than ±{@link MAX_LENGTH_SLACK};
 * - a stem must share all but about 3 trigrams per expected edit with the query (see `blocking`); by
 *   prefix filtering only the query's rarest trigrams' lists admit candidates, the others only count;
 * - a stem that passes is checked against a cheap upper bound of Jaro-Winkler before the real thing.
 *
 * What the blocking can miss (everything else at or above the threshold is found): at the default,
 * stems of 17+ characters whose length differs by 3 (the cap), and at any threshold stems sharing fewer
 * trigrams than the heuristic expects yet still scoring above it — syllables moved or dropped
 * (`ashlinzenash` / `ashzenlinash`), a word swapped (`stormywolf` / `stormyowl`, 0.962, missed at
 * 0.96). nicknameBench reports its recall against a full scan: 1.0 at the default, 0.94 at 0.90.
 *
 * The exact raw query string is never suggested (it is what was searched; its refs are {@link refsOf});
 * every other raw spelling is, including one that differs only in case or width (`same-skeleton`).
 */
export class NicknameIndex {
  private readonly byName = new Map<string, Entry>();
  private readonly bySkeleton = new Map<string, Entry[]>();
  private readonly byLetters = new Map<string, Entry[]>();
  private readonly byStem = new Map<string, StemGroup>();
  private readonly groups: StemGroup[] = [];
  /** postings[length].get(trigram) → ids of the stem groups of that length containing it, ascending. */
  private readonly postings: Map<string, number[]>[] = [];
  // Trigrams each stem group shares with the query, during one search; reused (searches never interleave).
  private counts = new Uint16Array(1024);

  /** Distinct names (raw spellings). */
  get size(): number {
    return this.byName.size;
  }

  /**
   * Records that `name` was seen with `ref` (a referral id, say). False when the pair was already
   * known, or when the name has nothing to compare (empty after folding).
   */
  add(name: string, ref: string): boolean {
    const known = this.byName.get(name);
    if (known) {
      if (known.refs.has(ref)) return false;
      known.refs.add(ref);
      return true;
    }
    const forms = foldNickname(name);
    if (forms.skeleton === '') return false;
    const entry: Entry = { name, forms, refs: new Set([ref]) };
    this.byName.set(name, entry);
    push(this.bySkeleton, forms.skeleton, entry);
    if (forms.letters !== '') push(this.byLetters, forms.letters, entry);
    if (forms.stem !== '') this.group(forms.stem).entries.push(entry);
    return true;
  }

  /** Every ref of exactly this name (the search leaves the name itself out). */
  refsOf(name: string): readonly string[] {
    return [...(this.byName.get(name)?.refs ?? [])];
  }

  /** Suggestions for `query`, best first: exact folds, then Jaro-Winkler on stems. */
  search(query: string, opts: NicknameSearchOptions = {}): NicknameSuggestion[] {
    return this.searchDetailed(query, opts).suggestions;
  }

  /** {@link search} with what the fuzzy blocking looked at. */
  searchDetailed(query: string, opts: NicknameSearchOptions = {}): NicknameSearchResult {
    const limit = opts.limit ?? DEFAULT_LIMIT;
    const minScore = opts.minScore ?? 0;
    const threshold = opts.threshold ?? DEFAULT_SIMILARITY_THRESHOLD;
    const q = foldNickname(query);
    const found = new Map<Entry, Candidate>();
    const offer = (entry: Entry, reason: NicknameReason, score: number, jw = 1): void => {
      if (entry.name === query) return;
      const had = found.get(entry);
      if (!had || RANK[reason] < RANK[had.reason]) found.set(entry, { entry, reason, score, jw });
    };
    let blocked = 0;
    let compared = 0;
    if (q.skeleton !== '') {
      for (const e of this.bySkeleton.get(q.skeleton) ?? [])
        offer(e, 'same-skeleton', SCORE['same-skeleton']);
      if (q.letters !== '')
        for (const e of this.byLetters.get(q.letters) ?? []) offer(e, 'same-letters', SCORE['same-letters']);
      if (q.stem !== '') {
        for (const e of this.byStem.get(q.stem)?.entries ?? []) offer(e, 'same-stem', SCORE['same-stem']);
        // A `similar` score never exceeds the ceiling, so a higher minScore needs no fuzzy search.
        const groups = minScore <= SIMILAR_CEILING ? this.block(q.stem, threshold) : [];
        blocked = groups.length;
        const bound = groups.length > 0 ? new JaroWinklerBound(q.stem) : undefined;
        for (const g of groups) {
          if (bound && bound.max(g.stem) + 1e-9 < threshold) continue; // the margin absorbs rounding
          compared++;
          const jw = jaroWinkler(q.stem, g.stem);
          if (jw < threshold) continue;
          for (const e of g.entries) offer(e, 'similar', Math.min(jw, SIMILAR_CEILING), jw);
        }
        bound?.release();
      }
    }
    const ranked = [...found.values()]
      .filter((c) => c.score >= minScore)
      .sort(
        (x, y) =>
          y.score - x.score ||
          RANK[x.reason] - RANK[y.reason] ||
          y.jw - x.jw ||
          y.entry.refs.size - x.entry.refs.size ||
          (x.entry.name < y.entry.name ? -1 : x.entry.name > y.entry.name ? 1 : 0),
      )
      .slice(0, Math.max(0, limit));
    return {
      suggestions: ranked.map((c) => suggestion(c, query, q)),
      blocked,
      compared,
      stems: this.groups.length,
    };
  }

  private group(stem: string): StemGroup {
    const had = this.byStem.get(stem);
    if (had) return had;
    const g: StemGroup = { id: this.groups.length, stem, entries: [] };
    this.groups.push(g);
    this.byStem.set(stem, g);
    const bucket = (this.postings[stem.length] ??= new Map());
    for (const t of trigrams(stem)) push(bucket, t, g.id);
    return g;
  }

  /** Stem groups that pass the blocking for `stem` at `threshold` (see the class comment); never `stem`'s own. */
  private block(stem: string, threshold: number): StemGroup[] {
    if (this.counts.length < this.groups.length) this.counts = new Uint16Array(this.groups.length * 2);
    const counts = this.counts;
    const grams = [...trigrams(stem)];
    const { lo, hi, need } = blocking(stem.length, grams.length, threshold);
    // Prefix filtering: a stem sharing `need` of the query's trigrams is in one of any `grams - need + 1`
    // of their posting lists, so only the rarest lists admit candidates; the longer ones just add to
    // the counts of stems already admitted (a sequential read, no object is touched).
    const probe = grams.length - need + 1;
    const touched: number[] = [];
    for (let len = lo; len <= hi; len++) {
      const bucket = this.postings[len];
      if (!bucket) continue;
      const lists = grams.map((t) => bucket.get(t) ?? NONE).sort((x, y) => x.length - y.length);
      lists.forEach((list, i) => {
        if (i < probe) {
          for (const id of list) {
            const n = counts[id] ?? 0;
            if (n === 0) touched.push(id);
            counts[id] = n + 1;
          }
        } else {
          for (const id of list) {
            const n = counts[id] ?? 0;
            if (n !== 0) counts[id] = n + 1;
          }
        }
      });
    }
    const own = this.byStem.get(stem)?.id;
    const out: StemGroup[] = [];
    for (const id of touched) {
      if ((counts[id] ?? 0) >= need && id !== own) {
        const g = this.groups[id];
        if (g) out.push(g);
      }
      counts[id] = 0;
    }
    return out;
  }
}

const NONE: readonly number[] = [];

/**
 * The blocking for a query stem of `length` with `grams` distinct trigrams at Jaro-Winkler `threshold`.
 * JW adds at most 0.4·(1 − Jaro) for a 4-character prefix, so JW ≥ t needs Jaro ≥ j = (t − 0.4) / 0.6.
 * Length (exact): Jaro ≤ (2 + shorter/longer) / 3, so shorter/longer ≥ 3j − 2; capped at
 * ±MAX_LENGTH_SLACK. Shared trigrams (a heuristic, not a bound): with m matches, m/la + m/lb ≥ 3j − 1,
 * so about e = 1.5 · length · (1 − j) characters per side may go unmatched (at least one); an edit
 * breaks up to three trigrams and a transposition four, so a candidate must share all but 3e + 1.
 */
function blocking(
  length: number,
  grams: number,
  threshold: number,
): { lo: number; hi: number; need: number } {
  const j = Math.min(1, Math.max(0, (threshold - 0.4) / 0.6));
  const ratio = 3 * j - 2;
  const eps = 1e-9;
  const lo = Math.max(1, length - MAX_LENGTH_SLACK, ratio > 0 ? Math.ceil(length * ratio - eps) : 1);
  const hi = Math.min(length + MAX_LENGTH_SLACK, ratio > 0 ? Math.floor(length / ratio + eps) : Infinity);
  const edits = Math.max(1, Math.floor(1.5 * length * (1 - j) + eps));
  return { lo, hi, need: Math.max(1, grams - (3 * edits + 1)) };
}

/**
 * A cheap upper bound of jaroWinkler(query, s): Jaro's matches pair equal characters, so there are at
 * most as many as the two strings have in common (as multisets of UTF-16 code units), and JW grows with
 * Jaro for a fixed common prefix. Rules out most blocked stems without Jaro's window scan. Keeps the
 * query's character counts in a shared table: one bound at a time, and {@link release} when done.
 */
class JaroWinklerBound {
  constructor(private readonly query: string) {
    this.fill();
  }

  max(s: string): number {
    const q = this.query;
    let common = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      const n = HISTOGRAM[c] ?? 0;
      if (n > 0) {
        HISTOGRAM[c] = n - 1;
        common++;
      }
    }
    this.release();
    this.fill();
    if (common === 0) return 0;
    const j = (common / q.length + common / s.length + 1) / 3;
    let prefix = 0;
    const max = Math.min(4, q.length, s.length);
    while (prefix < max && q.charCodeAt(prefix) === s.charCodeAt(prefix)) prefix++;
    return j + prefix * 0.1 * (1 - j);
  }

  /** Clears the shared table. */
  release(): void {
    for (let i = 0; i < this.query.length; i++) HISTOGRAM[this.query.charCodeAt(i)] = 0;
  }

  private fill(): void {
    for (let i = 0; i < this.query.length; i++) {
      const c = this.query.charCodeAt(i);
      HISTOGRAM[c] = (HISTOGRAM[c] ?? 0) + 1;
    }
  }
}

const HISTOGRAM = new Uint16Array(0x10000);

/** Distinct padded trigrams: `owl` → `^ow`, `owl`, `wl$`. */
function trigrams(stem: string): Set<string> {
  const padded = `\u0002${stem}\u0003`;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  return out;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function suggestion(c: Candidate, query: string, q: NicknameForms): NicknameSuggestion {
  const { name, forms, refs } = c.entry;
  return {
    name,
    score: c.score,
    reason: c.reason,
    detail: detail(c, query, q, forms),
    refs: [...take(refs, MAX_REFS)],
    refCount: refs.size,
  };
}

function detail(c: Candidate, query: string, q: NicknameForms, f: NicknameForms): string {
  const name = c.entry.name;
  switch (c.reason) {
    case 'same-skeleton':
      return `same skeleton after folding case, width and look-alike characters (${query} / ${name} → ${f.skeleton})`;
    case 'same-letters':
      return `same letters after removing separators and leetspeak (${query} / ${name} → ${f.letters})`;
    case 'same-stem':
      return `same name with another digit suffix (${q.stem}: ${q.digits || 'none'} / ${f.digits || 'none'})`;
    case 'similar':
      return `Jaro-Winkler ${c.jw.toFixed(2)} on ${q.stem} / ${f.stem}`;
  }
}

function* take<T>(items: Iterable<T>, n: number): Generator<T> {
  let i = 0;
  for (const x of items) {
    if (i++ >= n) return;
    yield x;
  }
}
