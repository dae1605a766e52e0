import { randomBytes } from 'node:crypto';
import { testPorts } from '../../test/support/ports.ts';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DIALECTS, openTestDatabase } from '../../test/support/databases.ts';
import { canonicalReferral } from '../../test/support/fixtures.ts';
import { OPERATOR } from '../../test/support/server.ts';
import { createAccessService, type AccessService } from '../access/access.service.ts';
import type { RequestContext, Scope } from '../domain/access.ts';
import { instantOf, type OrganisationId } from '../domain/ids.ts';
import type { Organisation } from '../domain/organisation.ts';
import { createOrganisationsService } from '../organisations/organisations.service.ts';
import { createPipeline } from '../pipeline/pipeline.ts';
import { verifyAuditChain } from '../store/audit.repo.ts';
import { transitionIspwsReport } from '../store/ispws.repo.ts';
import { parseCanonical } from './formats/canonical.ts';
import { createIntakeService, seal, type IntakeService } from './intake.service.ts';
import { apiKeyAuthenticator, createIspwsService } from './ispws.service.ts';
import { NO_HASH_LISTS } from '../pipeline/ports.ts';

const EXAMPLES = new URL('../../../shared/reference/cybertipline/examples/', import.meta.url);
const REPORT = readFileSync(new URL('example-02-webpage-upload.report.xml', EXAMPLES));
const DETAILS = readFileSync(new URL('example-02-webpage-upload.fileDetails.xml', EXAMPLES), 'utf8');
const clock = { now: () => instantOf(new Date()) };
/** Any lower-case hex digest of this many digits. */
const hex = (digits: number): unknown => expect.stringMatching(new RegExp(`^[0-9a-f]{${digits}}$`));

/** The example `<fileDetails>` pointed at this report and file. */
function detailsFor(reportId: number, fileId: string): Buffer {
  return Buffer.from(
    DETAILS.replace(/<reportId>\d+<\/reportId>/, `<reportId>${reportId}</reportId>`).replace(
      /<fileId>[0-9a-f]+<\/fileId>/,
      `<fileId>${fileId}</fileId>`,
    ),
  );
}

/** A new API key of `org` with these scopes, through the access service as an operator would make it. */
async function newKey(access: AccessService, org: string, scopes: readonly Scope[]) {
  const r = await access.createApiKey({ org, scopes }, OPERATOR);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return { id: r.value.apiKey.id, key: r.value.key };
}

