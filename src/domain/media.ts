/**
 * Known-material matching: the nouns shared by hash lists, the index and the pipeline's match stage.
 * No imagery ever appears here: only hashes, categories and provenance.
 */

/**
 * One internal scale over the categorisation schemes of this field, from most to least serious; the
 * source's own scheme and code are always kept beside it (`sourceScheme`, `sourceCode`).
 * - `illegal`: illegal child abuse material (VICS US 1; industry A1, A2, B1, B2; UK A, B, C)
 * - `exploitive`: child exploitive, not illegal / age difficult (VICS US 2)
 * - `animated`: CGI / animation, child exploitive (VICS US 3)
 * - `comparison`: comparison / exemplar images (VICS US 4)
 * - `non-pertinent`: known and not pertinent (VICS US 0)
 * - `uncategorised`: no category given, or a code the scheme does not document
 */
export const MEDIA_CATEGORIES = [
  'illegal',
  'exploitive',
  'animated',
  'comparison',
  'non-pertinent',
  'uncategorised',
] as const;
export type MediaCategory = (typeof MEDIA_CATEGORIES)[number];

export const EXACT_HASH_KINDS = ['md5', 'sha1', 'sha256'] as const;
export type ExactHashKind = (typeof EXACT_HASH_KINDS)[number];
export type HashKind = ExactHashKind | 'pdq';

/** A hash list as a match names it: which list, which version (re-imports replace it atomically). */
export interface ListRef {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  /** A list of known benign material: its matches suppress, they do not flag. */
  readonly negative: boolean;
}

/** One entry of a list that a hash matched. */
export interface ListHit {
  readonly list: ListRef;
  /** The entry's own id in its list (a VICS MediaID, a CSV line number). */
  readonly entry: string;
  readonly category: MediaCategory;
  readonly sourceScheme: string;
  readonly sourceCode: string | null;
  readonly series: string | null;
  readonly victimIdentified: boolean | null;
}

/** A file of a referral matched against a list: exact (distance 0) or PDQ within the radius. */
export interface HashMatch extends ListHit {
  /** Index of the file in the referral's `files`. */
  readonly file: number;
  readonly kind: HashKind;
  readonly distance: number;
}

/** The referral's files at a glance, as an analyst reads them before opening anything. */
export interface MediaSummary {
  readonly files: number;
  /** Files with at least one (positive) match. */
  readonly matched: number;
  /** Matched files by the most serious category among their matches. */
  readonly byCategory: Readonly<Partial<Record<MediaCategory, number>>>;
  /** Files no list knows ("new, never seen"): indexes into `files`. */
  readonly unknown: readonly number[];
  /** Files whose PDQ hash was below the quality threshold: kept, not matched perceptually. */
  readonly lowQualityPdq: readonly number[];
  /** Files whose only matches were on negative (known benign) lists. */
  readonly suppressed: readonly number[];
}
