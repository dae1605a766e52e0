/**
 * Screen-name variants of one person's base nickname: the tricks investigators meet when tracing the
 * nicknames suspects use across services (case, digits, separators, leetspeak, Unicode look-alikes).
 * Every output is valid XML 1.0 text (letters, digits, `_ . -`, BMP look-alikes only).
 */
import { NICK_FIRST, NICK_SECOND } from './catalog.ts';
import type { Prng } from './prng.ts';

export const NICK_TRANSFORMS = ['case', 'digits', 'separator', 'leet', 'cyrillic', 'fullwidth'] as const;
export type NickTransform = (typeof NICK_TRANSFORMS)[number];

export interface Nickname {
  /** The words the nickname is made of (`['night', 'owl']`), so separators can go between them. */
  readonly words: readonly string[];
  /** Digits the person habitually appends, or ''. */
  readonly digits: string;
  /** The plain form: words joined, digits appended (`nightowl77`). */
  readonly base: string;
}

export interface ScreenName {
  readonly name: string;
  readonly transforms: readonly NickTransform[];
}

/** Where nicknames come from and how often screen names are disguised (see difficulty.ts). */
export interface NicknameStyle {
  /** The words a nickname's first and second halves are drawn from. */
  readonly first: readonly string[];
  readonly second: readonly string[];
  /** Chance that a person habitually appends digits. */
  readonly digitsRate: number;
  /**
   * Bands of one uniform draw in [0, 1), each an upper bound: below `leet` leetspeak, below
   * `lookAlike` Cyrillic look-alikes (fullwidth when the name has capitals), below `fullwidth`
   * fullwidth forms; above all three no disguise.
   */
  readonly disguise: { readonly leet: number; readonly lookAlike: number; readonly fullwidth: number };
}

/** Every word, digits on about a third of persons, a disguise on about half of the variants. */
export const DEFAULT_NICKNAME_STYLE: NicknameStyle = {
  first: NICK_FIRST,
  second: NICK_SECOND,
  digitsRate: 0.35,
  disguise: { leet: 0.3, lookAlike: 0.45, fullwidth: 0.52 },
};

export function makeNickname(rng: Prng, style: NicknameStyle = DEFAULT_NICKNAME_STYLE): Nickname {
  const words = [rng.pick(style.first), rng.pick(style.second)];
  let digits = '';
  if (rng.chance(style.digitsRate)) digits = rng.chance(0.5) ? rng.digits(2) : String(rng.range(1970, 2006));
  return { words, digits, base: words.join('') + digits };
}

const LEET: Readonly<Record<string, string>> = { o: '0', e: '3', a: '4', i: '1', s: '5' };
/** Cyrillic letters that render like Latin ones: а е о р с (U+0430 U+0435 U+043E U+0440 U+0441). */
const CYRILLIC: Readonly<Record<string, string>> = {
  a: '\u0430',
  e: '\u0435',
  o: '\u043e',
  p: '\u0440',
  c: '\u0441',
};

/** ASCII letters and digits to their fullwidth forms (U+FF10–FF19, U+FF21–FF3A, U+FF41–FF5A). */
function fullwidth(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    const isAlnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    out += isAlnum ? String.fromCharCode(c + 0xfee0) : ch;
  }
  return out;
}

/** Replace mapped characters; each occurrence is replaced with probability `p`, and at least one is. */
function substitute(
  rng: Prng,
  s: string,
  map: Readonly<Record<string, string>>,
  p: number,
): string | undefined {
  const chars = [...s];
  const candidates = chars.flatMap((ch, i) => (map[ch] === undefined ? [] : [i]));
  if (candidates.length === 0) return undefined;
  const forced = rng.pick(candidates);
  for (const i of candidates) {
    const ch = chars[i] as string;
    if (i === forced || rng.chance(p)) chars[i] = map[ch] ?? ch;
  }
  return chars.join('');
}

function applyCase(rng: Prng, nick: Nickname): string {
  switch (rng.int(3)) {
    case 0:
      return nick.words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('') + nick.digits;
    case 1:
      return nick.base.toUpperCase();
    default:
      return (nick.words[0] ?? '') + nick.words.slice(1).join('').toUpperCase() + nick.digits;
  }
}

/**
 * One screen name for an account of the person with this nickname. The first account of a person
 * often carries the plain nickname; later ones get one or two transforms, as people re-register
 * after a ban or when the plain name is taken.
 */
export function screenNameVariant(
  rng: Prng,
  nick: Nickname,
  plainAllowed: boolean,
  style: NicknameStyle = DEFAULT_NICKNAME_STYLE,
): ScreenName {
  if (plainAllowed && rng.chance(0.45)) return { name: nick.base, transforms: [] };
  const transforms: NickTransform[] = [];
  // Structural changes first (they work on words), then character-level disguises on the result.
  let name = nick.base;
  const structural = rng.int(3);
  if (structural === 0 || rng.chance(0.3)) {
    name =
      nick.words.join(rng.pick(['_', '.', '-'])) + (nick.digits ? rng.pick(['', '_']) + nick.digits : '');
    transforms.push('separator');
  }
  if (structural === 1 || rng.chance(0.3)) {
    const suffix = rng.chance(0.5) ? rng.digits(rng.range(1, 3)) : String(rng.range(1, 99));
    name =
      nick.digits && name.endsWith(nick.digits) ? name.slice(0, -nick.digits.length) + suffix : name + suffix;
    transforms.push('digits');
  }
  if (structural === 2 || rng.chance(0.2)) {
    const cased = applyCase(rng, nick);
    // Keep any separator/digit change: re-case only when the name is still the plain base.
    if (transforms.length === 0) name = cased;
    else name = rng.chance(0.5) ? name.toUpperCase() : name.charAt(0).toUpperCase() + name.slice(1);
    transforms.push('case');
  }
  const disguise = rng.float();
  const bands = style.disguise;
  if (disguise < bands.leet) {
    const leet = substitute(rng, name, LEET, 0.6);
    if (leet !== undefined) {
      name = leet;
      transforms.push('leet');
    }
  } else if (disguise < bands.lookAlike) {
    const lower = name.toLowerCase() === name;
    const cyr = lower ? substitute(rng, name, CYRILLIC, 0.4) : undefined;
    if (cyr !== undefined) {
      name = cyr;
      transforms.push('cyrillic');
    } else {
      name = fullwidth(name);
      transforms.push('fullwidth');
    }
  } else if (disguise < bands.fullwidth) {
    name = fullwidth(name);
    transforms.push('fullwidth');
  }
  return { name, transforms };
}

/** The display-name form ("Night Owl"), shown by some services beside the handle. */
export function displayNameOf(nick: Nickname): string {
  return nick.words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
}
