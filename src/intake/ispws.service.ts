import { createHash, randomBytes } from 'node:crypto';
import { can, type Principal, type RequestContext } from '../domain/access.ts';
import { problem, type Problem } from '../domain/errors.ts';
import { parseMd5, parseSha1, parseSha256, type Instant, type OrganisationId } from '../domain/ids.ts';
import type { Organisation, OrganisationKind } from '../domain/organisation.ts';
import type { MediaFile, ReferralDocument } from '../domain/referral.ts';
import { auditEvent, auditedWrite, type AuditEntry } from '../store/audit.repo.ts';
import type { Database } from '../store/db.ts';
import {
  findIspwsFile,
  findIspwsReport,
  insertIspwsFile,
  insertIspwsReport,
  listIspwsFiles,
  lockOpenIspwsReport,
  setIspwsFileDetails,
  transitionIspwsReport,
  type IspwsFileRow,
  type IspwsReportRow,
} from '../store/ispws.repo.ts';
import { parseCyberTipline } from './formats/cybertipline.ts';
import { readXml, xmlTrim } from './formats/cybertipline-xml.ts';
import type { IntakeService } from './intake.service.ts';
import { parseUnit } from './parse.ts';

/** Who is calling: the organisation and principal these credentials belong to, or undefined. */
export type Authenticate = (
  username: string,
  password: string,
) => Promise<{ readonly org: Organisation; readonly principal: Principal } | undefined>;

/** Organisations that file reports. A hub or a unit has no business opening CyberTipline reports. */
const REPORTING_KINDS: readonly OrganisationKind[] = ['provider', 'referring-centre'];

/** Uploaded files are streamed through the hashes, so the limit can be generous. */
export const DEFAULT_UPLOAD_MAX_BYTES = 2 * 1024 ** 3;

export type IspwsAuth =
  | { readonly kind: 'ok'; readonly client: Organisation; readonly principal: Principal }
  | { readonly kind: 'unauthenticated' }
  | { readonly kind: 'forbidden'; readonly client: Organisation };

/** The expected ways an ISPWS call fails; the edge maps each to NCMEC's response code. */
export type IspwsFailure =
  /** The caller may not file reports for this client (authentication lets no such call through). */
  | { readonly kind: 'forbidden' }
  | { readonly kind: 'invalid'; readonly problems: readonly Problem[] }
  | { readonly kind: 'bad-request'; readonly message: string }
  | { readonly kind: 'too-large'; readonly maxBytes: number }
  | { readonly kind: 'unknown-report' }
  | { readonly kind: 'unknown-file' }
  | { readonly kind: 'finished'; readonly reportId: number; readonly fileIds?: readonly string[] }
  | { readonly kind: 'retracted'; readonly reportId: number }
  /** The report's id is already the reference of another referral of this source: nothing was stored. */
  | { readonly kind: 'conflict'; readonly message: string };

export type IspwsResult<T> = ({ readonly kind: 'ok' } & T) | IspwsFailure;

/**
 * Every write is audited in the transaction that makes it (`ispws.submit`, `ispws.upload`, `ispws.fileinfo`,
 * `ispws.finish`, `ispws.retract` on an `ispws-report`), under `ctx`: at /ispws, the client's API key.
 */
export interface IspwsService {
  readonly uploadMaxBytes: number;
  authenticate(username: string, password: string): Promise<IspwsAuth>;
  /** POST /submit: checks the `<report>` alone and opens it. Nothing reaches the pipeline yet. */
  submit(
    client: Organisation,
    report: Buffer,
    ctx: RequestContext,
  ): Promise<IspwsResult<{ reportId: number }>>;
  /**
   * POST /upload: streams the bytes through MD5, SHA-1 and SHA-256 and forgets them; only the size and
   * hashes are kept. `id` is the form field as sent (undefined when it did not precede the file part).
   */
  upload(
    client: Organisation,
    id: string | undefined,
    bytes: AsyncIterable<Uint8Array>,
    ctx: RequestContext,
  ): Promise<IspwsResult<{ reportId: number; fileId: string; md5: string }>>;
  /** POST /fileinfo: checks the `<fileDetails>` together with its report and the other files' details. */
  fileInfo(
    client: Organisation,
    details: Buffer,
    ctx: RequestContext,
  ): Promise<IspwsResult<{ reportId: number }>>;
  /** POST /finish: one referral from the report, its file details and the hashes of its uploads. */
  finish(
    client: Organisation,
    id: string | undefined,
    ctx: RequestContext,
  ): Promise<IspwsResult<{ reportId: number; fileIds: readonly string[]; referralId: string }>>;
  /** POST /retract: an open report is dropped; nothing of it reaches the pipeline. */
  retract(
    client: Organisation,
    id: string | undefined,
    ctx: RequestContext,
  ): Promise<IspwsResult<{ reportId: number }>>;
}

