// Migrations are frozen history: they address tables untyped, not through today's schema.
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';

/**
 * Linking: subjects (clusters of mentions believed to be one person) with the evidence for every join,
 * analysts' decisions (kept apart from the subjects so they survive a rebuild), values too common to
 * link, the prior-records register, and deconfliction notices. `referrals.link_seq` is the order the
 * linker took referrals in: a rebuild replays that order, so it reproduces what incremental linking built.
 */
export function linking(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('referrals').addColumn('link_seq', 'integer').execute();
      await db.schema
        .createIndex('referrals_unlinked')
        .on('referrals')
        .column('id')
        .where(sql.ref('link_seq'), 'is', null)
        .execute();
      // Partial, so the planner never takes it for `link_seq IS NULL` (that is referrals_unlinked, in id order).
      await db.schema
        .createIndex('referrals_link_seq')
        .on('referrals')
        .column('link_seq')
        .where(sql.ref('link_seq'), 'is not', null)
        .execute();

      await db.schema
        .createTable('link_state')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('rules_version', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('subjects')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('mentions', 'integer', (c) => c.notNull())
        .addColumn('referrals', 'integer', (c) => c.notNull())
        // JSON array of `service|userId` (or `mention|…` for a mention with no account id)
        .addColumn('accounts', 'text', (c) => c.notNull())
        .addColumn('first_seen', 'text', (c) => c.notNull())
        .addColumn('last_seen', 'text', (c) => c.notNull())
        // JSON array of prior-record hits, or null
        .addColumn('prior', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('subject_mentions')
        .addColumn('referral_id', 'text', (c) => c.notNull())
        .addColumn('slot', 'integer', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('account', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('subject_mentions_pk', ['referral_id', 'slot'])
        .execute();
      await db.schema
        .createIndex('subject_mentions_subject')
        .on('subject_mentions')
        .column('subject_id')
        .execute();

      await db.schema
        .createTable('subject_evidence')
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('ord', 'integer', (c) => c.notNull())
        .addColumn('from_mention', 'text', (c) => c.notNull())
        .addColumn('to_mention', 'text', (c) => c.notNull())
        .addColumn('rule', 'text', (c) => c.notNull())
        // JSON array of link keys
        .addColumn('keys', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('subject_evidence_pk', ['subject_id', 'ord'])
        .execute();

      await db.schema
        .createTable('link_decisions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        // split | merge | confirm
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        // JSON arrays of accounts: the side split off (or merged / confirmed), and the rest
        .addColumn('accounts', 'text', (c) => c.notNull())
        .addColumn('other', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('org_id', 'text')
        .execute();

      await db.schema
        .createTable('link_common')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('accounts', 'integer', (c) => c.notNull())
        .addColumn('found_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('prior_records')
        .addColumn('register', 'text', (c) => c.notNull())
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('raw', 'text', (c) => c.notNull())
        .addColumn('label', 'text')
        .addColumn('since', 'text')
        .addColumn('imported_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('prior_records_pk', ['register', 'reference', 'kind', 'value', 'service'])
        .execute();
      await db.schema
        .createIndex('prior_records_value')
        .on('prior_records')
        .columns(['kind', 'value'])
        .execute();

      await db.schema
        .createTable('deconfliction_notices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        // the organisation told, and the other side
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('other_org_id', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        // the new referral that linked, and since when the holder has held the subject
        .addColumn('referral_id', 'text', (c) => c.notNull())
        .addColumn('held_since', 'text', (c) => c.notNull())
        // holder | newcomer: which side this organisation is on
        .addColumn('side', 'text', (c) => c.notNull())
        // JSON array of key descriptions the link went through
        .addColumn('via', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('deconfliction_once', ['org_id', 'other_org_id', 'subject_id', 'referral_id'])
        .execute();
      await db.schema
        .createIndex('deconfliction_org')
        .on('deconfliction_notices')
        .columns(['org_id', 'created_at'])
        .execute();
    },
  };
}
