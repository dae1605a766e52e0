import type { Difficulty } from '../generate/difficulty.ts';
import { linkScenario } from '../linking/quality.ts';
import { loadDefaultLinkRules } from '../linking/rules.ts';

/**
 * Issue 6's figures, in process on one core, against `conduit generate --geo-ips` scenarios judged by
 * their truth: pairwise precision / recall / F1 of "same person" over mentions, for the easy and the hard
 * scenario (heavy carrier-NAT sharing, common nicknames, more look-alikes); and the cost of incremental
 * linking (the engine alone: generation and normalisation are not timed), per referral and in total.
 */
export function linkingQualityBench(
  reports = 100_000,
): { command: string; figures: Record<string, number> }[] {
  return (['easy', 'hard'] as const).map((difficulty) => ({
    command: `in-process: link ${reports} referrals of generate --geo-ips --difficulty ${difficulty}`,
    figures: figures(reports, difficulty),
  }));
}

export function linkingSpeedBench(reports = 1_000_000): { command: string; figures: Record<string, number> } {
  const before = process.memoryUsage().heapUsed;
  const f = figures(reports, 'easy');
  return {
    command: `in-process: link ${reports} referrals of generate --geo-ips (engine only, one core)`,
    figures: { ...f, heapMbAfter: Math.round((process.memoryUsage().heapUsed - before) / 2 ** 20) },
  };
}

function figures(reports: number, difficulty: Difficulty): Record<string, number> {
  const r = linkScenario(
    { reports, seed: 'bench-linking', geoIps: true, difficulty },
    loadDefaultLinkRules(),
  );
  const q = r.quality;
  return {
    referrals: r.referrals,
    mentions: r.mentions,
    subjects: r.subjects,
    precision: round4(q.precision),
    recall: round4(q.recall),
    f1: round4(q.f1),
    tooCommonValues: r.tooCommon,
    linkSeconds: Math.round(r.totalSeconds * 10) / 10,
    meanMicrosPerReferral: Math.round(r.meanMicros),
    p99MicrosPerReferral: Math.round(r.p99Micros),
  };
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;
