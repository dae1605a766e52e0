import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import type { Difficulty } from './difficulty.ts';
import { TUNING, tuningOf } from './difficulty.ts';
import { DEFAULT_NICKNAME_STYLE } from './nicknames.ts';
import { scenario } from './scenario.ts';
import type { ScenarioEvent, Truth } from './truth.ts';
import { buildTruth } from './truth.ts';

function events(reports: number, seed: string, difficulty?: Difficulty): ScenarioEvent[] {
  return [...scenario({ reports, seed, geoIps: false, difficulty })];
}

const digest = (e: readonly ScenarioEvent[]): string =>
  createHash('sha256').update(JSON.stringify(e)).digest('hex');

/** Share of persons who used an IPv4 address some other person used too. */
function sharedIpShare(truth: Truth): number {
  return new Set(truth.sharedCgnat.flatMap((s) => s.persons)).size / truth.persons.length;
}

/** Distinct base nicknames per person: 1 when every person has their own, lower when they repeat. */
function nicknamesPerPerson(truth: Truth): number {
  return new Set(truth.persons.map((p) => p.nickname)).size / truth.persons.length;
}

/** Share of accounts whose screen name carries a look-alike disguise. */
function lookAlikeShare(truth: Truth): number {
  const accounts = truth.persons.flatMap((p) => p.accounts);
  const disguised = accounts.filter((a) =>
    a.transforms.some((t) => t === 'leet' || t === 'cyrillic' || t === 'fullwidth'),
  );
  return disguised.length / accounts.length;
}

describe('scenario difficulty', () => {
  it('keeps easy as the default: an explicit easy gives exactly the events of no option', () => {
    const plain = events(300, 'difficulty-easy');
    const easy = events(300, 'difficulty-easy', 'easy');
    expect(easy).toEqual(plain);
    expect(digest(easy)).toBe(digest(plain));
    expect(buildTruth(easy)).not.toHaveProperty('difficulty');
  });

  it('keeps the easy table at the values the generator always had', () => {
    expect(TUNING.easy).toEqual({
      cgnatSubscriberRate: 0.35,
      closeEventRate: 0.5,
      ipv6Rate: 0.4,
      shareFactor: 1,
      nicknames: DEFAULT_NICKNAME_STYLE,
    });
  });

  it('makes hard a different scenario, deterministic for a seed, marked in its truth', () => {
    const hard = events(300, 'difficulty-hard', 'hard');
    expect(digest(events(300, 'difficulty-hard', 'hard'))).toBe(digest(hard));
    expect(digest(events(300, 'difficulty-hard'))).not.toBe(digest(hard));
    expect(digest(events(300, 'another-seed', 'hard'))).not.toBe(digest(hard));
    expect(buildTruth(hard).difficulty).toBe('hard');
  });

  it('rejects a difficulty it does not know', () => {
    expect(tuningOf(undefined)).toBe(TUNING.easy);
    expect(tuningOf('hard')).toBe(TUNING.hard);
    expect(() => tuningOf('medium')).toThrow(RangeError);
  });

  describe('at 3,000 reports with the same seed', () => {
    const easy = buildTruth(events(3000, 'difficulty-compare', 'easy'));
    const hard = buildTruth(events(3000, 'difficulty-compare', 'hard'));

    it('puts more persons on an IPv4 address someone else used too (carrier NAT)', () => {
      expect(sharedIpShare(hard)).toBeGreaterThan(sharedIpShare(easy) + 0.05);
    });

    it('gives unrelated persons the same nicknames far more often', () => {
      expect(nicknamesPerPerson(hard)).toBeLessThan(nicknamesPerPerson(easy) / 2);
    });

    it('disguises more screen names with look-alikes', () => {
      expect(lookAlikeShare(hard)).toBeGreaterThan(lookAlikeShare(easy) + 0.05);
    });

    it('leaves fewer IPv6 addresses and fewer shared e-mails in the referrals', () => {
      const v6 = (t: Truth) =>
        t.persons.reduce((n, p) => n + p.identifiers.ips.filter((ip) => ip.includes(':')).length, 0) /
        t.persons.length;
      expect(v6(hard)).toBeLessThan(v6(easy));
      const emails = (t: Truth) =>
        t.persons.reduce((n, p) => n + p.identifiers.emails.length, 0) / t.persons.length;
      expect(emails(hard)).toBeLessThan(emails(easy));
    });
  });
});
