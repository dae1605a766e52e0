import type { PriorRecordHit } from '../domain/decision.ts';
import type { CountryCode, Instant } from '../domain/ids.ts';
import type { Identifier } from '../domain/identifier.ts';
import type { ExactHashKind, ListHit } from '../domain/media.ts';
import type { Organisation } from '../domain/organisation.ts';
import type { RoutingRules } from '../domain/rules.ts';
import type { LexiconMatcher } from './priority/lexicon.ts';
import type { PriorityRules } from './priority/rules.ts';

/** What stages may read. Real implementations live in adapters/; tests pass plain objects. */
export interface Ports {
  readonly clock: { now(): Instant };
  readonly routing: {
    /** The root that receives everything: it triages what is held and keeps what no one else covers. */
    receivingOrganisation(): Organisation | undefined;
    /** Every organisation with its coverage (the routing tree). */
    organisations(): readonly Organisation[];
  };
  /** The loaded hash lists (exact and PDQ), shared with the API; swapped whole when a list changes. */
  readonly hashes: HashIndexPort;
  /** IP → place, offline. */
  readonly geo: GeoPort;
  /** The rules in force. Read once per referral, so a swap never splits one decision. */
  rules(): RulesSnapshot;
  /** What linking already knows (the prior-records register, known subjects). Absent: nothing known. */
  readonly links?: LinkPort;
}

export interface LinkPort {
  /** Register entries the reported persons' selectors match, directly or through a subject they join. */
  priorRecords(identifiers: readonly Identifier[]): readonly PriorRecordHit[];
}

export interface RulesSnapshot {
  readonly routing: RoutingRules;
  readonly priority: PriorityRules;
  readonly lexicon: LexiconMatcher;
}

export interface GeoPort {
  /** A canonical public IP address (as normalised) → where the database places it, or null. */
  lookup(ip: string): GeoHit | null;
  /** What is answering, for reasons and the UI's credit line (`DB-IP Country Lite`). */
  readonly source: string;
}

export interface GeoHit {
  readonly country: CountryCode;
  /** ISO 3166-2 subdivision (`IT-62`) when the database has one (city databases). */
  readonly region?: string;
  readonly city?: string;
}

export interface HashIndexPort {
  /** Entries whose hash of this kind equals `hex` (lower-case). */
  exact(kind: ExactHashKind, hex: string): readonly ListHit[];
  /** Entries whose PDQ hash is within `radius` bits of `hex`, each with its distance. */
  pdq(hex: string, radius: number): readonly (ListHit & { readonly distance: number })[];
  /** Perceptual matching radius (default 31) and the PDQ quality below which hashes are not matched (50). */
  readonly pdqRadius: number;
  readonly pdqMinQuality: number;
}

/** An instance without hash lists: nothing is known, so every file is "new". */
export const NO_HASH_LISTS: HashIndexPort = {
  exact: () => [],
  pdq: () => [],
  pdqRadius: 31,
  pdqMinQuality: 50,
};

/** No geo database: IP addresses locate nothing (other signals still count). */
export const NO_GEO: GeoPort = { lookup: () => null, source: 'none' };
