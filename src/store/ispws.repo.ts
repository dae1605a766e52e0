import type { Kysely, Transaction } from 'kysely';
import type { Tables } from './schema.ts';

type Db = Kysely<Tables> | Transaction<Tables>;

/**
 * The life of a report opened through the CyberTipline-compatible API. `finishing` is held while
 * /finish runs the intake: uploads, file details and retraction are refused from the moment it is
 * claimed, so the referral is made from exactly the files the report had.
 */
export type IspwsStatus = 'open' | 'finishing' | 'finished' | 'retracted';

export interface IspwsReportRow {
  readonly reportId: number;
  readonly sourceOrgId: string;
  readonly reportXml: string;
  readonly status: IspwsStatus;
  readonly createdAt: string;
  readonly closedAt: string | null;
  readonly referralId: string | null;
}

/** What Conduit kept of an uploaded file: its size and hashes, never its bytes. */
export interface IspwsFileRow {
  readonly fileId: string;
  readonly reportId: number;
  readonly size: number;
  readonly md5: string;
  readonly sha1: string;
  readonly sha256: string;
  readonly detailsXml: string | null;
  readonly createdAt: string;
}

export async function insertIspwsReport(
  db: Db,
  r: { readonly sourceOrgId: string; readonly reportXml: string; readonly createdAt: string },
): Promise<number> {
  const row = await db
    .insertInto('ispws_reports')
    .values({
      source_org_id: r.sourceOrgId,
      report_xml: r.reportXml,
      status: 'open',
      created_at: r.createdAt,
    })
    .returning('report_id')
    .executeTakeFirstOrThrow();
  return Number(row.report_id);
}

/** The report if it exists and belongs to this source organisation: another client's report is not found. */
export async function findIspwsReport(
  db: Db,
  reportId: number,
  sourceOrgId: string,
): Promise<IspwsReportRow | undefined> {
  const r = await db
    .selectFrom('ispws_reports')
    .selectAll()
    .where('report_id', '=', reportId)
    .where('source_org_id', '=', sourceOrgId)
    .executeTakeFirst();
  return (
    r && {
      reportId: Number(r.report_id),
      sourceOrgId: r.source_org_id,
      reportXml: r.report_xml,
      status: r.status as IspwsStatus,
      createdAt: r.created_at,
      closedAt: r.closed_at,
      referralId: r.referral_id,
    }
  );
}

/**
 * Inside the caller's transaction: locks the report if it is open (a no-op UPDATE takes the row lock on
 * PostgreSQL and the write lock on SQLite), so a concurrent /finish or /retract waits until the caller
 * commits. False when the report is not open (or not this organisation's).
 */
export async function lockOpenIspwsReport(
  trx: Transaction<Tables>,
  reportId: number,
  sourceOrgId: string,
): Promise<boolean> {
  const r = await trx
    .updateTable('ispws_reports')
    .set((eb) => ({ status: eb.ref('status') }))
    .where('report_id', '=', reportId)
    .where('source_org_id', '=', sourceOrgId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Moves the report from one of `from` to `to` atomically; false when it was in none of them. */
export async function transitionIspwsReport(
  db: Db,
  reportId: number,
  sourceOrgId: string,
  from: readonly IspwsStatus[],
  to: IspwsStatus,
  patch: { readonly closedAt?: string | null; readonly referralId?: string | null } = {},
): Promise<boolean> {
  const r = await db
    .updateTable('ispws_reports')
    .set({
      status: to,
      ...(patch.closedAt !== undefined && { closed_at: patch.closedAt }),
      ...(patch.referralId !== undefined && { referral_id: patch.referralId }),
    })
    .where('report_id', '=', reportId)
    .where('source_org_id', '=', sourceOrgId)
    .where('status', 'in', from)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function insertIspwsFile(db: Db, f: Omit<IspwsFileRow, 'detailsXml'>): Promise<void> {
  await db
    .insertInto('ispws_files')
    .values({
      file_id: f.fileId,
      report_id: f.reportId,
      size: f.size,
      md5: f.md5,
      sha1: f.sha1,
      sha256: f.sha256,
      details_xml: null,
      created_at: f.createdAt,
    })
    .execute();
}

export async function findIspwsFile(db: Db, fileId: string): Promise<IspwsFileRow | undefined> {
  const r = await db.selectFrom('ispws_files').selectAll().where('file_id', '=', fileId).executeTakeFirst();
  return r && toFile(r);
}

/** A report's files in upload order. */
export async function listIspwsFiles(db: Db, reportId: number): Promise<IspwsFileRow[]> {
  const rows = await db
    .selectFrom('ispws_files')
    .selectAll()
    .where('report_id', '=', reportId)
    .orderBy('created_at')
    .orderBy('file_id')
    .execute();
  return rows.map(toFile);
}

export async function setIspwsFileDetails(
  db: Db,
  fileId: string,
  reportId: number,
  detailsXml: string,
): Promise<boolean> {
  const r = await db
    .updateTable('ispws_files')
    .set({ details_xml: detailsXml })
    .where('file_id', '=', fileId)
    .where('report_id', '=', reportId)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

function toFile(r: Tables['ispws_files']): IspwsFileRow {
  return {
    fileId: r.file_id,
    reportId: Number(r.report_id),
    size: Number(r.size),
    md5: r.md5,
    sha1: r.sha1,
    sha256: r.sha256,
    detailsXml: r.details_xml,
    createdAt: r.created_at,
  };
}
