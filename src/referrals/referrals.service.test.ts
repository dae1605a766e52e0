import { v7 as uuidv7 } from 'uuid';
import { testPorts } from '../../test/support/ports.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase } from '../../test/support/databases.ts';
import { canonicalReferral, canonicalSubmission } from '../../test/support/fixtures.ts';
import { OPERATOR } from '../../test/support/server.ts';
import type { Principal, RequestContext, Role } from '../domain/access.ts';
import { instantOf } from '../domain/ids.ts';
import type { Organisation } from '../domain/organisation.ts';
import { createIntakeService } from '../intake/intake.service.ts';
import { createOrganisationsService } from '../organisations/organisations.service.ts';
import { createPipeline } from '../pipeline/pipeline.ts';
import { createReferralsService } from './referrals.service.ts';
import { NO_HASH_LISTS } from '../pipeline/ports.ts';

const clock = { now: () => instantOf(new Date('2026-01-01T00:00:00Z')) };

describe.each(DIALECTS)('need-to-know on referrals (%s)', (dialect) => {
  let disposers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const d of disposers) await d();
    disposers = [];
  });

  /**
   * hub → ncc-it → unit-rm, unit-mi; a provider files. One referral routed to the hub itself, one to
   * each unit (as routing rules will do).
   */
  async function setup() {
    const database = await openTestDatabase(dialect);
    disposers.push(() => database.dispose());
    const orgs = createOrganisationsService({ database, clock, newId: uuidv7 });
    const hub = await orgs.ensureReceiving('hub');
    const add = async (slug: string, kind: string, parent?: string): Promise<Organisation> => {
      const r = await orgs.add({ slug, kind, ...(parent && { parent }) }, OPERATOR);
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      return r.organisation;
    };
    const ncc = await add('ncc-it', 'national-centre', 'hub');
    const rm = await add('unit-rm', 'unit', 'ncc-it');
    const mi = await add('unit-mi', 'unit', 'ncc-it');
    const provider = await add('provider-x', 'provider');
    const routedTo = async (recipient: Organisation, ref: string): Promise<string> => {
      const pipeline = createPipeline(
        testPorts({
          clock,
          hashes: NO_HASH_LISTS,
          routing: { receivingOrganisation: () => recipient },
        }),
      );
      const intake = createIntakeService({ database, pipeline, clock, newId: uuidv7 });
      const [r] = await intake.submit(provider, [canonicalSubmission(canonicalReferral(ref))], OPERATOR);
      if (r?.kind !== 'accepted') throw new Error(`not accepted: ${JSON.stringify(r)}`);
      return r.id;
    };
    const ids = {
      atHub: await routedTo(hub, 'at-hub'),
      atRm: await routedTo(rm, 'at-rm'),
      atMi: await routedTo(mi, 'at-mi'),
    };
    const referrals = createReferralsService({ database, organisations: orgs, clock });
    const user = (role: Role, org: Organisation): RequestContext => ({
      principal: {
        kind: 'user',
        id: uuidv7() as never,
        email: `${role}@${org.slug}.example.org`,
        orgId: org.id,
        role,
        sessionId: 's',
      },
      requestId: 'req',
    });
    const client = (org: Organisation, scopes: ('submit' | 'read')[]): RequestContext => ({
      principal: { kind: 'client', id: uuidv7() as never, orgId: org.id, scopes },
      requestId: 'req',
    });
    const seen = async (ctx: RequestContext) =>
      (await referrals.list({ limit: 50 }, ctx)).items.map((i) => `${i.sourceRef}:${i.access}`).sort();
    return { database, referrals, ids, hub, ncc, rm, mi, provider, user, client, seen };
  }

  it('shows the hub everything that passed through it, a national centre its units', async () => {
    const { user, hub, ncc, seen } = await setup();
    expect(await seen(user('analyst', hub))).toEqual(['at-hub:full', 'at-mi:full', 'at-rm:full']);
    expect(await seen(user('supervisor', ncc))).toEqual(['at-mi:full', 'at-rm:full']);
  });

  it('shows a unit only what was routed to it, and nothing of its sibling', async () => {
    const { user, referrals, rm, ids, seen } = await setup();
    expect(await seen(user('investigator', rm))).toEqual(['at-rm:full']);
    expect(await referrals.get(ids.atMi, user('investigator', rm))).toBeUndefined();
    expect(await referrals.get(ids.atHub, user('investigator', rm))).toBeUndefined();
    expect(await referrals.get(ids.atRm, user('investigator', rm))).toMatchObject({ access: 'full' });
  });

  it('shows the source its submissions as status only, never their content', async () => {
    const { client, referrals, provider, ids, seen } = await setup();
    const source = client(provider, ['submit']);
    expect(await seen(source)).toEqual(['at-hub:status', 'at-mi:status', 'at-rm:status']);
    const one = await referrals.get(ids.atRm, source);
    expect(one).toEqual({
      access: 'status',
      id: ids.atRm,
      sourceRef: 'at-rm',
      receivedAt: expect.any(String) as string,
    });
    // An export is of content: the source gets none.
    const exported = [];
    for await (const r of referrals.exportAll({}, source)) exported.push(r);
    expect(exported).toEqual([]);
  });

  it('gives admins and auditors no referral content', async () => {
    const { user, referrals, hub, ids, seen } = await setup();
    for (const role of ['admin', 'auditor'] as const) {
      expect(await seen(user(role, hub))).toEqual([]);
      expect(await referrals.get(ids.atHub, user(role, hub))).toBeUndefined();
    }
  });

  it('records a refused read as denied, naming who asked, in the same chain', async () => {
    const { database, user, referrals, rm, ids } = await setup();
    const ctx = user('analyst', rm);
    await referrals.get(ids.atMi, ctx);
    const events = await database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('object_id', '=', ids.atMi)
      .where('action', '=', 'referral.read')
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      outcome: 'denied',
      actor: 'user:analyst@unit-rm.example.org',
      org_id: rm.id,
      request_id: 'req',
    });
  });

  it('names in the audit event every referral a list page showed, whole or as status', async () => {
    const { database, user, client, referrals, provider, ncc } = await setup();
    const page = await referrals.list({ limit: 50 }, user('analyst', ncc));
    const statusPage = await referrals.list({ limit: 50 }, client(provider, ['submit']));
    const events = await database.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'referral.list')
      .orderBy('seq')
      .execute();
    expect(events.map((e) => JSON.parse(e.details) as unknown)).toEqual([
      { ids: page.items.map((i) => i.id), statusIds: [] },
      { ids: [], statusIds: statusPage.items.map((i) => i.id) },
    ]);
  });

  it('lets an operator (the CLI) read everything', async () => {
    const { referrals, ids } = await setup();
    const operator: Principal = { kind: 'operator', name: 'test' };
    const all = await referrals.list({ limit: 50 }, { principal: operator, requestId: null });
    expect(all.items.map((i) => i.id).sort()).toEqual(Object.values(ids).sort());
    expect((await referrals.get(ids.atMi, { principal: operator, requestId: null }))?.access).toBe('full');
  });
});
