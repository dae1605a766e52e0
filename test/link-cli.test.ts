import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateScenario } from '../src/generate/generate.ts';
import { conduit } from './support/cli.ts';
import { createTestDatabase, DIALECTS } from './support/databases.ts';
import { canonicalReferral } from './support/fixtures.ts';

interface SubjectItem {
  id: string;
  referrals: number;
  accounts: string[];
  prior: unknown[];
}
interface SubjectPage {
  items: SubjectItem[];
  next: string | null;
}
interface GeneratedPerson {
  screenName?: string;
  person?: { emails?: { address: string }[] };
}

// One synthetic scenario for every test: read-only, each test ingests it into a database of its own.
let scenario = '';
let referralFiles: string[] = [];
beforeAll(async () => {
  scenario = mkdtempSync(join(tmpdir(), 'conduit-link-'));
  await generateScenario({ reports: 200, seed: 's', outDir: scenario, format: 'json', geoIps: true });
  referralFiles = readdirSync(scenario)
    .filter((f) => f.endsWith('.referral.json'))
    .sort()
    .map((f) => join(scenario, f));
}, 60_000);
afterAll(() => rmSync(scenario, { recursive: true, force: true }));

/** The reported persons of the generated referrals, in file order. */
function generatedPersons(): GeneratedPerson[] {
  return referralFiles.flatMap(
    (f) =>
      (JSON.parse(readFileSync(f, 'utf8')) as { reportedPersons?: GeneratedPerson[] }).reportedPersons ?? [],
  );
}

