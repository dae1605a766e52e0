import { gunzipSync } from 'node:zlib';
import { testPorts } from '../../test/support/ports.ts';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { OPERATOR } from '../../test/support/server.ts';
import { DIALECTS, openTestDatabase } from '../../test/support/databases.ts';
import { canonicalReferral, canonicalSubmission } from '../../test/support/fixtures.ts';
import { instantOf } from '../domain/ids.ts';
import { createOrganisationsService } from '../organisations/organisations.service.ts';
import { createPipeline } from '../pipeline/pipeline.ts';
import { chainHash } from '../store/audit.repo.ts';
import { GENESIS } from '../store/migrations/0001_init.ts';
import { parseCanonical } from './formats/canonical.ts';
import { coalescingIntake, createIntakeService, seal } from './intake.service.ts';
import { NO_HASH_LISTS } from '../pipeline/ports.ts';

const clock = { now: () => instantOf(new Date('2026-01-01T00:00:00Z')) };

const submission = canonicalSubmission;

describe.each(DIALECTS)('intake service on %s', (dialect) => {
  let disposers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const d of disposers) await d();
    disposers = [];
  });

  async function setup() {
    const database = await openTestDatabase(dialect);
    disposers.push(() => database.dispose());
    const orgs = createOrganisationsService({ database, clock, newId: uuidv7 });
    const receiving = await orgs.ensureReceiving('hub');
    const pipeline = createPipeline(
      testPorts({
        clock,
        hashes: NO_HASH_LISTS,
        routing: { receivingOrganisation: () => receiving },
      }),
    );
    const intake = createIntakeService({ database, pipeline, clock, newId: uuidv7 });
    return { database, intake, receiving };
  }

  it('stores a referral with its decision, raw record, identifiers, audit event and outbox row', async () => {
    const { database, intake, receiving } = await setup();
    const doc = canonicalReferral('ref-1');
    const [r] = await intake.submit(receiving, [submission(doc)], { ...OPERATOR, requestId: 'req-1' });
    expect(r).toMatchObject({ kind: 'accepted', status: 'routed', sourceRef: 'ref-1' });
    if (r?.kind !== 'accepted') return;
    const db = database.db;
    const raw = await db
      .selectFrom('referral_raw')
      .selectAll()
      .where('referral_id', '=', r.id)
      .executeTakeFirstOrThrow();
    expect(gunzipSync(raw.bytes).toString()).toBe(JSON.stringify(doc));
    const decision = await db
      .selectFrom('decisions')
      .selectAll()
      .where('referral_id', '=', r.id)
      .executeTakeFirstOrThrow();
    expect(decision).toMatchObject({ outcome: 'routed', recipient_org_id: receiving.id });
    const ids = await db
      .selectFrom('identifiers')
      .select(['kind', 'value'])
      .where('referral_id', '=', r.id)
      .execute();
    expect(ids).toEqual(
      expect.arrayContaining([
        { kind: 'email', value: 'reported.user@example.net' },
        { kind: 'phone', value: '+390600000101' },
        { kind: 'ip', value: '203.0.113.45' },
        { kind: 'screen-name', value: 'night_owl' },
        { kind: 'service-user-id', value: 'usr_0001' },
      ]),
    );
    const audit = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '!=', 'organisation.add')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      seq: 2,
      action: 'referral.receive',
      object_id: r.id,
      prev_hash: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
      request_id: 'req-1',
    });
    const outbox = await db.selectFrom('outbox').selectAll().execute();
    expect(outbox.map((o) => o.topic)).toEqual(['referral.accepted']);
  });

  it('answers a resubmission with duplicate and the original id, storing nothing new', async () => {
    const { database, intake, receiving } = await setup();
    const [first] = await intake.submit(receiving, [submission(canonicalReferral('ref-1'))], OPERATOR);
    const again = await intake.submit(
      receiving,
      [
        submission(canonicalReferral('ref-1')),
        submission(canonicalReferral('ref-2')),
        submission(canonicalReferral('ref-2')),
      ],
      OPERATOR,
    );
    expect(first?.kind).toBe('accepted');
    expect(again[0]).toEqual({
      kind: 'duplicate',
      id: first?.kind === 'accepted' ? first.id : '',
      sourceRef: 'ref-1',
    });
    expect(again[1]?.kind).toBe('accepted');
    expect(again[2]).toMatchObject({
      kind: 'duplicate',
      id: again[1]?.kind === 'accepted' ? again[1].id : 'x',
    });
    const n = await database.db
      .selectFrom('referrals')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(2);
  });

  it('refuses a different report under a reference already used, instead of dropping it as a duplicate', async () => {
    const { database, intake, receiving } = await setup();
    const [first] = await intake.submit(receiving, [submission(canonicalReferral('ref-9'))], OPERATOR);
    const changed = canonicalReferral('ref-9', { additionalInfo: 'a corrected report' });
    const [later, fresh, twin] = await intake.submit(
      receiving,
      [
        submission(changed),
        submission(canonicalReferral('ref-10')),
        submission(canonicalReferral('ref-10', { additionalInfo: 'another report, same reference' })),
      ],
      OPERATOR,
    );
    expect(later).toMatchObject({ kind: 'rejected', problems: [{ code: 'conflict', path: '/sourceRef' }] });
    expect(later?.kind === 'rejected' && later.problems[0]?.message).toContain(
      first?.kind === 'accepted' ? first.id : '?',
    );
    expect(fresh?.kind).toBe('accepted');
    expect(twin).toMatchObject({ kind: 'rejected', problems: [{ code: 'conflict' }] });
    const refs = await database.db
      .selectFrom('referrals')
      .select('source_ref')
      .orderBy('source_ref')
      .execute();
    expect(refs.map((r) => r.source_ref)).toEqual(['ref-10', 'ref-9']);
  });

  it('recognises the same report re-sent in another form (other bytes, same content) as a duplicate', async () => {
    const { intake, receiving } = await setup();
    const doc = canonicalReferral('ref-11');
    const [first] = await intake.submit(receiving, [submission(doc)], OPERATOR);
    const parsed = parseCanonical(doc);
    if (!parsed.ok) throw new Error('fixture');
    const pretty = Buffer.from(JSON.stringify(doc, null, 2));
    const [again] = await intake.submit(
      receiving,
      [
        {
          format: 'conduit-json',
          mediaType: 'application/json',
          raw: pretty,
          ...seal(pretty),
          document: parsed.value,
        },
      ],
      OPERATOR,
    );
    expect(again).toEqual({
      kind: 'duplicate',
      id: first?.kind === 'accepted' ? first.id : '?',
      sourceRef: 'ref-11',
    });
  });

  it('uses the content hash as reference when the source gives none', async () => {
    const { intake, receiving } = await setup();
    const doc = canonicalReferral('x');
    delete doc.sourceRef;
    const [a] = await intake.submit(receiving, [submission(doc)], OPERATOR);
    const [b] = await intake.submit(receiving, [submission(doc)], OPERATOR);
    expect(a?.kind === 'accepted' && a.sourceRef).toMatch(/^[0-9a-f]{64}$/);
    expect(b?.kind).toBe('duplicate');
  });

  it('rejects a referral dated in the future and still stores the good ones of the batch', async () => {
    const { database, intake, receiving } = await setup();
    const future = canonicalReferral('bad', {
      incident: { type: 'Child Sex Tourism', occurredAt: '2030-01-01T00:00:00Z' },
    });
    const results = await intake.submit(
      receiving,
      [submission(canonicalReferral('good')), submission(future)],
      OPERATOR,
    );
    expect(results.map((r) => r.kind)).toEqual(['accepted', 'rejected']);
    expect(results[1]).toMatchObject({ problems: [{ code: 'invalid_date', path: '/incident/occurredAt' }] });
    const refs = await database.db.selectFrom('referrals').select('source_ref').execute();
    expect(refs.map((r) => r.source_ref)).toEqual(['good']);
  });

  it('stores concurrent requests in shared transactions, each answered and audited as its own', async () => {
    const { database, intake: inner, receiving } = await setup();
    let transactions = 0;
    const counted = {
      submit: (...a: Parameters<typeof inner.submit>) => inner.submit(...a),
      submitMany: (source: typeof receiving, groups: Parameters<typeof inner.submitMany>[1]) => {
        transactions++;
        return inner.submitMany(source, groups);
      },
    };
    const intake = coalescingIntake(counted, { maxBatch: 100 });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        intake.submit(receiving, [submission(canonicalReferral(`c-${i % 15}`))], {
          principal: { kind: 'operator', name: `a-${i}` },
          requestId: `r-${i}`,
        }),
      ),
    );
    expect(transactions).toBeLessThan(20);
    expect(answers.map((a) => a[0]?.kind)).toEqual([
      ...Array<string>(15).fill('accepted'),
      ...Array<string>(5).fill('duplicate'),
    ]);
    expect(answers[15]?.[0]).toMatchObject({
      id: answers[0]?.[0]?.kind === 'accepted' ? answers[0][0].id : 'x',
    });
    const audit = await database.db
      .selectFrom('audit_events')
      .select(['actor', 'request_id'])
      .where('action', '=', 'referral.receive')
      .orderBy('seq')
      .execute();
    expect(audit).toHaveLength(15);
    expect(audit.map((a) => a.request_id).sort()).toEqual(
      Array.from({ length: 15 }, (_, i) => `r-${i}`).sort(),
    );
    expect(audit.every((a) => a.actor === `cli:a-${a.request_id?.slice(2)}`)).toBe(true);
  });

  it('chains every audit event to the previous one', async () => {
    const { database, intake, receiving } = await setup();
    await intake.submit(
      receiving,
      [submission(canonicalReferral('a')), submission(canonicalReferral('b'))],
      OPERATOR,
    );
    await intake.submit(receiving, [submission(canonicalReferral('c'))], OPERATOR);
    const events = await database.db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
    // The receiving organisation's creation is the first event.
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    let prev = GENESIS;
    for (const e of events) {
      expect(e.prev_hash).toBe(prev);
      const entry = {
        at: e.at,
        actor: e.actor,
        orgId: e.org_id,
        action: e.action,
        objectType: e.object_type,
        objectId: e.object_id,
        requestId: e.request_id,
        outcome: e.outcome as 'ok',
        details: JSON.parse(e.details) as Record<string, unknown>,
      };
      expect(chainHash(e.seq, entry, prev)).toBe(e.hash);
      prev = e.hash;
    }
  });
});
