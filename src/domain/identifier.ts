import type { CountryCode, Instant } from './ids.ts';

export const IDENTIFIER_KINDS = [
  'email',
  'phone',
  'ip',
  'screen-name',
  'service-user-id',
  'device-id',
  'url',
  'group-id',
] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

/** Whose selector it is within the referral. */
export type IdentifierRole = 'reported' | 'associated' | 'recipient' | 'victim' | 'incident' | 'file';

/** A selector seen in a referral: normalised value for matching, raw form kept beside it. */
export interface Identifier {
  readonly kind: IdentifierKind;
  readonly value: string;
  readonly raw: string;
  readonly role: IdentifierRole;
  /** Index of the account within its role (reported person 0, 1, …), to keep an account's selectors together. */
  readonly account: number;
  /** For `service-user-id`, `screen-name`: the service it belongs to. */
  readonly service?: string;
  readonly port?: number;
  readonly at?: Instant;
  /** What normalisation learned about the value (absent when nothing was learned). */
  readonly facts?: IdentifierFacts;
}

/** Where an IP address sits: only `public` addresses locate anyone or link accounts. */
export const IP_RANGES = [
  'public',
  'private',
  'cgnat',
  'documentation',
  'loopback',
  'link-local',
  'multicast',
  'reserved',
  'unspecified',
] as const;
export type IpRange = (typeof IP_RANGES)[number];

export interface IdentifierFacts {
  /** Phone: the number's country; e-mail/URL: the country of its ccTLD (`.it` → IT, `.uk` → GB). */
  readonly country?: CountryCode;
  /** Phone: libphonenumber's type (`MOBILE`, `FIXED_LINE`, …) and whether the number is valid. */
  readonly numberType?: string;
  readonly valid?: boolean;
  /** IP: the range the address falls in (`cgnat` = RFC 6598 100.64.0.0/10). */
  readonly ipRange?: IpRange;
  /** IP: the source flagged it as a possible proxy. */
  readonly proxy?: boolean;
  /** E-mail/URL: host and registrable domain (Public Suffix List). */
  readonly host?: string;
  readonly domain?: string;
  /** Screen name: the UTS #39 confusable skeleton (for look-alike comparison, never shown). */
  readonly skeleton?: string;
  /** E-mail/phone: the source says it verified the holder controls it (strong evidence for linking). */
  readonly verified?: boolean;
}
