import type { Kysely } from 'kysely';
import type { ListEntry } from '../hashlists/entry.ts';
import { chunks } from './audit.repo.ts';
import type { Tables } from './schema.ts';

export type HashListRow = Tables['hash_lists'];
export type HashListEntryRow = Tables['hash_list_entries'];

const ENTRY_COLUMNS = 13;

export function listHashLists(db: Kysely<Tables>): Promise<HashListRow[]> {
  return db.selectFrom('hash_lists').selectAll().orderBy('name').execute();
}

export function findHashList(db: Kysely<Tables>, name: string): Promise<HashListRow | undefined> {
  return db.selectFrom('hash_lists').selectAll().where('name', '=', name).executeTakeFirst();
}

/** What identifies the current content of every list: changes whenever a list is imported or removed. */
export async function hashListsSignature(db: Kysely<Tables>): Promise<string> {
  const rows = await db.selectFrom('hash_lists').select(['id', 'import_id']).orderBy('id').execute();
  return rows.map((r) => `${r.id}:${r.import_id}`).join(',');
}

/** Records an import being staged, so its rows can be swept if the process dies before it finishes. */
export async function beginImport(
  db: Kysely<Tables>,
  row: { id: string; listName: string; startedAt: string },
): Promise<void> {
  await db
    .insertInto('hash_list_imports')
    .values({ id: row.id, list_name: row.listName, state: 'staging', started_at: row.startedAt })
    .execute();
}

/** Writes a batch of an import's entries, numbered from `firstSeq`, in multi-row INSERTs. */
export async function insertEntries(
  db: Kysely<Tables>,
  importId: string,
  firstSeq: number,
  entries: readonly ListEntry[],
): Promise<void> {
  const rows: HashListEntryRow[] = entries.map((e, i) => ({
    import_id: importId,
    seq: firstSeq + i,
    entry: e.entry,
    md5: e.md5,
    sha1: e.sha1,
    sha256: e.sha256,
    pdq: e.pdq,
    pdq_quality: e.pdqQuality,
    category: e.category,
    source_scheme: e.sourceScheme,
    source_code: e.sourceCode,
    series: e.series,
    victim_identified: e.victimIdentified === null ? null : e.victimIdentified ? 1 : 0,
  }));
  for (const chunk of chunks(rows, ENTRY_COLUMNS))
    await db.insertInto('hash_list_entries').values(chunk).execute();
}

/**
 * Makes a staged import the list's current content in one update (inside the caller's transaction): the
 * list is created at version 1 or moved to the next version, and the import it replaces is marked retired
 * for `deleteImport`. Returns the list as now stored and the retired import, if any.
 */
export async function publishImport(
  db: Kysely<Tables>,
  list: Omit<HashListRow, 'version' | 'created_at' | 'id'> & { newId: string; at: string },
): Promise<{ row: HashListRow; retired: string | null }> {
  const old = await findHashList(db, list.name);
  const { newId, at, ...fields } = list;
  const row: HashListRow = old
    ? { ...old, ...fields, version: old.version + 1 }
    : { ...fields, id: newId, version: 1, created_at: at };
  if (old) await db.updateTable('hash_lists').set(row).where('id', '=', old.id).execute();
  else await db.insertInto('hash_lists').values(row).execute();
  await db.deleteFrom('hash_list_imports').where('id', '=', list.import_id).execute();
  if (old) await retire(db, old);
  return { row, retired: old?.import_id ?? null };
}

/** Deletes a list (inside the caller's transaction); its entries are retired for `deleteImport`. */
export async function removeHashList(db: Kysely<Tables>, row: HashListRow): Promise<void> {
  await db.deleteFrom('hash_lists').where('id', '=', row.id).execute();
  await retire(db, row);
}

async function retire(db: Kysely<Tables>, row: HashListRow): Promise<void> {
  await db
    .insertInto('hash_list_imports')
    .values({ id: row.import_id, list_name: row.name, state: 'retired', started_at: row.imported_at })
    .execute();
}

/**
 * Deletes an import's rows in short transactions of `batch` rows (no reader sees them: no list names the
 * import), then its bookkeeping row.
 */
export async function deleteImport(db: Kysely<Tables>, importId: string, batch = 20_000): Promise<void> {
  const last = await db
    .selectFrom('hash_list_entries')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('import_id', '=', importId)
    .executeTakeFirst();
  const max = last?.seq ?? null;
  if (max !== null)
    for (let lo = 0; lo <= Number(max); lo += batch)
      await db
        .deleteFrom('hash_list_entries')
        .where('import_id', '=', importId)
        .where('seq', '>=', lo)
        .where('seq', '<', lo + batch)
        .execute();
  await db.deleteFrom('hash_list_imports').where('id', '=', importId).execute();
}

/** Imports left behind by a crash: retired ones, and staging ones started before `staleBefore`. */
export async function abandonedImports(db: Kysely<Tables>, staleBefore: string): Promise<string[]> {
  const rows = await db
    .selectFrom('hash_list_imports')
    .select('id')
    .where((eb) =>
      eb.or([
        eb('state', '=', 'retired'),
        eb.and([eb('state', '=', 'staging'), eb('started_at', '<', staleBefore)]),
      ]),
    )
    .execute();
  return rows.map((r) => r.id);
}

/** One page of an import's entries in order, after `afterSeq` (keyset paging). */
export function entriesPage(
  db: Kysely<Tables>,
  importId: string,
  afterSeq: number,
  limit: number,
): Promise<HashListEntryRow[]> {
  return db
    .selectFrom('hash_list_entries')
    .selectAll()
    .where('import_id', '=', importId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** How many of these imports' entries carry a PDQ hash (sizes the PDQ index up front). */
export async function countPdqEntries(db: Kysely<Tables>, importIds: readonly string[]): Promise<number> {
  if (importIds.length === 0) return 0;
  const r = await db
    .selectFrom('hash_list_entries')
    .select((eb) => eb.fn.count('pdq').as('n'))
    .where('import_id', 'in', importIds)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}
