/** Small value helpers shared by the generator: fast instants, file hashes, and a bug check. */
import { hash } from 'node:crypto';

import type { Instant, Md5Hex, Sha1Hex, Sha256Hex } from '../domain/ids.ts';
import { instantOf } from '../domain/ids.ts';

const SECOND = 1000;
const DAY = 86_400_000;

export function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`generator produced an invalid ${what}`);
  return value;
}

const TWO_DIGITS: readonly string[] = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const dayPrefix = new Map<number, string>();

/**
 * `Date#toISOString` for whole seconds, without a Date per call: a scenario formats a dozen instants
 * per report, and this was the generator's single hottest function. The day part is cached.
 */
export function instant(ms: number): Instant {
  if (ms % SECOND !== 0) return instantOf(new Date(ms));
  const day = Math.floor(ms / DAY);
  let prefix = dayPrefix.get(day);
  if (prefix === undefined) {
    const iso = instantOf(new Date(day * DAY));
    prefix = iso.slice(0, iso.indexOf('T') + 1);
    dayPrefix.set(day, prefix);
  }
  const secs = (ms - day * DAY) / SECOND;
  const text = `${prefix}${TWO_DIGITS[Math.floor(secs / 3600)]}:${TWO_DIGITS[Math.floor(secs / 60) % 60]}:${TWO_DIGITS[secs % 60]}.000Z`;
  // Same text as instantOf gives (tested), so the brand holds.
  return text as Instant;
}

/**
 * MD5/SHA-1/SHA-256 of a synthetic file's bytes. node:crypto's hex digests are lowercase and of fixed
 * length by construction, which is all the brands promise, so they are not re-parsed here.
 */
export function hashesOf(bytes: Buffer): { md5: Md5Hex; sha1: Sha1Hex; sha256: Sha256Hex } {
  return {
    md5: hash('md5', bytes, 'hex') as Md5Hex,
    sha1: hash('sha1', bytes, 'hex') as Sha1Hex,
    sha256: hash('sha256', bytes, 'hex') as Sha256Hex,
  };
}
