import type { Brand } from './brand.ts';

/** Time-ordered (UUIDv7) ids: sortable by creation, safe to expose. */
export type ReferralId = Brand<string, 'ReferralId'>;
export type OrganisationId = Brand<string, 'OrganisationId'>;
export type Sha256Hex = Brand<string, 'Sha256Hex'>;
export type Md5Hex = Brand<string, 'Md5Hex'>;
export type Sha1Hex = Brand<string, 'Sha1Hex'>;
export type PdqHex = Brand<string, 'PdqHex'>;
export type CountryCode = Brand<string, 'CountryCode'>;
/** An instant as an ISO-8601 UTC string (`2025-06-14T19:37:05.000Z`): sorts lexically, same on every dialect. */
export type Instant = Brand<string, 'Instant'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const HEX = (n: number) => new RegExp(`^[0-9a-f]{${n}}$`);
const MD5 = HEX(32);
const SHA1 = HEX(40);
const SHA256 = HEX(64);

export function parseReferralId(s: string): ReferralId | undefined {
  return UUID.test(s) ? (s as ReferralId) : undefined;
}
export function parseOrganisationId(s: string): OrganisationId | undefined {
  return UUID.test(s) ? (s as OrganisationId) : undefined;
}
export function parseMd5(s: string): Md5Hex | undefined {
  const v = s.trim().toLowerCase();
  return MD5.test(v) ? (v as Md5Hex) : undefined;
}
export function parseSha1(s: string): Sha1Hex | undefined {
  const v = s.trim().toLowerCase();
  return SHA1.test(v) ? (v as Sha1Hex) : undefined;
}
export function parseSha256(s: string): Sha256Hex | undefined {
  const v = s.trim().toLowerCase();
  return SHA256.test(v) ? (v as Sha256Hex) : undefined;
}
export function parsePdq(s: string): PdqHex | undefined {
  const v = s.trim().toLowerCase();
  return SHA256.test(v) ? (v as PdqHex) : undefined;
}
/** ISO 3166-1 alpha-2, plus the GeoIP pseudo-codes CyberTipline allows (A1, A2, O1, AP, EU). */
export function parseCountryCode(s: string): CountryCode | undefined {
  const v = s.trim().toUpperCase();
  return /^[A-Z][A-Z0-9]$/.test(v) ? (v as CountryCode) : undefined;
}

const XSD_DATE_TIME = /^-?\d{4,}-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$/;

/**
 * An `xs:dateTime` to an Instant. Rejects impossible dates (Feb 30, hour 25) that `Date` would roll over.
 * A value without an offset is read as UTC, as NCMEC's documentation asks senders to always give one.
 */
export function parseInstant(s: string): Instant | undefined {
  const m = XSD_DATE_TIME.exec(s.trim());
  if (!m) return undefined;
  const [month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || hour > 24 || minute > 59 || second > 59) return undefined;
  if (hour === 24 && (minute !== 0 || second !== 0)) return undefined;
  const year = Number(s.trim().slice(0, s.trim().indexOf('-', 1)));
  if (day > daysInMonth(year, month)) return undefined;
  if (m[8] !== undefined && (Number(m[8]) > 14 || Number(m[9]) > 59)) return undefined;
  const text = m[7] === undefined ? `${s.trim()}Z` : s.trim();
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : (new Date(t).toISOString() as Instant);
}

/** An `xs:date` (YYYY-MM-DD), checked for impossible days. */
export function parseDate(s: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) ? m[0] : undefined;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function instantOf(d: Date): Instant {
  return d.toISOString() as Instant;
}
