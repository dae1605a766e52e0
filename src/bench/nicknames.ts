import { scenario } from '../generate/scenario.ts';
import type { PersonTruth } from '../generate/truth.ts';
import type { NicknameReason } from '../linking/nickname.ts';
import {
  DEFAULT_SIMILARITY_THRESHOLD,
  NicknameIndex,
  foldNickname,
  jaroWinkler,
} from '../linking/nickname.ts';

/** Jaro-Winkler thresholds swept for the `similar` reason. */
const SWEEP = Array.from({ length: 19 }, (_, i) => Math.round((0.8 + i * 0.01) * 100) / 100);
const REASONS: readonly NicknameReason[] = ['same-skeleton', 'same-letters', 'same-stem', 'similar'];
/** Persons whose screen names are all searched for precision and recall (spread over the scenario). */
const SAMPLE_PERSONS = 5_000;
/** Queries compared against a full scan of every stem, to measure what the blocking misses. */
const SCAN_QUERIES = 500;
/** Queries timed with the default options. */
const TIMED_QUERIES = 5_000;

/**
 * Nickname tracing against a scenario's truth: every account screen name is indexed with its person's
 * id as the ref, and every screen name of a sample of persons is searched for.
 *
 * - `precision`: a suggestion is right when the queried person used the suggested name. This is
 *   person-level and low by construction: the generator builds nicknames from two lists of 30 words, so
 *   many unrelated persons share a base nickname and all its exact folds, and a person with a single
 *   screen name has no right answer at all. `sameWordsPrecision` asks the question the matcher can
 *   answer: did some user of the suggested name have the queried person's base words?
 * - `recall`: the share of the queried persons' other distinct screen names that were suggested.
 * - Per reason, and for `similar` per Jaro-Winkler threshold (`jw0.97.*`); the overall `jwT.precision`
 *   and `jwT.recall` count the exact reasons' suggestions at every threshold. The sweep searches once at
 *   the lowest threshold through the same blocking, so its lowest rows slightly undercount (see
 *   `blockingRecall (jw ≥ 0.9)`).
 * - Search time with the default options (mean, p99, stems blocked and compared per search), and the
 *   blocking's recall against a full Jaro-Winkler scan of every stem.
 */
