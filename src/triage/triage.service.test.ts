import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase } from '../../test/support/databases.ts';
import { canonicalReferral, canonicalSubmission } from '../../test/support/fixtures.ts';
import { OPERATOR } from '../../test/support/server.ts';
import type { RequestContext, Role } from '../domain/access.ts';
import { instantOf } from '../domain/ids.ts';
import type { Organisation } from '../domain/organisation.ts';
import { createIntakeService } from '../intake/intake.service.ts';
import { createOrganisationsService } from '../organisations/organisations.service.ts';
import { createPipeline } from '../pipeline/pipeline.ts';
import { NO_GEO, NO_HASH_LISTS } from '../pipeline/ports.ts';
import { createRulesService } from '../rules/rules.service.ts';
import { createTriageService } from './triage.service.ts';

const clock = { now: () => instantOf(new Date('2026-01-01T00:00:00Z')) };

/** A referral whose only location signal is an Italian (or other) phone number. */
const located = (ref: string, callingCode = '+39', extra: Record<string, unknown> = {}) =>
  canonicalSubmission(
    canonicalReferral(ref, {
      reportedPersons: [
        {
          espIdentifier: `u-${ref}`,
          person: {
            phones: [
              {
                number: callingCode === '+39' ? '06 0000 0101' : '030 0000 0101',
                countryCallingCode: callingCode,
              },
            ],
          },
        },
      ],
      ...extra,
    }),
  );
/** Nothing in it locates anyone: held for manual triage. */
const unlocated = (ref: string) =>
  canonicalSubmission(canonicalReferral(ref, { reportedPersons: [{ espIdentifier: `u-${ref}` }] }));

