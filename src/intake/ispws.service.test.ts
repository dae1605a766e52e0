import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase } from '../../test/support/databases.ts';
import { canonicalReferral } from '../../test/support/fixtures.ts';
import { instantOf } from '../domain/ids.ts';
import type { Organisation } from '../domain/organisation.ts';
import { createOrganisationsService } from '../organisations/organisations.service.ts';
import { createPipeline } from '../pipeline/pipeline.ts';
import { transitionIspwsReport } from '../store/ispws.repo.ts';
import { parseCanonical } from './formats/canonical.ts';
import { createIntakeService, seal, type IntakeService } from './intake.service.ts';
import { createIspwsService, slugAuthenticator } from './ispws.service.ts';

const REPORT = readFileSync(
  new URL(
    '../../../shared/reference/cybertipline/examples/example-02-webpage-upload.report.xml',
    import.meta.url,
  ),
);
const clock = { now: () => instantOf(new Date()) };
const ctx = { actor: 'test', requestId: null };

describe.each(DIALECTS)('ISPWS service on %s', (dialect) => {
  let disposers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const d of disposers) await d();
    disposers = [];
  });

  async function setup(wrapIntake: (i: IntakeService) => IntakeService = (i) => i) {
    const database = await openTestDatabase(dialect);
    disposers.push(() => database.dispose());
    const orgs = createOrganisationsService({ database, clock, newId: uuidv7 });
    const receiving = await orgs.ensureReceiving('hub');
    const added = await orgs.add({ slug: 'example-esp', kind: 'provider' });
    if (!added.ok) throw new Error('setup');
    const pipeline = createPipeline({ clock, routing: { receivingOrganisation: () => receiving } });
    const intake = createIntakeService({ database, pipeline, clock, newId: uuidv7 });
    const ispws = createIspwsService({
      database,
      intake: wrapIntake(intake),
      clock,
      authenticate: slugAuthenticator({ bySlug: (s) => orgs.bySlug(s) }),
    });
    return { database, intake, ispws, client: added.organisation };
  }

  async function openReport(
    ispws: Awaited<ReturnType<typeof setup>>['ispws'],
    client: Organisation,
  ): Promise<number> {
    const r = await ispws.submit(client, REPORT);
    if (r.kind !== 'ok') throw new Error(JSON.stringify(r));
    return r.reportId;
  }

  const count = async (database: Awaited<ReturnType<typeof setup>>['database']) =>
    Number(
      (
        await database.db
          .selectFrom('referrals')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('finishes a report again after a crash between the intake and the status update: one referral, the same id', async () => {
    let crash = true;
    const { database, ispws, client } = await setup((intake) => ({
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
    const reportId = await openReport(ispws, client);
    const up = await ispws.upload(client, String(reportId), Readable.from([randomBytes(512)]));
    expect(up.kind).toBe('ok');
    await expect(ispws.finish(client, String(reportId), ctx)).rejects.toThrow('simulated crash');
    expect(await count(database)).toBe(1);
    // Left claimed: no more files can be added to what the stored referral was made from.
    expect((await ispws.upload(client, String(reportId), Readable.from([randomBytes(8)]))).kind).toBe(
      'finished',
    );
    expect((await ispws.retract(client, String(reportId))).kind).toBe('finished');

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
    const { database, intake, ispws, client } = await setup();
    const reportId = await openReport(ispws, client);
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
    expect((await ispws.retract(client, String(reportId))).kind).toBe('ok');
  });

  it('records an upload only while the report is open: a finish that claimed it meanwhile wins', async () => {
    const { database, ispws, client } = await setup();
    const reportId = await openReport(ispws, client);
    // The claim happens while the bytes are still arriving.
    async function* slowly() {
      yield randomBytes(32);
      await transitionIspwsReport(database.db, reportId, client.id, ['open'], 'finishing');
      yield randomBytes(32);
    }
    expect(await ispws.upload(client, String(reportId), slowly())).toEqual({ kind: 'finished', reportId });
    expect(await database.db.selectFrom('ispws_files').selectAll().execute()).toEqual([]);
  });

  it('authenticates only organisations that file reports, and checks a configured password', async () => {
    const { ispws } = await setup();
    expect((await ispws.authenticate('example-esp', 'x')).kind).toBe('ok');
    expect((await ispws.authenticate('hub', 'x')).kind).toBe('forbidden');
    expect((await ispws.authenticate('nobody', 'x')).kind).toBe('unauthenticated');
  });

  it('checks the configured password before looking the organisation up', async () => {
    const { client } = await setup();
    const authenticate = slugAuthenticator({
      bySlug: (s) => Promise.resolve(s === client.slug ? client : undefined),
      password: 'pw',
    });
    expect(await authenticate('example-esp', 'nope')).toBeUndefined();
    expect(await authenticate('example-esp', '')).toBeUndefined();
    expect(await authenticate('example-esp', 'pw')).toEqual(client);
  });
});