describe.each(DIALECTS)('conduit link, subjects, links, trace and register on %s', (dialect) => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup.length = 0;
  });

  async function setup() {
    const t = await createTestDatabase(dialect);
    const dir = mkdtempSync(join(tmpdir(), 'conduit-link-cli-'));
    cleanup.push(
      () => t.dispose(),
      () => rmSync(dir, { recursive: true, force: true }),
    );
    return { db: t.cliUrl, dir };
  }

  async function allSubjects(db: string, ...more: string[]): Promise<SubjectItem[]> {
    const out: SubjectItem[] = [];
    let after: string[] = [];
    for (;;) {
      const r = await conduit(db, ['subjects', '--limit', '200', ...more, ...after, '--json']);
      expect(r.code).toBe(0);
      const page = JSON.parse(r.out) as SubjectPage;
      out.push(...page.items);
      if (page.next === null) return out;
      after = ['--after', page.next];
    }
  }

  it('links a generated operation into fewer subjects than referrals, explains them, and rebuilds the same', async () => {
    const { db, dir } = await setup();
    expect((await conduit(db, ['ingest', scenario])).code).toBe(0);
    const run = await conduit(db, ['link', 'run', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ linked: expect.any(Number) as number });
    const subjects = await allSubjects(db);
    expect(subjects.length).toBeGreaterThan(0);
    expect(subjects.length).toBeLessThan(referralFiles.length);
    const biggest = [...subjects].sort((a, b) => b.referrals - a.referrals)[0];
    expect(biggest?.referrals).toBeGreaterThan(1);
    const id = biggest?.id ?? '';

    const shown = await conduit(db, ['subjects', 'show', id, '--json']);
    expect(shown.code).toBe(0);
    const view = JSON.parse(shown.out) as {
      id: string;
      referralsVisible: { id: string }[];
      evidence: { reasons: string[] }[];
    };
    expect(view.id).toBe(id);
    expect(view.referralsVisible.length).toBe(biggest?.referrals);
    expect(view.evidence.some((e) => e.reasons.length > 0)).toBe(true);
    expect((await conduit(db, ['subjects', 'show', id])).out).toContain(`subject ${id}`);

    const referral = view.referralsVisible[0]?.id ?? '';
    const links = await conduit(db, ['links', referral, '--json']);
    expect(links.code).toBe(0);
    const linked = JSON.parse(links.out) as {
      referral: string;
      mentions: { subject: { id: string } | null }[];
    };
    expect(linked.referral).toBe(referral);
    expect(linked.mentions.map((m) => m.subject?.id)).toContain(id);
    expect((await conduit(db, ['links', referral])).out).toContain(`subject ${id}`);

    const exported = (await conduit(db, ['export', 'referrals'])).out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; subjects: string[] });
    expect(exported).toHaveLength(referralFiles.length);
    expect(exported.filter((r) => r.subjects.length > 0).length).toBeGreaterThan(referralFiles.length / 2);
    expect(exported.find((r) => r.id === referral)?.subjects).toContain(id);

    const graph = await conduit(db, [
      'subjects',
      'graph',
      id,
      '--format',
      'graphml',
      '--out',
      join(dir, 'g.graphml'),
    ]);
    expect(graph).toMatchObject({ code: 0 });
    expect(readFileSync(join(dir, 'g.graphml'), 'utf8')).toContain('<graphml');

    const rebuilt = await conduit(db, ['link', 'rebuild', '--json']);
    expect(rebuilt.code).toBe(0);
    expect(JSON.parse(rebuilt.out)).toMatchObject({ linked: referralFiles.length });
    const shape = (list: SubjectItem[]) =>
      [...list]
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .map((s) => ({ id: s.id, referrals: s.referrals, accounts: [...s.accounts].sort() }));
    expect(shape(await allSubjects(db))).toEqual(shape(subjects));

    // A register naming an e-mail a reported person used marks that person's subject as prior.
    const email = generatedPersons().flatMap((p) => p.person?.emails ?? [])[0]?.address ?? '';
    expect(email).toContain('@');
    writeFileSync(join(dir, 'known.csv'), `reference,kind,value,label\nN-1,email,${email},synthetic\n`);
    expect(
      await conduit(db, ['register', 'import', join(dir, 'known.csv'), '--name', 'known']),
    ).toMatchObject({
      code: 0,
      out: expect.stringContaining('1 entries') as string,
    });
    const prior = await allSubjects(db, '--with-prior');
    expect(prior.length).toBeGreaterThanOrEqual(1);
    expect(prior.every((s) => s.prior.length > 0)).toBe(true);
    expect(JSON.parse((await conduit(db, ['register', 'list', '--json'])).out)).toMatchObject([
      { name: 'known', entries: 1 },
    ]);

    // The same name in upper case: its look-alike from the data is suggested, with the reason.
    const name = generatedPersons().find((p) => p.screenName)?.screenName ?? '';
    const traced = await conduit(db, ['trace', name.toUpperCase(), '--json']);
    expect(traced.code).toBe(0);
    const found = JSON.parse(traced.out) as {
      suggestions: { name: string; reason: string; score: number }[];
    };
    expect(found.suggestions.length).toBeGreaterThan(0);
    expect(found.suggestions.map((s) => s.name)).toContain(name);

    // The scenario's groups: each community says how many investigations it would become, and where.
    const communities = JSON.parse((await conduit(db, ['communities', '--json'])).out) as {
      id: string;
      subjects: number;
      countries: { subjects: number }[];
    }[];
    const community = communities[0];
    expect(community?.countries.reduce((n, c) => n + c.subjects, 0)).toBe(community?.subjects);
    const members = await conduit(db, ['communities', 'show', community?.id ?? '']);
    expect(members.out).toMatch(/would become \d+ investigations? in [A-Z]{2}/);
    expect(members.out.match(/^ {2}subject /gm)).toHaveLength(community?.subjects ?? 0);
    expect((await conduit(db, ['deconfliction', '--json'])).code).toBe(0);
    expect(JSON.parse((await conduit(db, ['audit', 'verify', '--json'])).out)).toMatchObject({ ok: true });
  }, 60_000);

  it('refuses bad arguments with the field named', async () => {
    const { db, dir } = await setup();
    const lines = [canonicalReferral('a-1'), canonicalReferral('a-2')].map((d) => JSON.stringify(d));
    writeFileSync(join(dir, 'batch.ndjson'), `${lines.join('\n')}\n`);
    expect((await conduit(db, ['ingest', join(dir, 'batch.ndjson')])).code).toBe(0);
    const id = (await allSubjects(db))[0]?.id ?? '';
    expect(id).not.toBe('');

    const split = await conduit(db, ['subjects', 'split', id, '--accounts', 'nobody|x', '--reason', 'test']);
    expect(split.code).toBe(2);
    expect(split.err).toContain('accounts');
    expect(await conduit(db, ['subjects', 'show', 'no-such-subject'])).toMatchObject({ code: 1 });

    writeFileSync(join(dir, 'known.txt'), 'reference,kind,value\nN-1,email,a@example.com\n');
    const unknown = await conduit(db, ['register', 'import', join(dir, 'known.txt'), '--name', 'known']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('--format');
    expect(
      await conduit(db, ['register', 'import', join(dir, 'known.txt'), '--name', 'known', '--format', 'xml']),
    ).toMatchObject({ code: 2 });
    expect(JSON.parse((await conduit(db, ['register', 'list', '--json'])).out)).toEqual([]);
  });
});