/**
 * As NCMEC's: HTTP Basic, the user name the account's (here the organisation's slug), the password an API
 * key of that organisation. A key of another organisation, or a revoked one, is refused like a wrong one.
 */
export function apiKeyAuthenticator(deps: {
  readonly apiKey: (key: string) => Promise<Principal | undefined>;
  readonly byId: (id: OrganisationId) => Promise<Organisation | undefined>;
}): Authenticate {
  return async (username, password) => {
    const principal = await deps.apiKey(password);
    if (principal?.kind !== 'client') return undefined;
    const org = await deps.byId(principal.orgId);
    return org?.slug === username ? { org, principal } : undefined;
  };
}

const FORBIDDEN = { kind: 'forbidden' } as const;
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const REPORT_ID = /^\+?[0-9]{1,15}$/;

export function createIspwsService(deps: {
  readonly database: Database;
  readonly intake: IntakeService;
  readonly clock: { now(): Instant };
  readonly authenticate: Authenticate;
  readonly uploadMaxBytes?: number;
  /** The fileId token; random unless a test fixes it. */
  readonly newFileId?: () => string;
}): IspwsService {
  const { database, intake, clock } = deps;
  const db = database.db;
  const uploadMaxBytes = deps.uploadMaxBytes ?? DEFAULT_UPLOAD_MAX_BYTES;
  const newFileId = deps.newFileId ?? randomFileId;

  /** The failure for an operation that needs an open report, or undefined when it is open. */
  function refusal(r: IspwsReportRow): IspwsFailure | undefined {
    switch (r.status) {
      case 'open':
        return undefined;
      case 'finishing':
      case 'finished':
        return { kind: 'finished', reportId: r.reportId };
      case 'retracted':
        return { kind: 'retracted', reportId: r.reportId };
    }
  }

  async function openReport(
    client: Organisation,
    id: string | undefined,
  ): Promise<IspwsReportRow | IspwsFailure> {
    if (id === undefined)
      return { kind: 'bad-request', message: 'the form field "id" (the reportId) is required' };
    const reportId = parseReportId(id);
    const r = reportId === undefined ? undefined : await findIspwsReport(db, reportId, client.id);
    if (!r) return { kind: 'unknown-report' };
    return refusal(r) ?? r;
  }

  /**
   * Whether `p` may file reports as `client`: a reporting organisation, and the caller its own key (or an
   * operator). Authentication checks it; each operation checks it again, against the reports' owner.
   */
  function actsFor(p: Principal, client: Organisation): boolean {
    return (
      REPORTING_KINDS.includes(client.kind) &&
      can(p, 'referral.submit') &&
      (p.kind === 'operator' || p.orgId === client.id)
    );
  }

  function event(
    ctx: RequestContext,
    client: Organisation,
    action: `ispws.${'submit' | 'upload' | 'fileinfo' | 'finish' | 'retract'}`,
    reportId: number,
    details: Record<string, unknown> = {},
  ): AuditEntry {
    return auditEvent(ctx, clock.now(), {
      action,
      objectType: 'ispws-report',
      objectId: String(reportId),
      details,
      orgId: client.id,
    });
  }

  async function reloadRefusal(client: Organisation, reportId: number): Promise<IspwsFailure> {
    const r = await findIspwsReport(db, reportId, client.id);
    if (!r) return { kind: 'unknown-report' };
    return refusal(r) ?? { kind: 'conflict', message: 'the report changed meanwhile; try again' };
  }

  return {
    uploadMaxBytes,

    async authenticate(username, password) {
      const caller = await deps.authenticate(username, password);
      if (!caller) return { kind: 'unauthenticated' };
      const { org: client, principal } = caller;
      return actsFor(principal, client) ? { kind: 'ok', client, principal } : { kind: 'forbidden', client };
    },

    async submit(client, report, ctx) {
      if (!actsFor(ctx.principal, client)) return FORBIDDEN;
      const parsed = parseCyberTipline({ report, fileDetails: [], now: new Date(clock.now()) });
      if (!parsed.ok) return { kind: 'invalid', problems: parsed.problems };
      // The parser has checked the bytes are UTF-8; decoded with any byte-order mark kept, the text
      // encodes back to exactly the bytes received.
      const reportXml = UTF8.decode(report);
      const reportId = await auditedWrite(db, async (trx) => {
        const id = await insertIspwsReport(trx, {
          sourceOrgId: client.id,
          reportXml,
          createdAt: clock.now(),
        });
        const sha256 = createHash('sha256').update(report).digest('hex');
        return {
          value: id,
          events: [event(ctx, client, 'ispws.submit', id, { bytes: report.byteLength, sha256 })],
        };
      });
      return { kind: 'ok', reportId };
    },

    async upload(client, id, bytes, ctx) {
      if (!actsFor(ctx.principal, client)) {
        await drain(bytes);
        return FORBIDDEN;
      }
      if (id === undefined) {
        await drain(bytes);
        return {
          kind: 'bad-request',
          message: 'the form field "id" (the reportId) must come before the "file" part',
        };
      }
      const report = await openReport(client, id);
      if (!isReport(report)) {
        await drain(bytes);
        return report;
      }
      const md5 = createHash('md5');
      const sha1 = createHash('sha1');
      const sha256 = createHash('sha256');
      let size = 0;
      for await (const chunk of bytes) {
        size += chunk.byteLength;
        if (size > uploadMaxBytes) continue; // read to the end, so the client gets its answer
        md5.update(chunk);
        sha1.update(chunk);
        sha256.update(chunk);
      }
      if (size > uploadMaxBytes) return { kind: 'too-large', maxBytes: uploadMaxBytes };
      const file = {
        fileId: newFileId(),
        reportId: report.reportId,
        size,
        md5: md5.digest('hex'),
        sha1: sha1.digest('hex'),
        sha256: sha256.digest('hex'),
        createdAt: clock.now(),
      };
      // Recorded only while the report is still open: a /finish that claimed it meanwhile wins.
      const stored = await auditedWrite(db, async (trx) => {
        if (!(await lockOpenIspwsReport(trx, report.reportId, client.id)))
          return { value: false, events: [] };
        await insertIspwsFile(trx, file);
        // What was kept of the file, never its bytes.
        const details = { fileId: file.fileId, size, md5: file.md5, sha1: file.sha1, sha256: file.sha256 };
        return { value: true, events: [event(ctx, client, 'ispws.upload', report.reportId, details)] };
      });
      if (!stored) return reloadRefusal(client, report.reportId);
      return { kind: 'ok', reportId: report.reportId, fileId: file.fileId, md5: file.md5 };
    },

    async fileInfo(client, details, ctx) {
      if (!actsFor(ctx.principal, client)) return FORBIDDEN;
      const ids = fileDetailsIds(details);
      if (!ids.ok) return { kind: 'invalid', problems: ids.problems };
      const report = await openReport(client, ids.reportId);
      if (!isReport(report)) return report;
      const file = await findIspwsFile(db, ids.fileId);
      if (!file || file.reportId !== report.reportId) return { kind: 'unknown-file' };
      // The fast path checks this document in context: the report and every other file's details
      // (a repeated /fileinfo for the same file replaces its details).
      const others = (await listIspwsFiles(db, report.reportId))
        .filter((f) => f.fileId !== file.fileId)
        .flatMap(detailsOf);
      const parsed = parseCyberTipline({
        report: report.reportXml,
        fileDetails: [...others, details],
        now: new Date(clock.now()),
      });
      if (!parsed.ok)
        return {
          kind: 'invalid',
          problems: parsed.problems.map(relativeTo(`/fileDetails[${others.length}]`)),
        };
      const text = UTF8.decode(details);
      const stored = await auditedWrite(db, async (trx) => {
        const set =
          (await lockOpenIspwsReport(trx, report.reportId, client.id)) &&
          (await setIspwsFileDetails(trx, file.fileId, report.reportId, text));
        const replaced = file.detailsXml !== null;
        return {
          value: set,
          events: set
            ? [event(ctx, client, 'ispws.fileinfo', report.reportId, { fileId: file.fileId, replaced })]
            : [],
        };
      });
      if (!stored) return reloadRefusal(client, report.reportId);
      return { kind: 'ok', reportId: report.reportId };
    },

    async finish(client, id, ctx) {
      if (!actsFor(ctx.principal, client)) return FORBIDDEN;
      if (id === undefined)
        return { kind: 'bad-request', message: 'the form field "id" (the reportId) is required' };
      const reportId = parseReportId(id);
      const report = reportId === undefined ? undefined : await findIspwsReport(db, reportId, client.id);
      if (!report) return { kind: 'unknown-report' };
      if (report.status === 'retracted') return { kind: 'retracted', reportId: report.reportId };
      if (report.status === 'finished') {
        return {
          kind: 'finished',
          reportId: report.reportId,
          fileIds: (await listIspwsFiles(db, report.reportId)).map((f) => f.fileId),
        };
      }
      // Claim the report: from here no upload, file details or retraction is accepted, so the referral is
      // made from exactly these files. A report left `finishing` by a crash is simply finished again: the
      // intake is idempotent by source reference, so a second run finds the first run's referral.
      if (
        !(await transitionIspwsReport(db, report.reportId, client.id, ['open', 'finishing'], 'finishing'))
      ) {
        return reloadRefusal(client, report.reportId);
      }
      const files = await listIspwsFiles(db, report.reportId);
      const reopen = () => transitionIspwsReport(db, report.reportId, client.id, ['finishing'], 'open');
      const parsed = parseUnit(
        {
          kind: 'cybertipline',
          input: `ispws:${report.reportId}`,
          report: Buffer.from(report.reportXml, 'utf8'),
          fileDetails: files.flatMap(detailsOf),
        },
        new Date(clock.now()),
      );
      if (parsed.kind === 'rejected') {
        await reopen();
        return { kind: 'invalid', problems: parsed.problems };
      }
      const submission = {
        ...parsed.submission,
        document: withUploads(parsed.submission.document, files),
        fallbackRef: String(report.reportId),
      };
      const [result] = await intake.submit(client, [submission], ctx);
      if (!result) throw new Error('bug: the intake answered nothing for one submission');
      if (result.kind === 'rejected') {
        // Still open: the provider may correct a file's details, or retract.
        await reopen();
        // The intake answers "duplicate" only for the same bytes (a re-run after a crash finds its own
        // referral); another report under this reference is a conflict, never taken over.
        const conflict = result.problems.find((p) => p.code === 'conflict');
        if (conflict) return { kind: 'conflict', message: conflict.message };
        return { kind: 'invalid', problems: result.problems };
      }
      await auditedWrite(db, async (trx) => {
        const finished = await transitionIspwsReport(
          trx,
          report.reportId,
          client.id,
          ['finishing', 'open'],
          'finished',
          { closedAt: clock.now(), referralId: result.id },
        );
        return {
          value: undefined,
          events: finished
            ? [
                event(ctx, client, 'ispws.finish', report.reportId, {
                  referralId: result.id,
                  files: files.length,
                }),
              ]
            : [],
        };
      });
      return {
        kind: 'ok',
        reportId: report.reportId,
        fileIds: files.map((f) => f.fileId),
        referralId: result.id,
      };
    },

    async retract(client, id, ctx) {
      if (!actsFor(ctx.principal, client)) return FORBIDDEN;
      const report = await openReport(client, id);
      if (!isReport(report)) return report;
      const retracted = await auditedWrite(db, async (trx) => {
        const moved = await transitionIspwsReport(trx, report.reportId, client.id, ['open'], 'retracted', {
          closedAt: clock.now(),
        });
        return { value: moved, events: moved ? [event(ctx, client, 'ispws.retract', report.reportId)] : [] };
      });
      if (!retracted) return reloadRefusal(client, report.reportId);
      return { kind: 'ok', reportId: report.reportId };
    },
  };
}

