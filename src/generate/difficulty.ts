/**
 * How hard a scenario makes linking ("which referrals are one person"): one table of constants per
 * difficulty, read where the constants are used. `easy` holds the values the generator always had, so
 * its output is unchanged; `hard` turns the three things investigators meet up — shared carrier NAT,
 * common nicknames, look-alike screen names — and thins the identifiers a person's accounts share.
 */
import { NICK_FIRST, NICK_SECOND } from './catalog.ts';
import type { NicknameStyle } from './nicknames.ts';
import { DEFAULT_NICKNAME_STYLE } from './nicknames.ts';

export const DIFFICULTIES = ['easy', 'hard'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

export interface Tuning {
  /** Share of persons whose IPv4 line is a CGNAT gateway (the rest get a home line). */
  readonly cgnatSubscriberRate: number;
  /** Chance that a movable IPv4 event lands minutes after another person's event at the same address. */
  readonly closeEventRate: number;
  /** Share of (non-proxy) IP events that use the person's own IPv6 rather than a shared IPv4. */
  readonly ipv6Rate: number;
  /** Multiplies the chance that an account carries its person's e-mail, phone or device. */
  readonly shareFactor: number;
  readonly nicknames: NicknameStyle;
}

export const TUNING: Readonly<Record<Difficulty, Tuning>> = {
  easy: {
    cgnatSubscriberRate: 0.35,
    closeEventRate: 0.5,
    ipv6Rate: 0.4,
    shareFactor: 1,
    nicknames: DEFAULT_NICKNAME_STYLE,
  },
  hard: {
    cgnatSubscriberRate: 0.8,
    closeEventRate: 0.8,
    ipv6Rate: 0.15,
    shareFactor: 0.7,
    nicknames: {
      // The popular words only, so unrelated persons often share a nickname or its variants.
      first: NICK_FIRST.slice(0, 5),
      second: NICK_SECOND.slice(0, 4),
      digitsRate: 0.15,
      disguise: { leet: 0.35, lookAlike: 0.6, fullwidth: 0.75 },
    },
  },
};

/**
 * The tuning of a difficulty (default easy). Takes any string, as a JavaScript caller may pass one, and
 * throws a RangeError for a value outside {@link DIFFICULTIES}.
 */
export function tuningOf(difficulty: string | undefined): Tuning {
  const d = DIFFICULTIES.find((x) => x === (difficulty ?? 'easy'));
  if (d === undefined) throw new RangeError(`difficulty: expected easy or hard, got ${difficulty}`);
  return TUNING[d];
}
