import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { conduit } from './support/cli.ts';
import { createTestDatabase, DIALECTS } from './support/databases.ts';
import { canonicalReferral } from './support/fixtures.ts';

const EXAMPLES = new URL('../../shared/reference/cybertipline/examples/', import.meta.url).pathname;

describe.each(DIALECTS)('conduit CLI on %s', (dialect) => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup.length = 0;
  });

  async function setup() {
    const t = await createTestDatabase(dialect);
    const dir = mkdtempSync(join(tmpdir(), 'conduit-cli-'));
    cleanup.push(
      () => t.dispose(),
      () => rmSync(dir, { recursive: true, force: true }),
    );
    return { db: t.cliUrl, dir };
  }

  it('ingests a CyberTipline submission with its file details, keyed by the stem, and exits 0', async () => {
    const { db, dir } = await setup();
    copyFileSync(join(EXAMPLES, 'example-02-webpage-upload.report.xml'), join(dir, 'case-7.report.xml'));
    copyFileSync(
      join(EXAMPLES, 'example-02-webpage-upload.fileDetails.xml'),
      join(dir, 'case-7.1.fileDetails.xml'),
    );
    writeFileSync(join(dir, 'notes.txt'), 'not an input');
    const r = await conduit(db, ['ingest', dir, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ received: 1, accepted: 1, duplicates: 0, rejected: 0, errors: [] });
    const again = await conduit(db, ['ingest', dir, '--json']);
    expect(JSON.parse(again.out)).toMatchObject({ received: 1, accepted: 0, duplicates: 1 });
    const exported = (await conduit(db, ['export', 'referrals'])).out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({
      sourceRef: 'case-7',
      files: [
        {
          md5: '5727647ebca74e1a1092482990cff7f1',
          sha1: '40c88955f366b33f299aedb5416550cdc1c63027',
          pdq: '0'.repeat(64),
        },
      ],
      jurisdiction: { recipient: 'hub' },
      subjects: [expect.any(String) as string],
      matches: [],
    });
    // Decided with its reasons: where (kept at the hub: no organisation covers it) and how urgent.
    const decided = exported[0] as { jurisdiction: { reasons: string[] }; priority: { level: string } };
    expect(decided.jurisdiction.reasons.length).toBeGreaterThan(0);
    expect(decided.priority.level).toMatch(/^[E123]$/);
    // The receiving organisation's creation, the receipt, the export (a read of everything): intact.
    expect(JSON.parse((await conduit(db, ['audit', 'verify', '--json'])).out)).toMatchObject({
      ok: true,
      events: 3,
    });
  });

  it('keeps the good lines of an NDJSON batch, reports each bad one with its field, and exits 3', async () => {
    const { db, dir } = await setup();
    const lines = [
      JSON.stringify(canonicalReferral('n-1')),
      JSON.stringify(canonicalReferral('n-2', { victims: [{ age: -1 }] })),
      '{ not json',
      JSON.stringify(canonicalReferral('n-3')),
    ];
    writeFileSync(join(dir, 'batch.ndjson'), `${lines.join('\n')}\n`);
    const r = await conduit(db, ['ingest', join(dir, 'batch.ndjson'), '--json']);
    expect(r.code).toBe(3);
    const s = JSON.parse(r.out) as {
      accepted: number;
      rejected: number;
      errors: { input: string; code: string; path: string }[];
    };
    expect(s).toMatchObject({ received: 4, accepted: 2, rejected: 2 });
    expect(s.errors).toEqual([
      expect.objectContaining({
        input: `${join(dir, 'batch.ndjson')}:2`,
        code: 'invalid_value',
        path: '/victims/0/age',
      }),
      expect.objectContaining({ input: `${join(dir, 'batch.ndjson')}:3`, code: 'malformed_input' }),
    ]);
  });

  it('ingests what it generates, in each format, skipping truth.json', async () => {
    const { db, dir } = await setup();
    for (const format of ['json', 'ndjson', 'xml']) {
      const out = join(dir, format);
      expect(
        (
          await conduit(db, [
            'generate',
            '--reports',
            '25',
            '--seed',
            format,
            '--out',
            out,
            '--format',
            format,
          ])
        ).code,
      ).toBe(0);
      // Each format from its own source: the same stems from one source would rightly be duplicates.
      await conduit(db, ['org', 'add', '--slug', `src-${format}`, '--kind', 'provider']);
      const r = await conduit(db, ['ingest', out, '--source', `src-${format}`, '--json']);
      expect({ format, code: r.code, summary: JSON.parse(r.out) as unknown }).toEqual({
        format,
        code: 0,
        summary: { received: 25, accepted: 25, duplicates: 0, rejected: 0, errors: [] },
      });
    }
  });

  it("under --strict also validates against NCMEC's XSD, and still accepts what is valid", async () => {
    const { db, dir } = await setup();
    copyFileSync(join(EXAMPLES, 'example-03-batched-viral.report.xml'), join(dir, 'v.report.xml'));
    copyFileSync(
      join(EXAMPLES, 'example-03-batched-viral.fileDetails.xml'),
      join(dir, 'v.1.fileDetails.xml'),
    );
    const r = await conduit(db, ['ingest', dir, '--strict', '--json']);
    expect(JSON.parse(r.out)).toMatchObject({ received: 1, accepted: 1, rejected: 0 });
  });

  it('reads a report from stdin', async () => {
    const { db } = await setup();
    const xml = readFileSync(join(EXAMPLES, 'example-01-chatim-enticement.report.xml'), 'utf8');
    const r = await conduit(db, ['ingest', '-', '--json'], xml);
    expect(JSON.parse(r.out)).toMatchObject({ accepted: 1 });
  });

  it('exits 2 for usage errors: an unknown source organisation, a missing argument', async () => {
    const { db, dir } = await setup();
    const unknown = await conduit(db, ['ingest', dir, '--source', 'nobody']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('--source');
    expect((await conduit(db, ['ingest'])).code).toBe(2);
    expect((await conduit(db, ['generate', '--reports', 'many', '--out', dir])).code).toBe(2);
  });

  it('adds organisations and attributes ingested referrals to the given source', async () => {
    const { db, dir } = await setup();
    const added = await conduit(db, [
      'org',
      'add',
      '--slug',
      'centre-x',
      '--kind',
      'referring-centre',
      '--country',
      'IT',
      '--json',
    ]);
    expect(added.code).toBe(0);
    expect((await conduit(db, ['org', 'add', '--slug', 'bad', '--kind', 'bakery'])).code).toBe(2);
    const list = JSON.parse((await conduit(db, ['org', 'list', '--json'])).out) as { slug: string }[];
    expect(list.map((o) => o.slug)).toEqual(['centre-x', 'hub']);
    writeFileSync(join(dir, 'one.referral.json'), JSON.stringify(canonicalReferral('j-1')));
    const r = await conduit(db, ['ingest', dir, '--source', 'centre-x', '--json']);
    expect(JSON.parse(r.out)).toMatchObject({ accepted: 1 });
  });

  it('adds an organisation with the countries and regions it covers, and names a bad code', async () => {
    const { db } = await setup();
    const added = await conduit(db, [
      'org',
      'add',
      '--slug',
      'it-nc',
      '--kind',
      'national-centre',
      '--country',
      'IT',
      '--covers',
      'IT, SM,VA-XX',
      '--json',
    ]);
    expect(added).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(added.out)).toMatchObject({ slug: 'it-nc', covers: ['IT', 'SM', 'VA-XX'] });

    const plain = await conduit(db, [
      'org',
      'add',
      '--slug',
      'fr-nc',
      '--kind',
      'national-centre',
      '--country',
      'FR',
      '--json',
    ]);
    expect(JSON.parse(plain.out)).toMatchObject({ covers: ['FR'] });

    const bad = await conduit(db, [
      'org',
      'add',
      '--slug',
      'x',
      '--kind',
      'unit',
      '--covers',
      'IT,Italy',
      '--json',
    ]);
    expect(bad).toMatchObject({ code: 2, out: '' });
    expect(bad.err).toMatch(/^conduit: --covers: Italy: /m);
    expect((await conduit(db, ['org', 'add', '--slug', 'x', '--kind', 'unit', '--covers', ' , '])).code).toBe(
      2,
    );
    const slugs = (JSON.parse((await conduit(db, ['org', 'list', '--json'])).out) as { slug: string }[]).map(
      (o) => o.slug,
    );
    expect(slugs).not.toContain('x');
  });
});
