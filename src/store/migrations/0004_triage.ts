// Migrations are frozen history: they address tables untyped, not through today's schema.
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Kysely, Migration } from 'kysely';

/**
 * Jurisdiction, priority and the triage queue. The decision row keeps what the pipeline concluded; the
 * referral row carries the effective values the queue sorts and filters on (the decision, or an analyst's
 * override), so a queue page is one index range. Rule sets (routing, priority, lexicons) are versioned rows:
 * the newest version of each is in force, the older ones stay for the record.
 */
export function triage(): Migration {
  return {
    async up(db: Kysely<any>) {
      const columns: [string, 'text' | 'integer' | 'real'][] = [
        ['priority_level', 'text'],
        ['priority_rank', 'integer'],
        ['priority_score', 'real'],
        ['country', 'text'],
        ['region', 'text'],
        ['confidence', 'real'],
        ['classification', 'text'],
        ['has_matches', 'integer'],
        ['triage', 'text'],
        ['overrides', 'text'],
      ];
      for (const [name, type] of columns)
        await db.schema.alterTable('referrals').addColumn(name, type).execute();
      // Rows stored before prioritisation existed: actionable, pending, and ranked after every level (4), so
      // keyset order never meets a NULL (SQLite and PostgreSQL sort NULLs differently).
      await db
        .updateTable('referrals')
        .set({ priority_rank: 4, classification: 'actionable', triage: 'pending', has_matches: 0 })
        .execute();
      await db.schema
        .createIndex('referrals_queue')
        .on('referrals')
        .columns(['recipient_org_id', 'classification', 'priority_rank', 'received_at', 'id'])
        .execute();
      await db.schema.alterTable('identifiers').addColumn('facts', 'text').execute();

      await db.schema
        .createTable('rule_sets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        // routing | priority | lexicon
        .addColumn('kind', 'text', (c) => c.notNull())
        // 'default' for routing and priority; the list's name for a lexicon
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        // the file's own version string (rules) or null (lexicons)
        .addColumn('label', 'text')
        // null retires a lexicon
        .addColumn('document', 'text')
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addUniqueConstraint('rule_sets_version', ['kind', 'name', 'version'])
        .execute();
    },
  };
}
