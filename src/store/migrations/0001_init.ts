// Migrations are frozen history: they address tables untyped, not through today's schema.
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../db.ts';

/** The hash the first audit event chains to. */
export const GENESIS = '0'.repeat(64);

export function init(dialect: Dialect): Migration {
  const blob = dialect === 'postgres' ? sql`bytea` : sql`blob`;
  const bigint = dialect === 'postgres' ? sql`bigint` : sql`integer`;
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('organisations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('country', 'text')
        .addColumn('parent_id', 'text', (c) => c.references('organisations.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('referrals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('source_org_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('source_ref', 'text', (c) => c.notNull())
        .addColumn('content_sha256', 'text', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('incident_type', 'text', (c) => c.notNull())
        .addColumn('incident_at', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('recipient_org_id', 'text', (c) => c.references('organisations.id'))
        .addColumn('document', 'text', (c) => c.notNull())
        // The idempotency key: one referral per source reference, whatever the number of resubmissions.
        .addUniqueConstraint('referrals_source_unique', ['source_org_id', 'source_ref'])
        .execute();
      await db.schema
        .createIndex('referrals_received')
        .on('referrals')
        .columns(['received_at', 'id'])
        .execute();
      await db.schema
        .createIndex('referrals_recipient')
        .on('referrals')
        .columns(['recipient_org_id', 'id'])
        .execute();

      await db.schema
        .createTable('referral_raw')
        .addColumn('referral_id', 'text', (c) => c.primaryKey().references('referrals.id'))
        .addColumn('media_type', 'text', (c) => c.notNull())
        .addColumn('encoding', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('bytes', blob, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('decisions')
        .addColumn('referral_id', 'text', (c) => c.primaryKey().references('referrals.id'))
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('recipient_org_id', 'text', (c) => c.references('organisations.id'))
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('identifiers')
        .addColumn('referral_id', 'text', (c) => c.notNull().references('referrals.id'))
        .addColumn('ord', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('raw', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('account', 'integer', (c) => c.notNull())
        .addColumn('service', 'text')
        .addColumn('port', 'integer')
        .addColumn('seen_at', 'text')
        .addPrimaryKeyConstraint('identifiers_pk', ['referral_id', 'ord'])
        .execute();
      await db.schema.createIndex('identifiers_value').on('identifiers').columns(['kind', 'value']).execute();

      await db.schema
        .createTable('files')
        .addColumn('referral_id', 'text', (c) => c.notNull().references('referrals.id'))
        .addColumn('ord', 'integer', (c) => c.notNull())
        .addColumn('md5', 'text')
        .addColumn('sha1', 'text')
        .addColumn('sha256', 'text')
        .addColumn('pdq', 'text')
        .addColumn('relevance', 'text', (c) => c.notNull())
        .addColumn('classification', 'text')
        .addPrimaryKeyConstraint('files_pk', ['referral_id', 'ord'])
        .execute();
      await db.schema.createIndex('files_md5').on('files').column('md5').execute();
      await db.schema.createIndex('files_sha1').on('files').column('sha1').execute();
      await db.schema.createIndex('files_sha256').on('files').column('sha256').execute();

      await db.schema
        .createTable('audit_events')
        .addColumn('seq', bigint, (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('org_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('object_type', 'text', (c) => c.notNull())
        .addColumn('object_id', 'text')
        .addColumn('request_id', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      // One row: the chain's head. Every writer updates it first, which serialises appends on both
      // dialects (a row lock on PostgreSQL, the write lock on SQLite) so the chain never forks.
      await db.schema
        .createTable('audit_head')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('seq', bigint, (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.insertInto('audit_head').values({ id: 1, seq: 0, hash: GENESIS }).execute();
      await db.schema
        .createIndex('audit_object')
        .on('audit_events')
        .columns(['object_type', 'object_id'])
        .execute();

      await db.schema
        .createTable('outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('available_at', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('done_at', 'text')
        .execute();
      await db.schema
        .createIndex('outbox_pending')
        .on('outbox')
        .columns(['done_at', 'available_at'])
        .execute();

      await db.schema
        .createTable('ispws_reports')
        .addColumn('report_id', 'integer', (c) =>
          dialect === 'postgres'
            ? c.primaryKey().generatedAlwaysAsIdentity()
            : c.primaryKey().autoIncrement(),
        )
        .addColumn('source_org_id', 'text', (c) => c.notNull().references('organisations.id'))
        .addColumn('report_xml', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('closed_at', 'text')
        .addColumn('referral_id', 'text', (c) => c.references('referrals.id'))
        .execute();

      await db.schema
        .createTable('ispws_files')
        .addColumn('file_id', 'text', (c) => c.primaryKey())
        .addColumn('report_id', 'integer', (c) => c.notNull().references('ispws_reports.report_id'))
        .addColumn('size', bigint, (c) => c.notNull())
        .addColumn('md5', 'text', (c) => c.notNull())
        .addColumn('sha1', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('details_xml', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ispws_files_report').on('ispws_files').column('report_id').execute();
    },
  };
}
