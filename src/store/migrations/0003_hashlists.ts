// Migrations are frozen history: they address tables untyped, not through today's schema.
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Kysely, Migration } from 'kysely';

/**
 * Hash lists. A list's entries belong to one import (`import_id`); the list row names the import that is
 * current, so a re-import is staged under a new import id in short transactions, invisible to readers,
 * and swapped in with one update. Staged and retired imports are tracked in `hash_list_imports` so
 * leftovers of a crash can be swept.
 */
export function hashlists(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('hash_lists')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('negative', 'integer', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('scheme', 'text')
        .addColumn('entries', 'integer', (c) => c.notNull())
        .addColumn('skipped', 'integer', (c) => c.notNull())
        .addColumn('import_id', 'text', (c) => c.notNull())
        .addColumn('file_sha256', 'text', (c) => c.notNull())
        .addColumn('imported_at', 'text', (c) => c.notNull())
        .addColumn('imported_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('hash_list_imports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('list_name', 'text', (c) => c.notNull())
        // staging: rows being written; retired: rows of a replaced or removed version, being deleted.
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('hash_list_entries')
        .addColumn('import_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('entry', 'text', (c) => c.notNull())
        .addColumn('md5', 'text')
        .addColumn('sha1', 'text')
        .addColumn('sha256', 'text')
        .addColumn('pdq', 'text')
        .addColumn('pdq_quality', 'integer')
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('source_scheme', 'text', (c) => c.notNull())
        .addColumn('source_code', 'text')
        .addColumn('series', 'text')
        .addColumn('victim_identified', 'integer')
        .addPrimaryKeyConstraint('hash_list_entries_pk', ['import_id', 'seq'])
        .execute();
      for (const column of ['md5', 'sha1', 'sha256', 'pdq'])
        await db.schema
          .createIndex(`hash_list_entries_${column}`)
          .on('hash_list_entries')
          .column(column)
          .execute();
    },
  };
}
