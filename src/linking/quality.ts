/**
 * Linking quality against a generated scenario's truth: pairwise precision, recall and F1 of "same
 * person" over mentions (a reported person in a referral; a referral reporting one person is one
 * mention, a bundled report one per person). Also the cost of linking alone, per mention.
 */
import { scenario, type ScenarioOptions } from '../generate/scenario.ts';
import { normaliseStage } from '../pipeline/stages/normalise.ts';
import { initialState } from '../pipeline/state.ts';
import { instantOf, type OrganisationId } from '../domain/ids.ts';
import type { Organisation } from '../domain/organisation.ts';
import { Linker } from './engine.ts';
import { mentionsOf, type Mention } from './keys.ts';
import type { LinkRules } from './rules.ts';

export interface PairCounts {
  readonly truePairs: number;
  readonly predictedPairs: number;
  readonly correctPairs: number;
}

export interface Quality extends PairCounts {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** Pairwise counts from each mention's predicted subject and true person. */
export function pairCounts(labels: Iterable<readonly [subject: string, person: string]>): PairCounts {
  const bySubject = new Map<string, number>();
  const byPerson = new Map<string, number>();
  const byCell = new Map<string, number>();
  for (const [s, p] of labels) {
    bySubject.set(s, (bySubject.get(s) ?? 0) + 1);
    byPerson.set(p, (byPerson.get(p) ?? 0) + 1);
    const cell = `${s}\u0000${p}`;
    byCell.set(cell, (byCell.get(cell) ?? 0) + 1);
  }
  const pairs = (m: Map<string, number>): number => {
    let n = 0;
    for (const c of m.values()) n += (c * (c - 1)) / 2;
    return n;
  };
  return { truePairs: pairs(byPerson), predictedPairs: pairs(bySubject), correctPairs: pairs(byCell) };
}

export function quality(c: PairCounts): Quality {
  const precision = c.predictedPairs === 0 ? 1 : c.correctPairs / c.predictedPairs;
  const recall = c.truePairs === 0 ? 1 : c.correctPairs / c.truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { ...c, precision, recall, f1 };
}

const SOURCE: Organisation = {
  id: '0190a3c2-0000-7000-8000-000000000001' as OrganisationId,
  slug: 'source',
  name: 'source',
  kind: 'referring-centre',
  country: null,
  parentId: null,
  covers: [],
};

/** A generated scenario as mentions with their true person, through the real normalise stage. */
export function* scenarioMentions(
  opts: ScenarioOptions,
  rules: LinkRules,
): Generator<{ readonly mention: Mention; readonly person: string }> {
  for (const referral of scenarioReferrals(opts, rules)) yield* referral;
}

/** The same, one referral (its mentions) at a time. */
export function* scenarioReferrals(
  opts: ScenarioOptions,
  rules: LinkRules,
): Generator<{ readonly mention: Mention; readonly person: string }[]> {
  const normalise = normaliseStage();
  const at = instantOf(new Date('2026-01-01T00:00:00Z'));
  for (const e of scenario(opts)) {
    if (e.kind !== 'report') continue;
    const r = normalise(initialState(e.doc, SOURCE, at));
    if (r.kind === 'reject') throw new Error(`${e.stem}: ${JSON.stringify(r.problems)}`);
    const mentions = mentionsOf(e.stem, e.doc.incident.occurredAt ?? '', r.value.identifiers, rules);
    yield mentions.map((mention) => ({ mention, person: e.persons[mention.slot] ?? `?${e.stem}` }));
  }
}

export interface LinkRun {
  readonly quality: Quality;
  readonly mentions: number;
  readonly subjects: number;
  readonly tooCommon: number;
  readonly referrals: number;
  /** Linking alone (not generation or normalisation), per referral, µs. */
  readonly meanMicros: number;
  readonly p99Micros: number;
  readonly totalSeconds: number;
}

/** Links a whole scenario incrementally and judges it against the truth. */
export function linkScenario(opts: ScenarioOptions, rules: LinkRules): LinkRun {
  const linker = new Linker(rules);
  const persons: string[] = [];
  const names: string[] = [];
  const times: number[] = [];
  let total = 0n;
  for (const referral of scenarioReferrals(opts, rules)) {
    const t = process.hrtime.bigint();
    for (const { mention } of referral) linker.add(mention);
    const dt = process.hrtime.bigint() - t;
    total += dt;
    times.push(Number(dt) / 1000);
    for (const { mention, person } of referral) {
      persons.push(person);
      names.push(`${mention.referralId}.${mention.slot}`);
    }
    // Nothing is written here: what changed is dropped, as a store would after each batch.
    if (times.length % 1000 === 0) linker.forgetChanges();
  }
  const labels = names.map((n, i) => [linker.subjectOf(n) ?? n, persons[i] ?? ''] as const);
  const subjects = new Set(labels.map(([s]) => s)).size;
  times.sort((a, b) => a - b);
  return {
    quality: quality(pairCounts(labels)),
    mentions: names.length,
    referrals: times.length,
    subjects,
    tooCommon: linker.commonValues().length,
    meanMicros: times.length === 0 ? 0 : Number(total) / 1000 / times.length,
    p99Micros: times[Math.floor(times.length * 0.99)] ?? 0,
    totalSeconds: Number(total) / 1e9,
  };
}