describe.each(DIALECTS)('triage (%s)', (dialect) => {
  let disposers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const d of disposers) await d();
    disposers = [];
  });

  async function setup() {
    const database = await openTestDatabase(dialect);
    disposers.push(() => database.dispose());
    const rules = createRulesService({ database, clock, newId: uuidv7, receivingSlug: 'hub' });
    const orgs = createOrganisationsService({ database, clock, newId: uuidv7, onChange: rules.reload });
    const hub = await orgs.ensureReceiving('hub');
    const add = async (slug: string, kind: string, parent?: string, covers?: string[]) => {
      const r = await orgs.add(
        { slug, kind, ...(parent && { parent }), ...(covers && { covers }) },
        OPERATOR,
      );
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      return r.organisation;
    };
    const provider = await add('provider-x', 'provider');
    await rules.reload();
    const pipeline = createPipeline({
      clock,
      hashes: NO_HASH_LISTS,
      geo: NO_GEO,
      rules: rules.snapshot,
      routing: { receivingOrganisation: () => hub, organisations: rules.organisations },
    });
    const intake = createIntakeService({ database, pipeline, clock, newId: uuidv7 });
    const triage = createTriageService({ database, organisations: orgs, pipeline, clock });
    const submit = async (s: ReturnType<typeof located>) => {
      const [r] = await intake.submit(provider, [s], OPERATOR);
      if (r?.kind !== 'accepted') throw new Error(JSON.stringify(r));
      return r.id;
    };
    const person = (org: Organisation, role: Role = 'analyst'): RequestContext => ({
      principal: {
        kind: 'user',
        id: uuidv7() as never,
        email: `${role}@example.org`,
        orgId: org.id,
        role,
        sessionId: 's',
      },
      requestId: null,
    });
    return { database, hub, add, submit, triage, rules, person };
  }

  it('routes an Italian referral to the centre covering Italy and queues it there, not at the hub', async () => {
    const { add, submit, triage, person, hub } = await setup();
    const ncc = await add('ncc-it', 'national-centre', 'hub', ['IT']);
    const id = await submit(located('a'));
    const q = await triage.queue({ limit: 10 }, person(ncc));
    expect(q.ok && q.value.items.map((i) => [i.id, i.recipient, i.jurisdiction.country, i.held])).toEqual([
      [id, 'ncc-it', 'IT', false],
    ]);
    const atHub = await triage.queue({ limit: 10 }, person(hub));
    expect(atHub.ok && atHub.value.items).toEqual([]);
  });

  it('holds what nothing locates at the receiving organisation, filterable as held', async () => {
    const { submit, triage, person, hub } = await setup();
    const held = await submit(unlocated('h'));
    const kept = await submit(located('k', '+49'));
    const all = await triage.queue({ limit: 10 }, person(hub));
    expect(all.ok && all.value.items.map((i) => i.id).sort()).toEqual([held, kept].sort());
    const onlyHeld = await triage.queue({ limit: 10, held: true }, person(hub));
    expect(onlyHeld.ok && onlyHeld.value.items.map((i) => [i.id, i.hold?.reason])).toEqual([
      [held, 'no_location'],
    ]);
  });

  it('orders by priority then age and pages without gaps or repeats', async () => {
    const { submit, triage, person, hub } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++)
      ids.push(
        await submit(
          located(
            `p${i}`,
            '+49',
            i % 2 === 0
              ? {}
              : {
                  incident: {
                    type: 'Child Pornography (possession, manufacture, and distribution)',
                    occurredAt: '2025-06-14T21:37:05+02:00',
                    annotations: [],
                  },
                },
          ),
        ),
      );
    const seen: { id: string; level: string | undefined }[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await triage.queue({ limit: 3, ...(after && { after }) }, person(hub));
      if (!page.ok) throw new Error(JSON.stringify(page.problems));
      seen.push(...page.value.items.map((i) => ({ id: i.id, level: i.priority?.level })));
      if (!page.value.next) break;
      after = page.value.next;
    }
    expect(seen.map((s) => s.id).sort()).toEqual([...ids].sort());
    const ranks = seen.map((s) => ['E', '1', '2', '3'].indexOf(s.level ?? '3'));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('accepts, reassigns and overrides with a reason, each audited, and refuses sideways moves', async () => {
    const { database, add, submit, triage, person } = await setup();
    const ncc = await add('ncc-it', 'national-centre', 'hub', ['IT']);
    const unit = await add('unit-rm', 'unit', 'ncc-it', ['IT-62']);
    const other = await add('ncc-de', 'national-centre', 'hub', ['DE']);
    const id = await submit(located('a'));
    const analyst = person(ncc);

    expect(await triage.reassign(id, 'unit-rm', ' ', analyst)).toMatchObject({
      ok: false,
      problems: [{ code: 'invalid_value', path: 'reason' }],
    });
    expect(await triage.reassign(id, 'ncc-de', 'wrong country', analyst)).toMatchObject({
      ok: false,
      problems: [{ code: 'unknown_organisation', path: 'to' }],
    });
    const moved = await triage.reassign(id, 'unit-rm', 'the suspect lives in Roma', analyst);
    expect(moved).toMatchObject({ ok: true, value: { recipient: 'unit-rm', triage: 'pending' } });
    const raised = await triage.overridePriority(id, 'E', 'the chat shows a meeting tonight', person(unit));
    expect(raised).toMatchObject({ ok: true, value: { priority: { level: 'E', overridden: true } } });
    expect(await triage.accept(id, person(unit))).toMatchObject({ ok: true, value: { triage: 'accepted' } });
    expect(await triage.accept(id, person(unit))).toMatchObject({
      ok: false,
      problems: [{ code: 'conflict' }],
    });
    // Another branch cannot act on it, and is told nothing about it.
    expect(await triage.accept(id, person(other))).toMatchObject({
      ok: false,
      problems: [{ code: 'not_found' }],
    });
    expect(await triage.accept(id, person(unit, 'investigator'))).toMatchObject({
      ok: false,
      problems: [{ code: 'forbidden' }],
    });

    const events = await database.db
      .selectFrom('audit_events')
      .select(['action', 'details', 'outcome'])
      .where('object_id', '=', id)
      .where('action', 'in', ['referral.reassign', 'referral.override-priority', 'referral.accept'])
      .orderBy('seq')
      .execute();
    // The other branch's attempt is recorded as refused.
    expect(events.map((e) => [e.action, e.outcome])).toEqual([
      ['referral.reassign', 'ok'],
      ['referral.override-priority', 'ok'],
      ['referral.accept', 'ok'],
      ['referral.accept', 'denied'],
    ]);
    expect(JSON.parse(events[0]?.details ?? '{}')).toMatchObject({
      reason: 'the suspect lives in Roma',
      to: unit.id,
    });
  });

  it('serialises concurrent actions on one referral: no override is lost, one accept wins', async () => {
    const { add, submit, triage, person, database } = await setup();
    const ncc = await add('ncc-it', 'national-centre', 'hub', ['IT']);
    await add('unit-rm', 'unit', 'ncc-it', ['IT-62']);
    const id = await submit(located('c'));
    const [moved, raised] = await Promise.all([
      triage.reassign(id, 'unit-rm', 'the suspect lives in Roma', person(ncc)),
      triage.overridePriority(id, 'E', 'meeting tonight', person(ncc)),
    ]);
    expect(moved.ok && raised.ok).toBe(true);
    const row = await database.db
      .selectFrom('referrals')
      .select('overrides')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(Object.keys(JSON.parse(row.overrides ?? '{}') as object).sort()).toEqual([
      'priority',
      'recipient',
    ]);
    const accepts = await Promise.all([triage.accept(id, person(ncc)), triage.accept(id, person(ncc))]);
    expect(accepts.map((a) => a.ok).sort()).toEqual([false, true]);
  });

  it('re-runs routing after the tree changes, keeping analysts’ overrides', async () => {
    const { add, submit, triage, person, hub } = await setup();
    const a = await submit(located('a'));
    const b = await submit(located('b'));
    const overridden = await triage.overridePriority(b, '3', 'known duplicate', person(hub));
    expect(overridden.ok).toBe(true);
    // Nobody covers Italy yet: both stay at the hub.
    const before = await triage.queue({ limit: 10 }, person(hub));
    expect(before.ok && before.value.items.length).toBe(2);

    await add('ncc-it', 'national-centre', 'hub', ['IT']);
    const r = await triage.reroute({}, person(hub, 'supervisor'));
    expect(r).toEqual({ ok: true, value: { examined: 2, changed: 2, held: 0, skipped: 0 } });
    const after = await triage.queue({ org: 'ncc-it', limit: 10 }, person(hub));
    expect(
      after.ok && after.value.items.map((i) => [i.id, i.priority?.level, i.priority?.overridden]).sort(),
    ).toEqual(
      [
        [a, expect.any(String), false],
        [b, '3', true],
      ].sort(),
    );
  });

  it('keeps informational referrals out of the queue unless asked for', async () => {
    const { submit, triage, person, hub } = await setup();
    const viral = await submit(
      located('v', '+49', {
        incident: {
          type: 'Child Pornography (possession, manufacture, and distribution)',
          occurredAt: '2025-06-14T21:37:05+02:00',
          annotations: [],
          batchedReason: 'VIRAL_POTENTIAL_MEME',
        },
        victims: [],
      }),
    );
    const q = await triage.queue({ limit: 10 }, person(hub));
    expect(q.ok && q.value.items.map((i) => i.id)).not.toContain(viral);
    const info = await triage.queue({ limit: 10, classification: 'informational' }, person(hub));
    expect(info.ok && info.value.items.map((i) => i.id)).toEqual([viral]);
  });

  it('answers an organisation outside the caller’s reach like one that does not exist', async () => {
    const { add, triage, person } = await setup();
    const ncc = await add('ncc-it', 'national-centre', 'hub', ['IT']);
    await add('ncc-de', 'national-centre', 'hub', ['DE']);
    expect(await triage.queue({ org: 'ncc-de', limit: 10 }, person(ncc))).toMatchObject({
      ok: false,
      problems: [{ code: 'unknown_organisation', path: 'org' }],
    });
    expect(await triage.queue({ org: 'nope', limit: 10 }, person(ncc))).toMatchObject({
      ok: false,
      problems: [{ code: 'unknown_organisation', path: 'org' }],
    });
  });
});
