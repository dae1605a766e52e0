import type { Kysely } from 'kysely';
import type { ExactHashKind, ListHit, ListRef, MediaCategory } from '../domain/media.ts';
import { pdqIndexBuilder } from '../media/pdq-index.ts';
import type { HashIndexPort } from '../pipeline/ports.ts';
import { countPdqEntries, entriesPage, hashListsSignature, listHashLists } from '../store/hashlists.repo.ts';
import type { Tables } from '../store/schema.ts';

/** How the PDQ part is built: `pdqIndexBuilder` of src/media/pdq-index.ts unless a test passes another. */
export type PdqIndexBuilderFactory = (expectedSize?: number) => {
  add(hash: string, id: number): void;
  build(): { search(hash: string, radius: number): { id: number; distance: number }[] };
};

export interface HashIndexOptions {
  readonly pdqRadius?: number;
  readonly pdqMinQuality?: number;
  readonly pdqIndexBuilder?: PdqIndexBuilderFactory;
  /** Rows read per query while loading. */
  readonly pageSize?: number;
}

export const DEFAULT_PDQ_RADIUS = 31;
export const DEFAULT_PDQ_MIN_QUALITY = 50;

/** A loaded index and what it holds. */
export interface LoadedHashIndex extends HashIndexPort {
  readonly lists: number;
  readonly entries: number;
  /** Which imports it holds (`hashListsSignature`); null for the empty index. */
  readonly signature: string | null;
}

const NONE: readonly ListHit[] = Object.freeze([]);

/**
 * Reads every current list entry, page by page, into maps (MD5, SHA-1, SHA-256 → hits) and a PDQ index.
 * One ListRef object is shared by all hits of a list; a hash with one hit keeps the hit itself, not an array.
 *
 * Paging is not one snapshot: a list replaced during the load has its old rows deleted under the reader.
 * So the set of current imports is read before and after, and the load is redone until it did not change
 * (a replaced list would otherwise be half there); after a few tries it gives up with an error, and a
 * holder keeps its previous index.
 */
export async function loadHashIndex(
  db: Kysely<Tables>,
  opts: HashIndexOptions = {},
): Promise<LoadedHashIndex> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = await hashListsSignature(db);
    const index = await loadOnce(db, opts, before);
    if ((await hashListsSignature(db)) === before) return index;
  }
  throw new Error('hash lists kept changing while the index was loading; try again');
}

async function loadOnce(
  db: Kysely<Tables>,
  opts: HashIndexOptions,
  signature: string,
): Promise<LoadedHashIndex> {
  const pageSize = opts.pageSize ?? 20_000;
  const lists = await listHashLists(db);
  const maps: Record<ExactHashKind, Map<string, ListHit | ListHit[]>> = {
    md5: new Map(),
    sha1: new Map(),
    sha256: new Map(),
  };
  const pdqHits: ListHit[] = [];
  const builder = (opts.pdqIndexBuilder ?? pdqIndexBuilder)(
    await countPdqEntries(
      db,
      lists.map((l) => l.import_id),
    ),
  );
  const put = (kind: ExactHashKind, hex: string | null, hit: ListHit) => {
    if (hex === null) return;
    const m = maps[kind];
    const had = m.get(hex);
    if (had === undefined) m.set(hex, hit);
    else if (Array.isArray(had)) had.push(hit);
    else m.set(hex, [had, hit]);
  };
  let entries = 0;
  for (const l of lists) {
    const list: ListRef = Object.freeze({
      id: l.id,
      name: l.name,
      version: l.version,
      negative: l.negative === 1,
    });
    let after = -1;
    for (;;) {
      const rows = await entriesPage(db, l.import_id, after, pageSize);
      for (const r of rows) {
        const hit: ListHit = Object.freeze({
          list,
          entry: r.entry,
          category: r.category as MediaCategory,
          sourceScheme: r.source_scheme,
          sourceCode: r.source_code,
          series: r.series,
          victimIdentified: r.victim_identified === null ? null : r.victim_identified === 1,
        });
        put('md5', r.md5, hit);
        put('sha1', r.sha1, hit);
        put('sha256', r.sha256, hit);
        if (r.pdq !== null) {
          builder.add(r.pdq, pdqHits.length);
          pdqHits.push(hit);
        }
        entries++;
      }
      if (rows.length < pageSize) break;
      after = rows[rows.length - 1]?.seq ?? after;
    }
  }
  const pdq = builder.build();
  return {
    lists: lists.length,
    entries,
    signature,
    pdqRadius: opts.pdqRadius ?? DEFAULT_PDQ_RADIUS,
    pdqMinQuality: opts.pdqMinQuality ?? DEFAULT_PDQ_MIN_QUALITY,
    exact(kind, hex) {
      const h = maps[kind].get(hex);
      return h === undefined ? NONE : Array.isArray(h) ? h : [h];
    },
    pdq(hex, radius) {
      return pdq
        .search(hex, radius)
        .sort((a, b) => a.distance - b.distance || a.id - b.id)
        .flatMap(({ id, distance }) => {
          const hit = pdqHits[id];
          return hit ? [{ ...hit, distance }] : [];
        });
    },
  };
}

/** An index of no lists: what the pipeline sees before the first load. */
export function emptyHashIndex(opts: { pdqRadius?: number; pdqMinQuality?: number } = {}): LoadedHashIndex {
  return {
    lists: 0,
    entries: 0,
    signature: null,
    pdqRadius: opts.pdqRadius ?? DEFAULT_PDQ_RADIUS,
    pdqMinQuality: opts.pdqMinQuality ?? DEFAULT_PDQ_MIN_QUALITY,
    exact: () => NONE,
    pdq: () => [],
  };
}

export interface HashIndexHolder {
  /** The index as of the last completed load; a reader keeps the one it got for its whole operation. */
  current(): LoadedHashIndex;
  /** A port that always reads the current index: give this to the pipeline and the API. */
  readonly port: HashIndexPort;
  /** Builds a new index and swaps it in whole; concurrent calls share one rebuild after the latest change. */
  reload(): Promise<void>;
  /** Reloads only if a list changed since the last load (another process imported one): for a poll. */
  reloadIfChanged(): Promise<boolean>;
}

export function createHashIndexHolder(
  db: Kysely<Tables>,
  opts: HashIndexOptions = {},
  initial: LoadedHashIndex = emptyHashIndex(opts),
): HashIndexHolder {
  let index = initial;
  let running: Promise<void> | null = null;
  let again = false;

  async function rebuild(): Promise<void> {
    do {
      again = false;
      // The swap: one assignment; readers holding the old index keep it.
      index = await loadHashIndex(db, opts);
    } while (again);
  }
  const reload = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = rebuild().finally(() => {
      running = null;
    });
    return running;
  };
  return {
    current: () => index,
    port: {
      exact: (kind, hex) => index.exact(kind, hex),
      pdq: (hex, radius) => index.pdq(hex, radius),
      get pdqRadius() {
        return index.pdqRadius;
      },
      get pdqMinQuality() {
        return index.pdqMinQuality;
      },
    },
    reload,
    async reloadIfChanged() {
      if (index.signature !== null && (await hashListsSignature(db)) === index.signature) return false;
      await reload();
      return true;
    },
  };
}