describe.each(DIALECTS)('ISPWS service on %s', (dialect) => {
  let disposers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const d of disposers) await d();
    disposers = [];
  });

  async function setup(wrapIntake: (i: IntakeService) => IntakeService = (i) => i) {
    const database = await openTestDatabase(dialect);
    disposers.push(() => database.dispose());
    const organisations = createOrganisationsService({ database, clock, newId: uuidv7 });
    const receiving = await organisations.ensureReceiving('hub');
    const added = await organisations.add({ slug: 'example-esp', kind: 'provider' }, OPERATOR);
    if (!added.ok) throw new Error(JSON.stringify(added.problems));
    const access = createAccessService({ database, organisations, clock, newId: uuidv7 });
    const pipeline = createPipeline(
      testPorts({
        clock,
        hashes: NO_HASH_LISTS,
        routing: { receivingOrganisation: () => receiving },
      }),
    );
    const intake = createIntakeService({ database, pipeline, clock, newId: uuidv7 });
    const ispws = createIspwsService({
      database,
      intake: wrapIntake(intake),
      clock,
      authenticate: apiKeyAuthenticator({
        apiKey: (key) => access.apiKey(key),
        byId: (id) => organisations.byId(id),
      }),
    });
    // The client's own key, as the /ispws edge would pass it on.
    const { id: keyId, key } = await newKey(access, 'example-esp', ['submit']);
    const principal = await access.apiKey(key);
    if (!principal) throw new Error('setup: the new key does not authenticate');
    const ctx: RequestContext = { principal, requestId: 'req-ispws-service-test' };
    return { database, organisations, access, intake, ispws, client: added.organisation, ctx, keyId, key };
  }

  async function openReport(
    ispws: Awaited<ReturnType<typeof setup>>['ispws'],
    client: Organisation,
    ctx: RequestContext,
  ): Promise<number> {
    const r = await ispws.submit(client, REPORT, ctx);
    if (r.kind !== 'ok') throw new Error(JSON.stringify(r));
    return r.reportId;
  }

  const count = async (
    database: Awaited<ReturnType<typeof setup>>['database'],
    table: 'referrals' | 'ispws_reports' | 'ispws_files' = 'referrals',
  ) =>
    Number(
      (
        await database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('finishes a report again after a crash between the intake and the status update: one referral, the same id', async () => {
    let crash = true;
    const { database, ispws, client, ctx } = await setup((intake) => ({
      submitMany: (source, groups) => intake.submitMany(source, groups),
      async submit(source, submissions, c) {
        const results = await intake.submit(source, submissions, c);
        if (crash) {
          crash = false;
          throw new Error('simulated crash after the intake committed');
        }
        return results;
      },
    }));
    const reportId = await openReport(ispws, client, ctx);
    const up = await ispws.upload(client, String(reportId), Readable.from([randomBytes(512)]), ctx);
    expect(up.kind).toBe('ok');
    await expect(ispws.finish(client, String(reportId), ctx)).rejects.toThrow('simulated crash');
    expect(await count(database)).toBe(1);
    // Left claimed: no more files can be added to what the stored referral was made from.
    expect((await ispws.upload(client, String(reportId), Readable.from([randomBytes(8)]), ctx)).kind).toBe(
      'finished',
    );
    expect((await ispws.retract(client, String(reportId), ctx)).kind).toBe('finished');

    const again = await ispws.finish(client, String(reportId), ctx);
    expect(again.kind).toBe('ok');
    expect(await count(database)).toBe(1);
    const stored = await database.db.selectFrom('referrals').select('id').executeTakeFirstOrThrow();
    const row = await database.db
      .selectFrom('ispws_reports')
      .selectAll()
      .where('report_id', '=', reportId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'finished', referral_id: stored.id });
    expect(again).toMatchObject({ referralId: stored.id });
  });

  it('does not take over a referral of the same source that already has the report id as its reference', async () => {
    const { database, intake, ispws, client, ctx } = await setup();
    const reportId = await openReport(ispws, client, ctx);
    const doc = parseCanonical(canonicalReferral(String(reportId)));
    if (!doc.ok) throw new Error('fixture');
    const raw = Buffer.from(JSON.stringify(canonicalReferral(String(reportId))));
    await intake.submit(
      client,
      [{ format: 'conduit-json', mediaType: 'application/json', raw, ...seal(raw), document: doc.value }],
      ctx,
    );
    const r = await ispws.finish(client, String(reportId), ctx);
    expect(r).toMatchObject({ kind: 'conflict' });
    expect(await count(database)).toBe(1);
    const row = await database.db
      .selectFrom('ispws_reports')
      .selectAll()
      .where('report_id', '=', reportId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'open', referral_id: null });
    expect((await ispws.retract(client, String(reportId), ctx)).kind).toBe('ok');
  });

  it('records an upload only while the report is open: a finish that claimed it meanwhile wins', async () => {
    const { database, ispws, client, ctx } = await setup();
    const reportId = await openReport(ispws, client, ctx);
    // The claim happens while the bytes are still arriving.
    async function* slowly() {
      yield randomBytes(32);
      await transitionIspwsReport(database.db, reportId, client.id, ['open'], 'finishing');
      yield randomBytes(32);
    }
    expect(await ispws.upload(client, String(reportId), slowly(), ctx)).toEqual({
      kind: 'finished',
      reportId,
    });
    expect(await database.db.selectFrom('ispws_files').selectAll().execute()).toEqual([]);
    // The refused upload left no event behind either.
    const uploads = await database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'ispws.upload')
      .execute();
    expect(uploads).toEqual([]);
  });

  it('authenticates a submit key of a reporting organisation under its own slug only', async () => {
    const { ispws, organisations, access, key, keyId } = await setup();
    expect(await ispws.authenticate('example-esp', key)).toMatchObject({
      kind: 'ok',
      client: { slug: 'example-esp' },
      principal: { kind: 'client', id: keyId, scopes: ['submit'] },
    });
    // The receiving hub can have a key, but a hub does not file CyberTipline reports.
    const hubKey = await newKey(access, 'hub', ['submit']);
    expect((await ispws.authenticate('hub', hubKey.key)).kind).toBe('forbidden');
    const reader = await newKey(access, 'example-esp', ['read']);
    expect((await ispws.authenticate('example-esp', reader.key)).kind).toBe('forbidden');
    // A valid key under another organisation's name is refused like a wrong one.
    const other = await organisations.add({ slug: 'other-esp', kind: 'provider' }, OPERATOR);
    if (!other.ok) throw new Error('setup');
    expect((await ispws.authenticate('other-esp', key)).kind).toBe('unauthenticated');
    expect((await ispws.authenticate('nobody', key)).kind).toBe('unauthenticated');
    expect((await ispws.authenticate('example-esp', 'x')).kind).toBe('unauthenticated');
    expect((await ispws.authenticate('example-esp', `${key}x`)).kind).toBe('unauthenticated');
    // Revoked: refused from the next call on.
    const revoked = await access.revokeApiKey(keyId, OPERATOR);
    expect(revoked.ok).toBe(true);
    expect((await ispws.authenticate('example-esp', key)).kind).toBe('unauthenticated');
  });

  it('checks the API key before looking the organisation up', async () => {
    const { client, access, key, keyId } = await setup();
    const byId = vi.fn((id: OrganisationId) => Promise.resolve(id === client.id ? client : undefined));
    const authenticate = apiKeyAuthenticator({ apiKey: (k) => access.apiKey(k), byId });
    expect(await authenticate('example-esp', 'nope')).toBeUndefined();
    expect(await authenticate('example-esp', '')).toBeUndefined();
    expect(byId).not.toHaveBeenCalled();
    expect(await authenticate('example-esp', key)).toEqual({
      org: client,
      principal: { kind: 'client', id: keyId, orgId: client.id, scopes: ['submit'] },
    });
    expect(await authenticate('other-esp', key)).toBeUndefined();
  });

  it('audits every write with the key as actor, the client organisation and the request id', async () => {
    const { database, ispws, client, ctx, keyId } = await setup();
    const first = await openReport(ispws, client, ctx);
    const bytes = randomBytes(700);
    const up = await ispws.upload(client, String(first), Readable.from([bytes]), ctx);
    if (up.kind !== 'ok') throw new Error(JSON.stringify(up));
    expect((await ispws.fileInfo(client, detailsFor(first, up.fileId), ctx)).kind).toBe('ok');
    expect((await ispws.fileInfo(client, detailsFor(first, up.fileId), ctx)).kind).toBe('ok');
    expect((await ispws.retract(client, String(first), ctx)).kind).toBe('ok');
    const second = await openReport(ispws, client, ctx);
    const done = await ispws.finish(client, String(second), ctx);
    if (done.kind !== 'ok') throw new Error(JSON.stringify(done));

    const events = await database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('object_type', '=', 'ispws-report')
      .orderBy('seq')
      .execute();
    const common = {
      actor: `apikey:${keyId}`,
      org_id: client.id,
      request_id: 'req-ispws-service-test',
      outcome: 'ok',
    };
    expect(events.map((e) => [e.action, e.object_id])).toEqual([
      ['ispws.submit', String(first)],
      ['ispws.upload', String(first)],
      ['ispws.fileinfo', String(first)],
      ['ispws.fileinfo', String(first)],
      ['ispws.retract', String(first)],
      ['ispws.submit', String(second)],
      ['ispws.finish', String(second)],
    ]);
    for (const e of events) expect(e).toMatchObject(common);
    const details = events.map((e) => JSON.parse(e.details) as Record<string, unknown>);
    expect(details[0]).toEqual({ bytes: REPORT.byteLength, sha256: hex(64) });
    expect(details[1]).toEqual({
      fileId: up.fileId,
      size: 700,
      md5: hex(32),
      sha1: hex(40),
      sha256: hex(64),
    });
    expect(details[2]).toEqual({ fileId: up.fileId, replaced: false });
    expect(details[3]).toEqual({ fileId: up.fileId, replaced: true });
    expect(details[4]).toEqual({});
    expect(details[6]).toEqual({ referralId: done.referralId, files: 0 });
    // The referral itself is recorded by the intake under the same key.
    const received = await database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'referral.receive')
      .executeTakeFirstOrThrow();
    expect(received).toMatchObject({ ...common, object_id: done.referralId });
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true });
  });

  it('does not keep a write whose audit event cannot be recorded', async () => {
    const { database, ispws, client, ctx } = await setup();
    const reportId = await openReport(ispws, client, ctx);
    await database.db.schema.dropTable('audit_events').execute();
    await expect(ispws.submit(client, REPORT, ctx)).rejects.toThrow();
    await expect(
      ispws.upload(client, String(reportId), Readable.from([randomBytes(64)]), ctx),
    ).rejects.toThrow();
    await expect(ispws.retract(client, String(reportId), ctx)).rejects.toThrow();
    expect(await count(database, 'ispws_reports')).toBe(1);
    expect(await count(database, 'ispws_files')).toBe(0);
    const row = await database.db
      .selectFrom('ispws_reports')
      .select('status')
      .where('report_id', '=', reportId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('open');
  });

  it('refuses a principal of another organisation, or without the submit permission, and stores nothing', async () => {
    const { database, organisations, access, ispws, client, ctx } = await setup();
    const reportId = await openReport(ispws, client, ctx);
    const other = await organisations.add({ slug: 'other-esp', kind: 'provider' }, OPERATOR);
    if (!other.ok) throw new Error('setup');
    const otherPrincipal = await access.apiKey((await newKey(access, 'other-esp', ['submit'])).key);
    const readerPrincipal = await access.apiKey((await newKey(access, 'example-esp', ['read'])).key);
    if (!otherPrincipal || !readerPrincipal) throw new Error('setup');
    for (const principal of [otherPrincipal, readerPrincipal]) {
      const as: RequestContext = { principal, requestId: null };
      expect(await ispws.submit(client, REPORT, as)).toEqual({ kind: 'forbidden' });
      expect(await ispws.upload(client, String(reportId), Readable.from([randomBytes(8)]), as)).toEqual({
        kind: 'forbidden',
      });
      expect(await ispws.fileInfo(client, detailsFor(reportId, 'a'.repeat(32)), as)).toEqual({
        kind: 'forbidden',
      });
      expect(await ispws.finish(client, String(reportId), as)).toEqual({ kind: 'forbidden' });
      expect(await ispws.retract(client, String(reportId), as)).toEqual({ kind: 'forbidden' });
    }
    expect(await count(database, 'ispws_reports')).toBe(1);
    expect(await count(database, 'ispws_files')).toBe(0);
    expect(await count(database)).toBe(0);
    // An operator (the CLI) may act for any reporting organisation.
    expect((await ispws.retract(client, String(reportId), OPERATOR)).kind).toBe('ok');
  });
});
