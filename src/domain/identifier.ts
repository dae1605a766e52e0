import type { Instant } from './ids.ts';

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
}