function isReport(r: IspwsReportRow | IspwsFailure): r is IspwsReportRow {
  return !('kind' in r);
}

function parseReportId(s: string): number | undefined {
  const t = s.trim();
  return REPORT_ID.test(t) ? Number(t) : undefined;
}

function detailsOf(f: IspwsFileRow): Buffer[] {
  return f.detailsXml === null ? [] : [Buffer.from(f.detailsXml, 'utf8')];
}

/**
 * The document's files in upload order, each carrying the hashes Conduit computed from the bytes it
 * received. A file uploaded without details is still part of the report: it becomes a "Reported" file
 * known only by those hashes (no details are invented for it).
 */
function withUploads(doc: ReferralDocument, uploads: readonly IspwsFileRow[]): ReferralDocument {
  const described = new Map(
    doc.files.flatMap((f) => (f.fileId === undefined ? [] : [[f.fileId, f] as const])),
  );
  const files: MediaFile[] = uploads.map((u) => {
    const computed = computedOf(u);
    const d = described.get(u.fileId);
    described.delete(u.fileId);
    return d
      ? { ...d, computed }
      : {
          fileId: u.fileId,
          relevance: 'Reported',
          annotations: [],
          hashes: { other: [] },
          computed,
          devices: [],
          details: [],
          additionalInfo: [],
        };
  });
  // Details always name an uploaded file (checked at /fileinfo); kept all the same if one did not.
  return { ...doc, files: [...files, ...described.values()] };
}