export async function nicknameBench(opts: {
  reports: number;
  seed: string;
}): Promise<Record<string, number | string>> {
  const persons: PersonTruth[] = [];
  for (const e of scenario({ reports: opts.reports, seed: opts.seed }))
    if (e.kind === 'person') persons.push(e.person);
  await Promise.resolve(); // Nothing here waits; async only to match the other suites' signatures.

  const index = new NicknameIndex();
  const t0 = performance.now();
  for (const p of persons) for (const a of p.accounts) index.add(a.screenName, p.id);
  const buildMs = performance.now() - t0;
  const usedBy = new Map<string, Set<string>>();
  const baseOf = new Map<string, Set<string>>();
  for (const p of persons)
    for (const a of p.accounts) {
      const set = usedBy.get(a.screenName) ?? new Set<string>();
      set.add(p.id);
      usedBy.set(a.screenName, set);
      const bases = baseOf.get(a.screenName) ?? new Set<string>();
      bases.add(baseWords(p));
      baseOf.set(a.screenName, bases);
    }
  const stemOf = new Map<string, string>([...usedBy.keys()].map((n) => [n, foldNickname(n).stem]));

  const suggested = tally();
  const right = tally();
  const sameBase = tally();
  const foundBy = tally();
  const simSuggested = SWEEP.map(() => 0);
  const simRight = SWEEP.map(() => 0);
  const simBase = SWEEP.map(() => 0);
  const simFound = SWEEP.map(() => 0);
  let relevantTotal = 0;
  let queries = 0;
  let withOthers = 0;
  const lowest = SWEEP[0] ?? 0.8;
  const sample = spread(persons, SAMPLE_PERSONS);
  for (const p of sample) {
    const names = [...new Set(p.accounts.map((a) => a.screenName))];
    for (const q of names) {
      queries++;
      const relevant = new Set(names.filter((n) => n !== q));
      relevantTotal += relevant.size;
      if (relevant.size > 0) withOthers++;
      const qStem = stemOf.get(q) ?? '';
      const qBase = baseWords(p);
      for (const s of index.search(q, { limit: 1_000_000, threshold: lowest })) {
        const ok = usedBy.get(s.name)?.has(p.id) === true;
        suggested[s.reason]++;
        if (ok) right[s.reason]++;
        const base = baseOf.get(s.name)?.has(qBase) === true;
        if (base) sameBase[s.reason]++;
        const hit = relevant.has(s.name);
        if (hit) foundBy[s.reason]++;
        if (s.reason !== 'similar') continue;
        const jw = jaroWinkler(qStem, stemOf.get(s.name) ?? '');
        SWEEP.forEach((t, i) => {
          if (jw < t) return;
          simSuggested[i]!++;
          if (ok) simRight[i]!++;
          if (base) simBase[i]!++;
          if (hit) simFound[i]!++;
        });
      }
    }
  }

  const figures: Record<string, number | string> = {
    reports: opts.reports,
    seed: opts.seed,
    persons: persons.length,
    names: index.size,
    sampledPersons: sample.length,
    queries,
    queriesWithOtherNames: withOthers,
    otherNames: relevantTotal,
    buildMs: round(buildMs, 0),
    defaultThreshold: DEFAULT_SIMILARITY_THRESHOLD,
  };
  for (const r of REASONS) {
    const atLowest = r === 'similar' ? ` (jw ≥ ${lowest})` : '';
    figures[`${r}.suggestions${atLowest}`] = suggested[r];
    figures[`${r}.precision${atLowest}`] = ratio(right[r], suggested[r]);
    figures[`${r}.recall${atLowest}`] = ratio(foundBy[r], relevantTotal);
    figures[`${r}.sameWordsPrecision${atLowest}`] = ratio(sameBase[r], suggested[r]);
  }
  const exact = REASONS.filter((r) => r !== 'similar');
  const exactSuggested = sum(exact.map((r) => suggested[r]));
  const exactRight = sum(exact.map((r) => right[r]));
  const exactFound = sum(exact.map((r) => foundBy[r]));
  SWEEP.forEach((t, i) => {
    const k = `jw${t.toFixed(2)}`;
    figures[`${k}.similarSuggestions`] = simSuggested[i]!;
    figures[`${k}.similarPrecision`] = ratio(simRight[i]!, simSuggested[i]!);
    figures[`${k}.similarRecall`] = ratio(simFound[i]!, relevantTotal);
    figures[`${k}.similarSameWordsPrecision`] = ratio(simBase[i]!, simSuggested[i]!);
    figures[`${k}.precision`] = ratio(exactRight + simRight[i]!, exactSuggested + simSuggested[i]!);
    figures[`${k}.recall`] = ratio(exactFound + simFound[i]!, relevantTotal);
  });

  const all = persons.flatMap((p) => [...new Set(p.accounts.map((a) => a.screenName))]);
  const timed = spread(all, TIMED_QUERIES);
  for (const q of timed.slice(0, 200)) index.search(q); // warm up the JIT
  const micros: number[] = [];
  let blocked = 0;
  let compared = 0;
  for (const q of timed) {
    const t = performance.now();
    const r = index.searchDetailed(q);
    micros.push((performance.now() - t) * 1000);
    blocked += r.blocked;
    compared += r.compared;
  }
  micros.sort((a, b) => a - b);
  figures.searchMeanUs = round(sum(micros) / Math.max(1, micros.length), 1);
  figures.searchP99Us = round(micros[Math.floor(micros.length * 0.99)] ?? 0, 1);
  figures.timedQueries = timed.length;
  figures.blockedStemsMean = round(blocked / Math.max(1, timed.length), 1);
  figures.comparedStemsMean = round(compared / Math.max(1, timed.length), 1);
  const stems = [...new Set(stemOf.values())];
  figures.stems = stems.length;
  const scan = spread(all, SCAN_QUERIES);
  figures.blockingRecall = blockingRecall(index, scan, stems, DEFAULT_SIMILARITY_THRESHOLD);
  figures['blockingRecall (jw ≥ 0.9)'] = blockingRecall(index, scan, stems, 0.9);
  return figures;
}

/** Share of the stems a full scan finds at `threshold` that the blocked search also finds. */
function blockingRecall(
  index: NicknameIndex,
  queries: readonly string[],
  stems: readonly string[],
  threshold: number,
): number {
  let expected = 0;
  let got = 0;
  for (const q of queries) {
    const qStem = foldNickname(q).stem;
    if (qStem === '') continue;
    const want = stems.filter((s) => s !== '' && s !== qStem && jaroWinkler(qStem, s) >= threshold);
    // Any reason counts: a look-alike stem can also come back as `same-skeleton` (`n1ght` / `nlght`).
    const found = new Set(
      index.search(q, { limit: 1_000_000, threshold }).map((s) => foldNickname(s.name).stem),
    );
    expected += want.length;
    got += want.filter((s) => found.has(s)).length;
  }
  return ratio(got, expected);
}

/** The words of the person's nickname without its digits: what the generator's variants are made from. */
function baseWords(p: PersonTruth): string {
  return p.nickname.replace(/\d+$/, '');
}

function tally(): Record<NicknameReason, number> {
  return { 'same-skeleton': 0, 'same-letters': 0, 'same-stem': 0, similar: 0 };
}

/** `n` items spread evenly over `items` (deterministic). */
function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)] as T);
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function ratio(a: number, b: number): number {
  return b === 0 ? 1 : round(a / b, 4);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
