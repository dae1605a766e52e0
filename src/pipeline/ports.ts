import type { Instant } from '../domain/ids.ts';
import type { ExactHashKind, ListHit } from '../domain/media.ts';
import type { Organisation } from '../domain/organisation.ts';

/** What stages may read. Real implementations live in adapters/; tests pass plain objects. */
export interface Ports {
  readonly clock: { now(): Instant };
  readonly routing: {
    /** The organisation that receives referrals until routing rules exist (issue: jurisdiction routing). */
    receivingOrganisation(): Organisation | undefined;
  };
  /** The loaded hash lists (exact and PDQ), shared with the API; swapped whole when a list changes. */
  readonly hashes: HashIndexPort;
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