function computedOf(u: IspwsFileRow): NonNullable<MediaFile['computed']> {
  const md5 = parseMd5(u.md5);
  const sha1 = parseSha1(u.sha1);
  const sha256 = parseSha256(u.sha256);
  if (!md5 || !sha1 || !sha256) throw new Error(`bug: stored hashes of file ${u.fileId} are not hex digests`);
  return { md5, sha1, sha256, size: u.size };
}

/** The `reportId` and `fileId` of a `<fileDetails>`: which report and file it describes. */
function fileDetailsIds(
  xml: Buffer,
): { ok: true; reportId: string; fileId: string } | { ok: false; problems: readonly Problem[] } {
  const read = readXml(xml, '/fileDetails');
  if (!read.ok) return { ok: false, problems: [read.problem] };
  if (read.root.name !== 'fileDetails') {
    return {
      ok: false,
      problems: [
        problem(
          'schema_violation',
          '/fileDetails',
          `the root element must be <fileDetails>, found <${read.root.name}>`,
        ),
      ],
    };
  }
  const text = (name: string) => {
    const e = read.root.children.find((c) => c.name === name);
    return e === undefined ? undefined : xmlTrim(e.text);
  };
  const reportId = text('reportId');
  const fileId = text('fileId');
  const problems: Problem[] = [];
  if (!reportId)
    problems.push(
      problem('schema_violation', '/fileDetails/reportId', 'the reportId returned by /submit is required'),
    );
  if (!fileId)
    problems.push(
      problem('schema_violation', '/fileDetails/fileId', 'the fileId returned by /upload is required'),
    );
  if (reportId === undefined || !fileId || problems.length) return { ok: false, problems };
  return { ok: true, reportId, fileId };
}

/** Problems of the document at `prefix` in a combined parse, named as in the document the client sent. */
function relativeTo(prefix: string): (p: Problem) => Problem {
  return (p) =>
    p.path === prefix || p.path.startsWith(`${prefix}/`)
      ? { ...p, path: `/fileDetails${p.path.slice(prefix.length)}` }
      : p;
}

/**
 * 32 lower-case hex digits, like NCMEC's. Tokens of only digits and `e` are drawn again: common XML
 * clients (fast-xml-parser in @civitai/cybertipline-tools) would read them back as numbers.
 */
function randomFileId(): string {
  for (;;) {
    const id = randomBytes(16).toString('hex');
    if (!/^[0-9e]+$/.test(id)) return id;
  }
}

async function drain(bytes: AsyncIterable<Uint8Array>): Promise<void> {
  // The bytes are read only to be discarded.
  for await (const _ of bytes);
}
