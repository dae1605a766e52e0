import { createHash, randomBytes } from 'node:crypto';
import { createTriageService } from '../triage/triage.service.ts';
import { createRulesService } from '../rules/rules.service.ts';
import { testPorts } from '../../test/support/ports.ts';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import {
  Client,
  Environment,
  FileHashType,
  FileRelevance,
  IncidentType,
  IPEventName,
  type Report,
} from '@civitai/cybertipline-tools';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { DIALECTS, openTestDatabase, type TestDialect } from '../../test/support/databases.ts';
import { OPERATOR, startTestServer, type TestServer } from '../../test/support/server.ts';
import { createAccessService } from '../access/access.service.ts';
import { createAuditService } from '../audit/audit.service.ts';
import type { Scope } from '../domain/access.ts';
import { instantOf } from '../domain/ids.ts';
import type { MediaFile } from '../domain/referral.ts';
import { createIntakeService } from '../intake/intake.service.ts';
import { apiKeyAuthenticator, createIspwsService } from '../intake/ispws.service.ts';
import { createOrganisationsService } from '../organisations/organisations.service.ts';
import { createPipeline } from '../pipeline/pipeline.ts';
import { createDashboardService } from '../referrals/dashboard.service.ts';
import { createReferralsService } from '../referrals/referrals.service.ts';
import { verifyAuditChain } from '../store/audit.repo.ts';
import type { Database } from '../store/db.ts';
import { buildServer } from './server.ts';
import { NO_HASH_LISTS } from '../pipeline/ports.ts';
import { createHashListsService } from '../hashlists/hashlists.service.ts';

/** Who the test is when it reads referrals back (reads are audited): the CLI operator, who sees all. */
const TEST_READER = OPERATOR;

const EXAMPLES = new URL('../../../shared/reference/cybertipline/examples/', import.meta.url);
const example = (name: string) => readFileSync(new URL(name, EXAMPLES));
const REPORT = example('example-02-webpage-upload.report.xml');
const DETAILS_REPORTED = example('example-02-webpage-upload.fileDetails.xml').toString('utf8');
const DETAILS_SUPPLEMENTAL = example('example-01-chatim-enticement.fileDetails.xml').toString('utf8');

/** HTTP Basic as NCMEC's clients send it: the organisation's slug, and one of its API keys as the password. */
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Benign synthetic bytes with a marker that must never be found in the database. */
function syntheticFile(marker: string): Buffer {
  return Buffer.concat([Buffer.from(`${marker}\n`), randomBytes(4096), Buffer.from(`\n${marker}`)]);
}

function hashes(b: Buffer) {
  const h = (alg: string) => createHash(alg).update(b).digest('hex');
  return { md5: h('md5'), sha1: h('sha1'), sha256: h('sha256') };
}

/** An example `<fileDetails>` pointed at this report and file, declaring these hashes. */
function detailsFor(
  template: string,
  reportId: number,
  fileId: string,
  declared: { md5?: string; sha1?: string; sha256?: string },
): string {
  let s = template.replace(/<reportId>\d+<\/reportId>/, `<reportId>${reportId}</reportId>`);
  s = s.replace(/<fileId>[0-9a-f]+<\/fileId>/, `<fileId>${fileId}</fileId>`);
  for (const [type, value] of [
    ['MD5', declared.md5],
    ['SHA1', declared.sha1],
    ['SHA256', declared.sha256],
  ] as const) {
    if (value !== undefined)
      s = s.replace(new RegExp(`(<originalFileHash hashType="${type}">)[0-9a-f]+`), `$1${value}`);
  }
  return s;
}

async function multipart(fields: Record<string, string | { bytes: Buffer; filename: string }>) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string') form.append(k, v);
    else form.append(k, new Blob([v.bytes]), v.filename);
  }
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    payload: Buffer.from(await req.arrayBuffer()),
    headers: { 'content-type': req.headers.get('content-type') ?? '' },
  };
}

