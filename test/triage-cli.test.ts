import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDefaultRoutingRules } from '../src/rules/routing-rules.ts';
import { conduit } from './support/cli.ts';
import { createTestDatabase, DIALECTS } from './support/databases.ts';
import { canonicalReferral } from './support/fixtures.ts';

interface QueuePage {
  items: { id: string; recipient: string; held: boolean; priority: { level: string; overridden: boolean } }[];
  next: string | null;
}

describe.each(DIALECTS)('conduit queue, route, rules and lexicon on %s', (dialect) => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup.length = 0;
  });

  async function setup() {
    const t = await createTestDatabase(dialect);
    const dir = mkdtempSync(join(tmpdir(), 'conduit-triage-'));
    cleanup.push(
      () => t.dispose(),
      () => rmSync(dir, { recursive: true, force: true }),
    );
    const db = t.cliUrl;
    // Two Italian referrals (phone +39) and one that nothing locates.
    const lines = [
      canonicalReferral('it-1'),
      canonicalReferral('it-2'),
      canonicalReferral('nowhere', { reportedPersons: [{ espIdentifier: 'u-9' }] }),
    ].map((d) => JSON.stringify(d));
    writeFileSync(join(dir, 'batch.ndjson'), `${lines.join('\n')}\n`);
    return { db, dir };
  }

  it('routes by coverage, lists the queue, re-runs routing after the tree changes, and acts on a referral', async () => {
    const { db, dir } = await setup();
    expect((await conduit(db, ['ingest', join(dir, 'batch.ndjson'), '--json'])).code).toBe(0);

    const atHub = JSON.parse((await conduit(db, ['queue', '--org', 'hub', '--json'])).out) as QueuePage;
    expect(atHub.items.map((i) => i.held).sort()).toEqual([false, false, true]);

    expect(
      (
        await conduit(db, [
          'org',
          'add',
          '--slug',
          'ncc-it',
          '--kind',
          'national-centre',
          '--country',
          'IT',
          '--parent',
          'hub',
        ])
      ).code,
    ).toBe(0);
    const rerun = await conduit(db, ['route', 'rerun', '--json']);
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.out)).toEqual({ examined: 3, changed: 2, held: 1, skipped: 0 });

    const it = JSON.parse((await conduit(db, ['queue', '--org', 'ncc-it', '--json'])).out) as QueuePage;
    expect(it.items.map((i) => i.recipient)).toEqual(['ncc-it', 'ncc-it']);
    const id = it.items[0]?.id ?? '';
    const raised = await conduit(db, ['queue', 'priority', id, '--set', 'E', '--reason', 'meeting tonight']);
    expect(raised).toMatchObject({ code: 0, out: `${id}: priority E\n` });
    const first = JSON.parse(
      (await conduit(db, ['queue', '--org', 'ncc-it', '--level', 'E', '--json'])).out,
    ) as QueuePage;
    expect(first.items.map((i) => [i.id, i.priority.overridden])).toEqual([[id, true]]);

    expect((await conduit(db, ['queue', 'accept', id])).code).toBe(0);
    const pending = JSON.parse((await conduit(db, ['queue', '--org', 'ncc-it', '--json'])).out) as QueuePage;
    expect(pending.items.map((i) => i.id)).not.toContain(id);

    // Each action is in the audit trail, and the trail is intact.
    expect(JSON.parse((await conduit(db, ['audit', 'verify', '--json'])).out)).toMatchObject({ ok: true });
  });

  it('keeps hash-list matches when routing is re-run (regression: the CLI re-ran without the lists)', async () => {
    const { db, dir } = await setup();
    const list = join(dir, 'known.csv');
    // The md5 of canonicalReferral's file.
    writeFileSync(list, 'hash_type,hash,category,scheme\nmd5,5727647ebca74e1a1092482990cff7f1,1,vics-us\n');
    expect((await conduit(db, ['hashlist', 'import', list, '--name', 'known'])).code).toBe(0);
    await conduit(db, ['ingest', join(dir, 'batch.ndjson')]);
    const matched = async () =>
      (JSON.parse((await conduit(db, ['queue', '--org', 'hub', '--has-matches', '--json'])).out) as QueuePage)
        .items.length;
    expect(await matched()).toBe(3);
    expect((await conduit(db, ['route', 'rerun'])).code).toBe(0);
    expect(await matched()).toBe(3);
  });

  it('refuses bad arguments with the field named and changes nothing', async () => {
    const { db, dir } = await setup();
    await conduit(db, ['ingest', join(dir, 'batch.ndjson')]);
    expect(await conduit(db, ['queue', '--org', 'hub', '--level', 'X'])).toMatchObject({ code: 2 });
    expect(await conduit(db, ['queue', '--org', 'nope'])).toMatchObject({
      code: 1,
      err: expect.stringContaining('org') as string,
    });
    const page = JSON.parse((await conduit(db, ['queue', '--org', 'hub', '--json'])).out) as QueuePage;
    const id = page.items[0]?.id ?? '';
    const noReason = await conduit(db, ['queue', 'reassign', id, '--to', 'hub', '--reason', ' ']);
    expect(noReason.code).toBe(2);
    expect(noReason.err).toContain('reason');
    const toSource = await conduit(db, ['queue', 'reassign', id, '--to', 'nope', '--reason', 'x']);
    expect(toSource.code).toBe(1);
    const after = JSON.parse((await conduit(db, ['queue', '--org', 'hub', '--json'])).out) as QueuePage;
    expect(after.items.map((i) => i.recipient)).toEqual(page.items.map((i) => i.recipient));
  });

  it('validates and loads rules and lexicons from files, naming the wrong field', async () => {
    const { db, dir } = await setup();
    const good = join(dir, 'routing.json');
    writeFileSync(good, JSON.stringify({ ...loadDefaultRoutingRules(), version: 'agency-7' }));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...loadDefaultRoutingRules(), prior: -1 }));
    expect(await conduit(db, ['rules', 'validate', good, '--kind', 'routing'])).toMatchObject({ code: 0 });
    const refused = await conduit(db, ['rules', 'load', bad, '--kind', 'routing']);
    expect(refused.code).toBe(3);
    expect(refused.err).toContain('/prior');
    expect(await conduit(db, ['rules', 'load', good, '--kind', 'routing'])).toMatchObject({ code: 0 });
    expect(JSON.parse((await conduit(db, ['rules', 'show', '--kind', 'routing'])).out)).toMatchObject({
      version: 'agency-7',
      source: 'loaded',
    });

    const terms = join(dir, 'terms.csv');
    writeFileSync(terms, 'term,weight\ntokenalpha,3\n');
    expect(await conduit(db, ['lexicon', 'import', terms, '--name', 'agency-terms'])).toMatchObject({
      code: 0,
      out: 'loaded lexicon agency-terms revision 1: 1 terms\n',
    });
    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, 'tokenbeta,heavy\n');
    const r = await conduit(db, ['lexicon', 'import', broken, '--name', 'other']);
    expect(r.code).toBe(3);
    expect(JSON.parse((await conduit(db, ['lexicon', 'list', '--json'])).out)).toMatchObject([
      { name: 'agency-terms', terms: 1 },
    ]);
    expect(await conduit(db, ['lexicon', 'remove', 'agency-terms'])).toMatchObject({ code: 0 });
    expect(JSON.parse((await conduit(db, ['lexicon', 'list', '--json'])).out)).toEqual([]);
  });
});
