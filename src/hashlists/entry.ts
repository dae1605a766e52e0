import type { Problem } from '../domain/errors.ts';
import type { MediaCategory } from '../domain/media.ts';

/** One entry of a list as a reader produces it: hashes lower-case, category mapped, source code kept. */
export interface ListEntry {
  /** The entry's own id: a VICS MediaID, a CSV `id` or line number. */
  readonly entry: string;
  readonly md5: string | null;
  readonly sha1: string | null;
  readonly sha256: string | null;
  readonly pdq: string | null;
  readonly pdqQuality: number | null;
  readonly category: MediaCategory;
  readonly sourceScheme: string;
  readonly sourceCode: string | null;
  readonly series: string | null;
  readonly victimIdentified: boolean | null;
}

/** What a reader yields, in file order. Problems name the place (`line 12/hash`, `/value/3/MD5`). */
export type ReadItem =
  | { readonly kind: 'entry'; readonly entry: ListEntry }
  | { readonly kind: 'problem'; readonly problem: Problem }
  /** An entry with no hash Conduit can match (e.g. PhotoDNA only): counted, not imported. */
  | { readonly kind: 'skipped'; readonly reason: string }
  /** A hash of a kind Conduit does not match (PhotoDNA) seen on an entry: counted, not kept. */
  | { readonly kind: 'ignored'; readonly what: string };

/** Explicit flag parsing: `"false"` is false (not truthy), absent is unknown. Undefined = not a flag. */
export function parseFlag(v: unknown): boolean | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v !== 'string') return undefined;
  switch (v.trim().toLowerCase()) {
    case '':
      return null;
    case 'true':
    case 'yes':
    case 'y':
    case '1':
      return true;
    case 'false':
    case 'no':
    case 'n':
    case '0':
      return false;
    default:
      return undefined;
  }
}

const HEX_LENGTH = { md5: 32, sha1: 40, sha256: 64, pdq: 64 } as const;
export type EntryHashKind = keyof typeof HEX_LENGTH;

/** Lower-cased hex of the kind's length, or undefined. */
export function parseHex(kind: EntryHashKind, v: string): string | undefined {
  const s = v.trim().toLowerCase();
  return s.length === HEX_LENGTH[kind] && /^[0-9a-f]+$/.test(s) ? s : undefined;
}