/** Every text or blob in every table of this test's database (gzip blobs also unpacked). */
async function databaseContents(database: Database): Promise<string[]> {
  const schema =
    database.dialect === 'postgres'
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(database.db)).rows[0]?.s
      : undefined;
  const tables = (await database.db.introspection.getTables({ withInternalKyselyTables: true })).filter(
    (t) => schema === undefined || t.schema === schema,
  );
  expect(tables.map((t) => t.name)).toEqual(
    expect.arrayContaining(['ispws_files', 'ispws_reports', 'referral_raw']),
  );
  const out: string[] = [];
  for (const t of tables) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(t.name)}`.execute(database.db);
    for (const row of rows.rows) {
      for (const v of Object.values(row)) {
        if (typeof v === 'string') out.push(v);
        else if (v instanceof Uint8Array) {
          const b = Buffer.from(v);
          out.push(b.toString('latin1'), b.toString('hex'), b.toString('base64'));
          try {
            out.push(gunzipSync(b).toString('latin1'));
          } catch {
            // not gzip
          }
        }
      }
    }
  }
  return out;
}

describe.each(DIALECTS)('CyberTipline-compatible intake (/ispws) on %s', (dialect: TestDialect) => {
  const cleanup: (() => Promise<void>)[] = [];
  const realFetch = globalThis.fetch;
  afterEach(async () => {
    globalThis.fetch = realFetch;
    for (const c of cleanup.reverse()) await c();
    cleanup.length = 0;
  });

  async function setup(opts: { uploadMaxBytes?: number } = {}) {
    // Wired as main.ts wires it (main.ts itself pulls in the whole CLI), with an upload limit of its own.
    const database = await openTestDatabase(dialect);
    cleanup.push(() => database.dispose());
    const clock = { now: () => instantOf(new Date()) };
    const organisations = createOrganisationsService({ database, clock, newId: uuidv7 });
    const receiving = await organisations.ensureReceiving('hub');
    const access = createAccessService({ database, organisations, clock, newId: uuidv7 });
    const pipeline = createPipeline(
      testPorts({
        clock,
        hashes: NO_HASH_LISTS,
        routing: { receivingOrganisation: () => receiving },
      }),
    );
    const intake = createIntakeService({ database, pipeline, clock, newId: uuidv7 });
    const referrals = createReferralsService({ database, organisations, clock });
    for (const slug of ['example-esp', 'other-esp']) {
      const r = await organisations.add({ slug, kind: 'provider' }, OPERATOR);
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
    }
    const ispws = createIspwsService({
      database,
      intake,
      clock,
      authenticate: apiKeyAuthenticator({
        apiKey: (key) => access.apiKey(key),
        byId: (id) => organisations.byId(id),
      }),
      uploadMaxBytes: opts.uploadMaxBytes,
    });
    const http = await buildServer({
      intake,
      ispws,
      referrals,
      dashboard: createDashboardService({ database, organisations, clock }),
      organisations,
      access,
      audit: createAuditService({ database, organisations, clock }),
      hashlists: createHashListsService({ database, clock, newId: uuidv7 }),
      triage: createTriageService({ database, organisations, pipeline, clock }),
      rules: createRulesService({ database, clock, newId: uuidv7, receivingSlug: 'hub' }),
      hashIndex: { port: NO_HASH_LISTS },
      receiving,
      maxInputBytes: 256 * 1024,
      now: () => new Date(),
      logger: false,
      rateLimit: 100_000,
      corsOrigins: [],
    });
    cleanup.push(() => http.close());
    const app = { database, referrals };
    /** A new API key of `org`, made as an administrator would make it. */
    async function newKey(org: string, scopes: readonly Scope[] = ['submit']) {
      const r = await access.createApiKey({ org, scopes }, OPERATOR);
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      return r.value.key;
    }
    const key = await newKey('example-esp');
    const AUTH = { authorization: basic('example-esp', key) };
    const OTHER = { authorization: basic('other-esp', await newKey('other-esp')) };

    const post = (path: string, payload: string | Buffer, headers: Record<string, string> = AUTH) =>
      http.inject({
        method: 'POST',
        url: `/ispws/${path}`,
        headers: { 'content-type': 'text/xml; charset=utf-8', ...headers },
        payload,
      });
    const form = (path: string, id: string | number, headers: Record<string, string> = AUTH) =>
      http.inject({
        method: 'POST',
        url: `/ispws/${path}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: `id=${id}`,
      });
    async function submit(headers = AUTH): Promise<number> {
      const res = await post('submit', REPORT, headers);
      expect(res.statusCode).toBe(200);
      return Number(field(res.body, 'reportId'));
    }
    async function upload(reportId: number | string, bytes: Buffer, headers: Record<string, string> = AUTH) {
      const body = await multipart({ id: String(reportId), file: { bytes, filename: 'upload_88231.jpg' } });
      return http.inject({
        method: 'POST',
        url: '/ispws/upload',
        headers: { ...body.headers, ...headers },
        payload: body.payload,
      });
    }
    async function referral(id: string) {
      const r = await app.referrals.get(id, TEST_READER);
      if (r?.access !== 'full') throw new Error(`no referral ${id}`);
      return r;
    }
    return { app, http, post, form, submit, upload, referral, key, newKey, AUTH, OTHER };
  }

  it('serves the published @civitai/cybertipline-tools client end to end: status, submit, upload, fileinfo, finish', async () => {
    const { app, http, referral, key } = await setup();
    const origin = await http.listen({ port: 0, host: '127.0.0.1' });
    const sent = new Map<string, string>();
    // The client has NCMEC's hosts built in: only the origin and /ispws prefix are rewritten.
    globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const local = url.replace(/^https:\/\/exttest\.cybertip\.org\/ispws/, `${origin}/ispws`);
      if (typeof init?.body === 'string') sent.set(new URL(local).pathname, init.body);
      return realFetch(local, init);
    };
    const client = new Client({
      environment: Environment.Testing,
      credentials: { username: 'example-esp', password: key },
    });

    const status = await client.getStatus();
    expect(status.data).toMatchObject({
      responseCode: 0,
      responseDescription: 'Remote User : example-esp, Remote Ip : 127.0.0.1',
    });
    expect(status.requestId).not.toBe('unknown');

    const report: Report = {
      incidentSummary: {
        incidentType: IncidentType.ChildPornography,
        incidentDateTime: new Date('2025-03-02T08:14:55Z'),
      },
      incidentDetails: {
        webPageIncidents: [
          { url: ['https://drive.example.com/s/AbCdEf0123'], thirdPartyHostedContent: false },
        ],
      },
      reporter: {
        reportingPerson: {
          firstName: 'Sam',
          lastName: 'Placeholder',
          email: [{ email: 'ncmec-reports@example.com' }],
        },
      },
      personOrUserReported: {
        espIdentifier: 'acct-000000002',
        espService: 'ExampleDrive',
        screenName: 'uploader0002',
        ipCaptureEvent: [
          {
            ipAddress: '198.51.100.201',
            eventName: IPEventName.Upload,
            dateTime: new Date('2025-03-02T08:14:55Z'),
            port: 60211,
          },
        ],
      },
    };
    const submitted = await client.submitReport(report);
    const reportId = submitted.data.reportId;
    expect(reportId).toBeGreaterThan(0);

    const marker = 'CONDUIT-SYNTHETIC-UPLOAD-MARKER-2f6c1e';
    const bytes = syntheticFile(marker);
    const h = hashes(bytes);
    const uploaded = await client.uploadFile({
      id: reportId,
      file: new File([bytes], 'upload_88231.jpg', { type: 'image/jpeg' }),
    });
    expect(uploaded.data).toMatchObject({ responseCode: 0, reportId, hash: h.md5 });
    const fileId = uploaded.data.fileId;
    expect(fileId).toMatch(/^[0-9a-f]{32}$/);

    await client.submitFileDetails({
      reportId,
      fileId,
      originalFileName: 'IMG_0001.jpg',
      fileRelevance: FileRelevance.Reported,
      publiclyAvailable: true,
      originalFileHash: [
        { hashType: FileHashType.MD5, value: h.md5 },
        { hashType: FileHashType.SHA1, value: h.sha1 },
      ],
    });
    const finished = await client.finishReport({ id: reportId });
    expect(finished.data).toMatchObject({ responseCode: 0, reportId, files: { fileId } });

    // The referral: the CyberTipline report id is its source reference; its file carries our hashes.
    const { items } = await app.referrals.list({ limit: 10 }, TEST_READER);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ sourceRef: String(reportId), source: 'example-esp', files: 1 });
    const r = await referral(items[0]?.id ?? '');
    expect(r.document.files[0]).toMatchObject({
      fileId,
      originalFileName: 'IMG_0001.jpg',
      hashes: { md5: h.md5, sha1: h.sha1 },
      computed: { ...h, size: bytes.length },
    });
    // The raw record is the report and file details exactly as the client sent them.
    const raw = await app.database.db
      .selectFrom('referral_raw')
      .selectAll()
      .where('referral_id', '=', r.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(gunzipSync(raw.bytes).toString('utf8'))).toEqual({
      report: sent.get('/ispws/submit'),
      fileDetails: [sent.get('/ispws/fileinfo')],
    });

    // Nothing of the file's bytes is anywhere in the database, in any encoding.
    const contents = await databaseContents(app.database);
    const needles = [
      marker,
      Buffer.from(marker).toString('hex'),
      bytes.toString('base64').slice(0, 64),
      bytes.subarray(100, 164).toString('hex'),
    ];
    for (const needle of needles) expect(contents.filter((c) => c.includes(needle))).toEqual([]);

    // The client's error reporting works: the response code is named in its message.
    await expect(client.finishReport({ id: reportId })).resolves.toMatchObject({
      data: { responseCode: 5102, reportId },
    });
    await expect(client.uploadFile({ id: 999999, file: new File([bytes], 'x.jpg') })).rejects.toThrow(
      /http status 404 - ReportDoesNotExist \(Request-ID: [0-9a-f-]{36}\)/,
    );
    const intruder = new Client({
      environment: Environment.Testing,
      credentials: { username: 'example-esp', password: 'wrong' },
    });
    await expect(intruder.getStatus()).rejects.toThrow(/http status 401 - AuthenticationRequired/);
  });

  it('answers /status with the remote user and address, and a Request-ID', async () => {
    const { http, AUTH } = await setup();
    const res = await http.inject({
      method: 'GET',
      url: '/ispws/status',
      headers: AUTH,
      remoteAddress: '203.0.113.9',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.headers['request-id']).toBeTruthy();
    expect(res.body).toBe(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<reportResponse>\n  <responseCode>0</responseCode>\n' +
        '  <responseDescription>Remote User : example-esp, Remote Ip : 203.0.113.9</responseDescription>\n</reportResponse>\n',
    );
  });

  it('refuses missing or wrong credentials with 401 and code 2000, and a non-reporting organisation with 403 and 3100', async () => {
    const { http, post, key, newKey } = await setup();
    const missing = await http.inject({ method: 'GET', url: '/ispws/status' });
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Basic realm="ispws"');
    expect(field(missing.body, 'responseCode')).toBe('2000');
    for (const authorization of [
      basic('example-esp', 'wrong'),
      basic('example-esp', ''),
      basic('example-esp', key.slice(0, -1)),
      basic('no-such-org', key),
      'Bearer x',
      // /ispws speaks HTTP Basic only, as NCMEC's API does.
      `Bearer ${key}`,
      'Basic !!!',
    ]) {
      const res = await http.inject({ method: 'GET', url: '/ispws/status', headers: { authorization } });
      expect([res.statusCode, field(res.body, 'responseCode')]).toEqual([401, '2000']);
    }
    // The receiving hub exists, but a hub does not file CyberTipline reports.
    const hub = await post('submit', REPORT, { authorization: basic('hub', await newKey('hub')) });
    expect([hub.statusCode, field(hub.body, 'responseCode')]).toEqual([403, '3100']);
  });

  // Until API keys, any password opened /ispws for an existing organisation unless one was configured.
  it('accepts only an API key of the organisation as the password, never any other password', async () => {
    const { http, key } = await setup();
    const status = (password: string) =>
      http.inject({
        method: 'GET',
        url: '/ispws/status',
        headers: { authorization: basic('example-esp', password) },
      });
    const anything = await status('anything');
    expect([anything.statusCode, field(anything.body, 'responseCode')]).toEqual([401, '2000']);
    const ok = await status(key);
    expect([ok.statusCode, field(ok.body, 'responseCode')]).toEqual([200, '0']);
  });

  it('opens a submitted report, keeping its XML verbatim', async () => {
    const { app, post } = await setup();
    const res = await post('submit', REPORT);
    expect(res.statusCode).toBe(200);
    expect(field(res.body, 'responseCode')).toBe('0');
    expect(field(res.body, 'responseDescription')).toBe('Success');
    const reportId = Number(field(res.body, 'reportId'));
    const row = await app.database.db
      .selectFrom('ispws_reports')
      .selectAll()
      .where('report_id', '=', reportId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'open', referral_id: null, closed_at: null });
    expect(Buffer.from(row.report_xml, 'utf8').equals(REPORT)).toBe(true);
    expect(await app.referrals.list({ limit: 10 }, TEST_READER)).toEqual({ items: [], next: null });
  });

  it('accepts an XML body sent as text/plain (fetch with a string body) or without a content type', async () => {
    const { http, post, AUTH } = await setup();
    for (const type of ['text/plain;charset=UTF-8', 'application/xml']) {
      const res = await post('submit', REPORT, { ...AUTH, 'content-type': type });
      expect(field(res.body, 'responseCode')).toBe('0');
    }
    const untyped = await http.inject({
      method: 'POST',
      url: '/ispws/submit',
      headers: AUTH,
      payload: REPORT,
    });
    expect(untyped.headers['content-type']).toMatch(/^text\/xml/);
    expect(field(untyped.body, 'responseCode')).toBe('0');
  });

  it('answers malformed XML with 4110 and an invalid report with 4100, naming the path, and stores nothing', async () => {
    const { app, post } = await setup();
    const malformed = await post('submit', '<report><incidentSummary></report>');
    expect([malformed.statusCode, field(malformed.body, 'responseCode')]).toEqual([400, '4110']);
    expect(field(malformed.body, 'responseDescription')).toMatch(
      /^Malformed XML submittal: \/report: not well-formed XML at line 1/,
    );

    const invalid = await post(
      'submit',
      REPORT.toString('utf8').replace('<incidentType>Child Pornography', '<incidentType>Child Pictures'),
    );
    expect([invalid.statusCode, field(invalid.body, 'responseCode')]).toEqual([422, '4100']);
    expect(field(invalid.body, 'responseDescription')).toMatch(
      /^Validation failed: \/report\/incidentSummary\/incidentType: /,
    );

    const outOfOrder = await post(
      'submit',
      REPORT.toString('utf8').replace(/(<reporter>[\s\S]*<\/reporter>)([\s\S]*)(<\/report>)/, '$2$1$3'),
    );
    expect(field(outOfOrder.body, 'responseCode')).toBe('4100');
    const count = await app.database.db
      .selectFrom('ispws_reports')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('refuses a report document over the configured input size with 413 and 4000', async () => {
    const { post } = await setup();
    const big = REPORT.toString('utf8').replace(
      '</report>',
      `<additionalInfo>${'x'.repeat(300 * 1024)}</additionalInfo></report>`,
    );
    const res = await post('submit', big);
    expect([res.statusCode, field(res.body, 'responseCode')]).toEqual([413, '4000']);
  });

  it('refuses a DOCTYPE with 4110 before any entity could be expanded', async () => {
    const { post } = await setup();
    const xxe = REPORT.toString('utf8').replace(
      '<report ',
      '<!DOCTYPE report [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<report ',
    );
    const res = await post('submit', xxe);
    expect([res.statusCode, field(res.body, 'responseCode')]).toEqual([400, '4110']);
    expect(field(res.body, 'responseDescription')).toContain('DOCTYPE');
  });

  it('hashes an upload as it streams, keeps only the size and hashes, and answers the fileId and MD5', async () => {
    const { app, submit, upload } = await setup();
    const reportId = await submit();
    const bytes = syntheticFile('UPLOAD-ONLY');
    const res = await upload(reportId, bytes);
    expect(res.statusCode).toBe(200);
    const fileId = field(res.body, 'fileId');
    expect(fileId).toMatch(/^[0-9a-f]{32}$/);
    expect(field(res.body, 'hash')).toBe(hashes(bytes).md5);
    expect(field(res.body, 'reportId')).toBe(String(reportId));
    const row = await app.database.db
      .selectFrom('ispws_files')
      .selectAll()
      .where('file_id', '=', fileId)
      .executeTakeFirstOrThrow();
    expect({ ...row, size: Number(row.size) }).toEqual({
      file_id: fileId,
      report_id: reportId,
      size: bytes.length,
      ...hashes(bytes),
      details_xml: null,
      created_at: expect.any(String) as unknown,
    });
  });

  it('refuses an upload over the limit with 413 and stores nothing', async () => {
    const { app, submit, upload } = await setup({ uploadMaxBytes: 1000 });
    const reportId = await submit();
    const res = await upload(reportId, randomBytes(1001));
    expect([res.statusCode, field(res.body, 'responseCode')]).toEqual([413, '4000']);
    expect(await app.database.db.selectFrom('ispws_files').selectAll().execute()).toEqual([]);
    const ok = await upload(reportId, randomBytes(1000));
    expect(field(ok.body, 'responseCode')).toBe('0');
  });

  it('refuses an upload whose id does not precede the file, or that has no file', async () => {
    const { http, submit, AUTH } = await setup();
    const reportId = await submit();
    const fileFirst = await multipart({
      file: { bytes: randomBytes(10), filename: 'a.bin' },
      id: String(reportId),
    });
    const a = await http.inject({
      method: 'POST',
      url: '/ispws/upload',
      headers: { ...fileFirst.headers, ...AUTH },
      payload: fileFirst.payload,
    });
    expect([a.statusCode, field(a.body, 'responseCode')]).toEqual([400, '4000']);
    const noFile = await multipart({ id: String(reportId) });
    const b = await http.inject({
      method: 'POST',
      url: '/ispws/upload',
      headers: { ...noFile.headers, ...AUTH },
      payload: noFile.payload,
    });
    expect([b.statusCode, field(b.body, 'responseCode')]).toEqual([400, '4000']);
  });

  it('finishes a report into one referral: declared details, computed hashes, and a file sent without details', async () => {
    const { app, post, form, submit, upload, referral } = await setup();
    const reportId = await submit();
    const described = syntheticFile('DESCRIBED');
    const bare = syntheticFile('BARE');
    const f1 = field((await upload(reportId, described)).body, 'fileId');
    const f2 = field((await upload(reportId, bare)).body, 'fileId');
    const details = detailsFor(DETAILS_REPORTED, reportId, f1, hashes(described));
    const info = await post('fileinfo', details);
    expect([info.statusCode, field(info.body, 'responseCode'), field(info.body, 'reportId')]).toEqual([
      200,
      '0',
      String(reportId),
    ]);

    const done = await form('finish', reportId);
    expect(done.statusCode).toBe(200);
    expect(done.body).toBe(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<reportDoneResponse>\n  <responseCode>0</responseCode>\n' +
        `  <reportId>${reportId}</reportId>\n  <files>\n    <fileId>${f1}</fileId>\n    <fileId>${f2}</fileId>\n  </files>\n</reportDoneResponse>\n`,
    );
    const row = await app.database.db
      .selectFrom('ispws_reports')
      .selectAll()
      .where('report_id', '=', reportId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('finished');
    expect(row.closed_at).toBeTruthy();
    const r = await referral(row.referral_id ?? '');
    expect(r.sourceRef).toBe(String(reportId));
    const files: readonly MediaFile[] = r.document.files;
    expect(files).toHaveLength(2);
    expect(files[0]).toMatchObject({
      fileId: f1,
      industryClassification: 'B2',
      annotations: ['viral'],
      computed: hashes(described),
    });
    expect(files[1]).toEqual({
      fileId: f2,
      relevance: 'Reported',
      annotations: [],
      hashes: { other: [] },
      computed: { ...hashes(bare), size: bare.length },
      devices: [],
      details: [],
      additionalInfo: [],
    });
    const raw = await app.database.db
      .selectFrom('referral_raw')
      .selectAll()
      .where('referral_id', '=', r.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(gunzipSync(raw.bytes).toString('utf8'))).toEqual({
      report: REPORT.toString('utf8'),
      fileDetails: [details],
    });
    const stored = await app.database.db
      .selectFrom('files')
      .selectAll()
      .where('referral_id', '=', r.id)
      .orderBy('ord')
      .execute();
    expect(stored.map((f) => f.sha256)).toEqual([hashes(described).sha256, hashes(bare).sha256]);
  });

  it('finishes a report without files from the report alone (raw record = the report XML)', async () => {
    const { app, form, submit, referral } = await setup();
    const reportId = await submit();
    const done = await form('finish', reportId);
    expect(field(done.body, 'responseCode')).toBe('0');
    expect(done.body).toContain('<files>\n  </files>');
    const { items } = await app.referrals.list({ limit: 5 }, TEST_READER);
    const r = await referral(items[0]?.id ?? '');
    const raw = await app.database.db
      .selectFrom('referral_raw')
      .selectAll()
      .where('referral_id', '=', r.id)
      .executeTakeFirstOrThrow();
    expect(gunzipSync(raw.bytes).equals(REPORT)).toBe(true);
  });

  it('answers a second finish with 5102 and the same files, storing nothing new; upload and fileinfo to a finished report get 5102', async () => {
    const { app, post, form, submit, upload } = await setup();
    const reportId = await submit();
    const bytes = syntheticFile('TWICE');
    const fileId = field((await upload(reportId, bytes)).body, 'fileId');
    expect(field((await form('finish', reportId)).body, 'responseCode')).toBe('0');
    const again = await form('finish', reportId);
    expect([again.statusCode, field(again.body, 'responseCode'), field(again.body, 'fileId')]).toEqual([
      200,
      '5102',
      fileId,
    ]);
    expect((await app.referrals.list({ limit: 5 }, TEST_READER)).items).toHaveLength(1);

    const late = await upload(reportId, syntheticFile('LATE'));
    expect([late.statusCode, field(late.body, 'responseCode')]).toEqual([409, '5102']);
    const info = await post('fileinfo', detailsFor(DETAILS_SUPPLEMENTAL, reportId, fileId, hashes(bytes)));
    expect([info.statusCode, field(info.body, 'responseCode')]).toEqual([409, '5102']);
    const retract = await form('retract', reportId);
    expect([retract.statusCode, field(retract.body, 'responseCode')]).toEqual([200, '5102']);
  });

  it('retracts an open report: nothing reaches the intake, and later calls get 5101', async () => {
    const { app, form, submit, upload } = await setup();
    const reportId = await submit();
    const res = await form('retract', reportId);
    expect([res.statusCode, field(res.body, 'responseCode'), field(res.body, 'reportId')]).toEqual([
      200,
      '0',
      String(reportId),
    ]);
    const row = await app.database.db
      .selectFrom('ispws_reports')
      .selectAll()
      .where('report_id', '=', reportId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'retracted', referral_id: null });
    expect(field((await form('retract', reportId)).body, 'responseCode')).toBe('5101');
    const finish = await form('finish', reportId);
    expect([finish.statusCode, field(finish.body, 'responseCode')]).toEqual([200, '5101']);
    const late = await upload(reportId, syntheticFile('LATE'));
    expect([late.statusCode, field(late.body, 'responseCode')]).toEqual([409, '5101']);
    expect((await app.referrals.list({ limit: 5 }, TEST_READER)).items).toEqual([]);
  });

  it('answers 5001 for an unknown or malformed report id and 4000 for a missing one', async () => {
    const { http, post, form, upload, AUTH } = await setup();
    for (const path of ['finish', 'retract']) {
      for (const id of ['424242', 'abc']) {
        const res = await form(path, id);
        expect([res.statusCode, field(res.body, 'responseCode')]).toEqual([404, '5001']);
      }
    }
    expect(field((await upload(424242, randomBytes(16))).body, 'responseCode')).toBe('5001');
    const info = await post('fileinfo', detailsFor(DETAILS_SUPPLEMENTAL, 424242, 'a'.repeat(32), {}));
    expect(field(info.body, 'responseCode')).toBe('5001');
    const none = await http.inject({
      method: 'POST',
      url: '/ispws/finish',
      headers: { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    expect([none.statusCode, field(none.body, 'responseCode')]).toEqual([400, '4000']);
  });

  it("does not let one client see another's report (5001) or describe another report's file (5002)", async () => {
    const { app, post, form, submit, upload, OTHER } = await setup();
    const mine = await submit();
    const bytes = syntheticFile('MINE');
    const fileId = field((await upload(mine, bytes)).body, 'fileId');
    const theirs = await submit(OTHER);

    expect(field((await form('finish', mine, OTHER)).body, 'responseCode')).toBe('5001');
    expect(field((await form('retract', mine, OTHER)).body, 'responseCode')).toBe('5001');
    expect(field((await upload(mine, randomBytes(8), OTHER)).body, 'responseCode')).toBe('5001');
    expect(
      field(
        (await post('fileinfo', detailsFor(DETAILS_SUPPLEMENTAL, mine, fileId, hashes(bytes)), OTHER)).body,
        'responseCode',
      ),
    ).toBe('5001');
    // Their own report, but my file.
    const cross = await post(
      'fileinfo',
      detailsFor(DETAILS_SUPPLEMENTAL, theirs, fileId, hashes(bytes)),
      OTHER,
    );
    expect([cross.statusCode, field(cross.body, 'responseCode')]).toEqual([404, '5002']);
    const unknown = await post('fileinfo', detailsFor(DETAILS_SUPPLEMENTAL, mine, 'b'.repeat(32), {}));
    expect(field(unknown.body, 'responseCode')).toBe('5002');
    const row = await app.database.db
      .selectFrom('ispws_reports')
      .select('status')
      .where('report_id', '=', mine)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('open');
  });

  it('checks file details in the context of their report and names the path in the document sent', async () => {
    const { post, submit, upload } = await setup();
    const reportId = await submit();
    const bytes = syntheticFile('CTX');
    const fileId = field((await upload(reportId, bytes)).body, 'fileId');
    const invalid = detailsFor(DETAILS_REPORTED, reportId, fileId, hashes(bytes)).replace(
      '<industryClassification>B2</industryClassification>',
      '<industryClassification>C9</industryClassification>',
    );
    const res = await post('fileinfo', invalid);
    expect([res.statusCode, field(res.body, 'responseCode')]).toEqual([422, '4100']);
    expect(field(res.body, 'responseDescription')).toMatch(
      /^Validation failed: \/fileDetails\/industryClassification: /,
    );
    const malformed = await post('fileinfo', '<fileDetails><reportId>1</reportId>');
    expect(field(malformed.body, 'responseCode')).toBe('4110');
    const doctype = await post(
      'fileinfo',
      `<!DOCTYPE fileDetails>${detailsFor(DETAILS_SUPPLEMENTAL, reportId, fileId, {})}`,
    );
    expect(field(doctype.body, 'responseCode')).toBe('4110');
  });

  it('refuses to finish when a declared hash differs from the uploaded bytes (4100), leaving the report open to retract', async () => {
    const { app, post, form, submit, upload } = await setup();
    const reportId = await submit();
    const bytes = syntheticFile('MISMATCH');
    const fileId = field((await upload(reportId, bytes)).body, 'fileId');
    const wrong = { ...hashes(bytes), md5: hashes(Buffer.from('other')).md5 };
    expect(
      field(
        (await post('fileinfo', detailsFor(DETAILS_REPORTED, reportId, fileId, wrong))).body,
        'responseCode',
      ),
    ).toBe('0');
    const res = await form('finish', reportId);
    expect([res.statusCode, field(res.body, 'responseCode')]).toEqual([422, '4100']);
    expect(field(res.body, 'responseDescription')).toContain(
      '/files/0/hashes/md5: declared md5 differs from the hash of the uploaded bytes',
    );
    expect((await app.referrals.list({ limit: 5 }, TEST_READER)).items).toEqual([]);
    // The provider can correct the details and finish, or retract.
    expect(
      field(
        (await post('fileinfo', detailsFor(DETAILS_REPORTED, reportId, fileId, hashes(bytes)))).body,
        'responseCode',
      ),
    ).toBe('0');
    expect(field((await form('finish', reportId)).body, 'responseCode')).toBe('0');
  });

  it('reads the finish id from a multipart form as well as a urlencoded one', async () => {
    const { http, submit, AUTH } = await setup();
    const reportId = await submit();
    const body = await multipart({ id: String(reportId) });
    const res = await http.inject({
      method: 'POST',
      url: '/ispws/finish',
      headers: { ...body.headers, ...AUTH },
      payload: body.payload,
    });
    expect([res.statusCode, field(res.body, 'responseCode')]).toEqual([200, '0']);
  });

  it('answers an unknown /ispws path with 1210 in XML', async () => {
    const { http, AUTH } = await setup();
    const res = await http.inject({ method: 'GET', url: '/ispws/nothing', headers: AUTH });
    expect([res.statusCode, field(res.body, 'responseCode')]).toEqual([404, '1210']);
  });
});

describe.each(DIALECTS)('/ispws access control and audit on the real app (%s)', (dialect: TestDialect) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** The app as main.ts wires it, with two providers below the receiving hub. */
  async function start() {
    const s = await startTestServer(dialect);
    server = s;
    await s.org('example-esp', 'provider', s.app.receiving.slug);
    await s.org('other-esp', 'provider', s.app.receiving.slug);
    /** A new API key of `org`, and the Basic header that sends it under `as` (default: its own slug). */
    async function keyOf(org: string, scopes: readonly Scope[] = ['submit'], as = org) {
      const k = await s.apiKey(org, scopes);
      return { id: k.keyId, key: k.key, headers: { authorization: basic(as, k.key) } };
    }
    const status = (headers: Record<string, string>) =>
      s.http.inject({ method: 'GET', url: '/ispws/status', headers });
    const post = (path: string, payload: string | Buffer, headers: Record<string, string>) =>
      s.http.inject({
        method: 'POST',
        url: `/ispws/${path}`,
        headers: { 'content-type': 'text/xml; charset=utf-8', ...headers },
        payload,
      });
    const form = (path: string, id: number, headers: Record<string, string>) =>
      s.http.inject({
        method: 'POST',
        url: `/ispws/${path}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: `id=${id}`,
      });
    async function upload(reportId: number, bytes: Buffer, headers: Record<string, string>) {
      const body = await multipart({ id: String(reportId), file: { bytes, filename: 'upload_88231.jpg' } });
      return s.http.inject({
        method: 'POST',
        url: '/ispws/upload',
        headers: { ...body.headers, ...headers },
        payload: body.payload,
      });
    }
    const rows = (table: 'ispws_reports' | 'ispws_files') =>
      s.app.database.db.selectFrom(table).selectAll().execute();
    const ispwsEvents = () =>
      s.app.database.db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', 'like', 'ispws.%')
        .orderBy('seq')
        .execute();
    return { s, keyOf, status, post, form, upload, rows, ispwsEvents };
  }

  it('stops accepting a revoked API key at once: the next request gets 2000 and 401', async () => {
    const { s, keyOf, status, post, upload, rows } = await start();
    const k = await keyOf('example-esp');
    const opened = await post('submit', REPORT, k.headers);
    expect([opened.statusCode, field(opened.body, 'responseCode')]).toEqual([200, '0']);
    const reportId = Number(field(opened.body, 'reportId'));

    // An administrator of the receiving hub revokes it through the API.
    const admin = await s.signIn('admin');
    const revoked = await s.http.inject({
      method: 'DELETE',
      url: `/api/v1/apikeys/${k.id}`,
      headers: admin.headers,
    });
    expect(revoked.statusCode).toBe(200);

    const after = await status(k.headers);
    expect([after.statusCode, field(after.body, 'responseCode')]).toEqual([401, '2000']);
    expect(after.headers['www-authenticate']).toBe('Basic realm="ispws"');
    const late = await upload(reportId, syntheticFile('REVOKED'), k.headers);
    expect([late.statusCode, field(late.body, 'responseCode')]).toEqual([401, '2000']);
    const again = await post('submit', REPORT, k.headers);
    expect([again.statusCode, field(again.body, 'responseCode')]).toEqual([401, '2000']);
    expect(await rows('ispws_reports')).toHaveLength(1);
    expect(await rows('ispws_files')).toEqual([]);
    // Another key of the same organisation still works.
    const fresh = await keyOf('example-esp');
    expect(field((await status(fresh.headers)).body, 'responseCode')).toBe('0');
  });

  it('refuses a key with only the read scope with 3100 and 403, and stores nothing', async () => {
    const { keyOf, status, post, rows } = await start();
    const reader = await keyOf('example-esp', ['read']);
    const res = await status(reader.headers);
    expect([res.statusCode, field(res.body, 'responseCode')]).toEqual([403, '3100']);
    const submitted = await post('submit', REPORT, reader.headers);
    expect([submitted.statusCode, field(submitted.body, 'responseCode')]).toEqual([403, '3100']);
    expect(await rows('ispws_reports')).toEqual([]);
    // With the submit scope as well, the same organisation may file.
    const both = await keyOf('example-esp', ['read', 'submit']);
    expect(field((await status(both.headers)).body, 'responseCode')).toBe('0');
  });

  it("refuses a valid key sent under another organisation's slug as unauthenticated (2000, 401)", async () => {
    const { keyOf, status, post, rows } = await start();
    const mine = await keyOf('example-esp', ['submit'], 'other-esp');
    const res = await status(mine.headers);
    expect([res.statusCode, field(res.body, 'responseCode')]).toEqual([401, '2000']);
    const submitted = await post('submit', REPORT, mine.headers);
    expect([submitted.statusCode, field(submitted.body, 'responseCode')]).toEqual([401, '2000']);
    // Nor under the receiving hub's, or a slug that does not exist.
    for (const as of ['hub', 'no-such-org']) {
      const res = await status((await keyOf('example-esp', ['submit'], as)).headers);
      expect([res.statusCode, field(res.body, 'responseCode')]).toEqual([401, '2000']);
    }
    expect(await rows('ispws_reports')).toEqual([]);
  });

  it('refuses a submit key of an organisation that files no reports (a hub, a national centre) with 3100 and 403', async () => {
    const { s, keyOf, status, post, rows } = await start();
    await s.org('national', 'national-centre', s.app.receiving.slug);
    for (const org of [s.app.receiving.slug, 'national']) {
      const k = await keyOf(org);
      const res = await status(k.headers);
      expect([res.statusCode, field(res.body, 'responseCode')]).toEqual([403, '3100']);
      const submitted = await post('submit', REPORT, k.headers);
      expect([submitted.statusCode, field(submitted.body, 'responseCode')]).toEqual([403, '3100']);
    }
    expect(await rows('ispws_reports')).toEqual([]);
  });

  it('leaves an audit event for every write, named after the API key and the request, and the chain still verifies', async () => {
    const { s, keyOf, post, form, upload, ispwsEvents } = await start();
    const k = await keyOf('example-esp');
    const org = await s.app.organisations.bySlug('example-esp');
    if (!org) throw new Error('setup');
    const requests: { action: string; reportId: number; requestId: string }[] = [];
    const record = (action: string, res: { headers: Record<string, unknown>; body: string }) => {
      expect(field(res.body, 'responseCode')).toBe('0');
      const reportId = Number(field(res.body, 'reportId'));
      requests.push({ action, reportId, requestId: String(res.headers['request-id']) });
      return res;
    };

    const first = Number(
      field(record('ispws.submit', await post('submit', REPORT, k.headers)).body, 'reportId'),
    );
    const bytes = syntheticFile('AUDITED');
    const uploaded = record('ispws.upload', await upload(first, bytes, k.headers));
    const fileId = field(uploaded.body, 'fileId');
    record(
      'ispws.fileinfo',
      await post('fileinfo', detailsFor(DETAILS_REPORTED, first, fileId, hashes(bytes)), k.headers),
    );
    const finished = record('ispws.finish', await form('finish', first, k.headers));
    const second = Number(
      field(record('ispws.submit', await post('submit', REPORT, k.headers)).body, 'reportId'),
    );
    record('ispws.retract', await form('retract', second, k.headers));
    // Refused calls change nothing and need no event of their own.
    expect(field((await form('retract', first, k.headers)).body, 'responseCode')).toBe('5102');
    const intruder = await upload(second, syntheticFile('NOPE'), {
      authorization: basic('example-esp', 'x'),
    });
    expect(intruder.statusCode).toBe(401);

    const events = await ispwsEvents();
    expect(
      events.map((e) => ({ action: e.action, reportId: Number(e.object_id), requestId: e.request_id })),
    ).toEqual(requests);
    for (const e of events) {
      expect(e).toMatchObject({
        actor: `apikey:${k.id}`,
        org_id: org.id,
        object_type: 'ispws-report',
        outcome: 'ok',
      });
    }
    // Small details, and never the file's bytes.
    const upload1 = events.find((e) => e.action === 'ispws.upload');
    expect(JSON.parse(upload1?.details ?? 'null')).toEqual({ fileId, size: bytes.length, ...hashes(bytes) });
    expect(events.map((e) => e.details).join('\n')).not.toContain('AUDITED');
    // The referral /finish made is recorded by the intake, in the same request and under the same key.
    const received = await s.app.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'referral.receive')
      .executeTakeFirstOrThrow();
    expect(received).toMatchObject({
      actor: `apikey:${k.id}`,
      org_id: org.id,
      request_id: String(finished.headers['request-id']),
    });
    expect(await verifyAuditChain(s.app.database.db)).toMatchObject({ ok: true });
  });
});

/** The text of the first `<name>` element of a response (responses are flat and never quote markup). */
function field(xml: string, name: string): string {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  if (m?.[1] === undefined) throw new Error(`no <${name}> in ${xml}`);
  return m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
