import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase } from '../../test/support/databases.ts';
import { canonicalReferral, canonicalSubmission } from '../../test/support/fixtures.ts';
import { OPERATOR } from '../../test/support/server.ts';
import { instantOf } from '../domain/ids.ts';
import { scenarioReports } from '../generate/scenario.ts';
import { createIntakeService } from '../intake/intake.service.ts';
import { createOrganisationsService } from '../organisations/organisations.service.ts';
import { createPipeline } from '../pipeline/pipeline.ts';
import { NO_GEO, NO_HASH_LISTS } from '../pipeline/ports.ts';
import { createRulesService } from '../rules/rules.service.ts';
import { createLinkService } from './link.service.ts';
import { subjectIdOf } from './engine.ts';
import { createTriageService } from '../triage/triage.service.ts';
import { loadDefaultLinkRules } from './rules.ts';
import type { Submission } from '../intake/intake.service.ts';

const clock = { now: () => instantOf(new Date('2026-01-01T00:00:00Z')) };

const account = (ref: string, espIdentifier: string, extra: Record<string, unknown> = {}) =>
  canonicalSubmission(
    canonicalReferral(ref, {
      reportedPersons: [{ espIdentifier, espService: 'ExampleChat', ...extra }],
    }),
  );

describe.each(DIALECTS)('linking service (%s)', (dialect) => {
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
    const added = await orgs.add({ slug: 'provider-x', kind: 'provider' }, OPERATOR);
    if (!added.ok) throw new Error(JSON.stringify(added.problems));
    await rules.reload();
    const pipeline = createPipeline({
      clock,
      hashes: NO_HASH_LISTS,
      geo: NO_GEO,
      rules: rules.snapshot,
      routing: { receivingOrganisation: () => hub, organisations: rules.organisations },
    });
    const intake = createIntakeService({ database, pipeline, clock, newId: uuidv7 });
    const link = createLinkService({ db: database, rules: loadDefaultLinkRules(), clock });
    const triage = createTriageService({
      database,
      organisations: orgs,
      pipeline,
      clock,
      onAccepted: (id) => link.deconflictAccepted(id),
    });
    const centre = async (slug: string, country: string) => {
      const r = await orgs.add({ slug, kind: 'national-centre', parent: 'hub', covers: [country] }, OPERATOR);
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      await rules.reload();
      return r.organisation;
    };
    const submit = async (...s: Submission[]) => {
      const out = await intake.submit(added.organisation, s, OPERATOR);
      return out.map((r) => {
        if (r.kind !== 'accepted') throw new Error(JSON.stringify(r));
        return r.id;
      });
    };
    const membership = async () =>
      (
        await database.db
          .selectFrom('subject_mentions')
          .select(['referral_id', 'slot', 'subject_id'])
          .orderBy('referral_id')
          .orderBy('slot')
          .execute()
      ).map((r) => `${r.referral_id}.${r.slot}=${r.subject_id}`);
    const notices = async () =>
      (
        await database.db
          .selectFrom('deconfliction_notices')
          .select(['org_id', 'other_org_id', 'side', 'subject_id', 'via'])
          .orderBy('side')
          .execute()
      ).map((n) => ({ ...n, via: JSON.parse(n.via) as string[] }));
    return { database, submit, link, membership, triage, centre, notices };
  }

  it('links referrals of one account into one subject, with the evidence, and keeps others apart', async () => {
    const { submit, link, database } = await setup();
    const [a, b, c] = await submit(account('a', 'u1'), account('b', 'u1'), account('c', 'u2'));
    const r = await link.catchUp();
    expect(r.linked).toBe(3);
    const rows = await database.db
      .selectFrom('subject_mentions')
      .selectAll()
      .orderBy('referral_id')
      .execute();
    const sa = subjectIdOf(`${a}.0`);
    expect(rows.map((x) => [x.referral_id, x.subject_id])).toEqual([
      [a, sa],
      [b, sa],
      [c, subjectIdOf(`${c}.0`)],
    ]);
    const evidence = await database.db.selectFrom('subject_evidence').selectAll().execute();
    expect(evidence).toHaveLength(1);
    expect(evidence[0]).toMatchObject({
      subject_id: sa,
      from_mention: `${b}.0`,
      to_mention: `${a}.0`,
      rule: 'strong',
    });
    expect(JSON.parse(evidence[0]?.keys ?? '[]')).toEqual(['a|ExampleChat|u1']);
    // Nothing left: a second run links nothing.
    expect((await link.catchUp()).linked).toBe(0);
  });

  it('merges two subjects when a later referral carries both accounts (a provider-linked account)', async () => {
    const { submit, link, membership } = await setup();
    const [a, b] = await submit(account('a', 'u1'), account('b', 'u2'));
    await link.catchUp();
    const [c] = await submit(
      account('c', 'u2', {
        associatedAccounts: [{ espIdentifier: 'u1', espService: 'ExampleChat', type: 'Linked' }],
      }),
    );
    await link.catchUp();
    const s = subjectIdOf(`${a}.0`);
    expect(await membership()).toEqual([`${a}.0=${s}`, `${b}.0=${s}`, `${c}.0=${s}`]);
  });

  it('a rebuild gives exactly what incremental linking built, on a generated scenario', async () => {
    const { submit, link, membership } = await setup();
    const docs = [...scenarioReports({ reports: 300, seed: 'link-svc', geoIps: true })];
    // Submitted in small batches, linked after each, as intake over HTTP would.
    for (let i = 0; i < docs.length; i += 50) {
      await submit(
        ...docs.slice(i, i + 50).map((e) => canonicalSubmission(e.doc as unknown as Record<string, unknown>)),
      );
      await link.catchUp();
    }
    const incremental = await membership();
    expect(new Set(incremental.map((m) => m.split('=')[1])).size).toBeLessThan(incremental.length);
    const r = await link.rebuild();
    expect(r.linked).toBe(300);
    expect(await membership()).toEqual(incremental);
  });

  it('a second process with its own engine catches up by replay and links on from there', async () => {
    const { submit, link, database, membership } = await setup();
    await submit(account('a', 'u1'));
    await link.catchUp();
    const other = createLinkService({ db: database, rules: loadDefaultLinkRules(), clock });
    const [b] = await submit(account('b', 'u1'));
    await other.catchUp();
    const [c] = await submit(account('c', 'u1'));
    await link.catchUp();
    const m = await membership();
    expect(m).toHaveLength(3);
    expect(new Set(m.map((x) => x.split('=')[1])).size).toBe(1);
    expect(m.some((x) => x.startsWith(`${b}.0=`)) && m.some((x) => x.startsWith(`${c}.0=`))).toBe(true);
  });

  /** An account with a phone in the given country, so routing sends it to that country's centre. */
  const phoned = (ref: string, esp: string, callingCode: string) =>
    account(ref, esp, {
      person: {
        phones: [
          {
            number: callingCode === '+39' ? '06 0000 0101' : '030 0000 0101',
            countryCallingCode: callingCode,
          },
        ],
      },
    });

  it('deconfliction: a referral joining a subject another centre holds notifies both, with the link', async () => {
    const { submit, link, triage, centre, notices } = await setup();
    const it_ = await centre('ncc-it', 'IT');
    const de = await centre('ncc-de', 'DE');
    const [a] = await submit(phoned('a', 'u1', '+39'));
    await link.catchUp();
    expect((await triage.accept(a ?? '', OPERATOR)).ok).toBe(true);
    expect(await notices()).toEqual([]);
    await submit(phoned('b', 'u1', '+49'));
    const r = await link.catchUp();
    expect(r.notices).toBe(2);
    const n = await notices();
    expect(n.map((x) => [x.side, x.org_id, x.other_org_id])).toEqual([
      ['holder', it_.id, de.id],
      ['newcomer', de.id, it_.id],
    ]);
    expect(n[0]?.via).toEqual(['same account u1 on ExampleChat']);
  });

  it('deconfliction on acceptance: the second centre to accept the same subject is told, and so is the first', async () => {
    const { submit, link, triage, centre, notices } = await setup();
    await centre('ncc-it', 'IT');
    await centre('ncc-de', 'DE');
    const [a, b] = await submit(phoned('a', 'u1', '+39'), phoned('b', 'u1', '+49'));
    await link.catchUp();
    await triage.accept(a ?? '', OPERATOR);
    expect(await notices()).toEqual([]);
    await triage.accept(b ?? '', OPERATOR);
    expect((await notices()).map((x) => x.side)).toEqual(['holder', 'newcomer']);
  });
});
