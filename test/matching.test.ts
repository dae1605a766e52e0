import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { conduit } from './support/cli.ts';
import { createTestDatabase, DIALECTS } from './support/databases.ts';
import { canonicalReferral } from './support/fixtures.ts';
import { startTestServer } from './support/server.ts';

const WEE = new URL('../../shared/reference/pdq/data/misc-images/wee.jpg', import.meta.url);
// Hashes of nothing in particular: synthetic values, as every list in tests.
const KNOWN_MD5 = '0f'.repeat(16);
const BENIGN_MD5 = '1e'.repeat(16);
const KNOWN_PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
/** KNOWN_PDQ with 5 bits flipped (within the default radius of 31). */
const NEAR_PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b3d';

describe.each(DIALECTS)('known-material matching end to end on %s', (dialect) => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup.length = 0;
  });

  it('imports lists with the CLI, matches each file of an ingested referral, and exports the matches', async () => {
    const t = await createTestDatabase(dialect);
    const dir = mkdtempSync(join(tmpdir(), 'conduit-match-'));
    cleanup.push(
      () => t.dispose(),
      () => rmSync(dir, { recursive: true, force: true }),
    );
    writeFileSync(
      join(dir, 'known.csv'),
      `hash_type,hash,category,scheme,series,id\nmd5,${KNOWN_MD5.toUpperCase()},1,vics-us,Series-X,e-1\npdq,${KNOWN_PDQ},2,vics-us,,e-2\n`,
    );
    writeFileSync(join(dir, 'benign.csv'), `hash_type,hash,category,scheme\nmd5,${BENIGN_MD5},0,vics-us\n`);
    expect(
      (await conduit(t.cliUrl, ['hashlist', 'import', join(dir, 'known.csv'), '--name', 'known'])).code,
    ).toBe(0);
    const benign = await conduit(t.cliUrl, [
      'hashlist',
      'import',
      join(dir, 'benign.csv'),
      '--name',
      'benign',
      '--negative',
    ]);
    expect(benign.code).toBe(0);

    writeFileSync(
      join(dir, 'r.referral.json'),
      JSON.stringify(
        canonicalReferral('m-1', {
          files: [
            { hashes: { md5: KNOWN_MD5 } },
            { hashes: { pdq: NEAR_PDQ, pdqQuality: 100 } },
            { hashes: { md5: BENIGN_MD5 } },
            { hashes: { md5: '2d'.repeat(16) } },
          ],
        }),
      ),
    );
    expect((await conduit(t.cliUrl, ['ingest', join(dir, 'r.referral.json'), '--json'])).code).toBe(0);
    const out = await conduit(t.cliUrl, ['export', 'referrals']);
    const [record] = out.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { matches: Record<string, unknown>[] });
    expect(record?.matches).toEqual([
      expect.objectContaining({
        file: 0,
        kind: 'md5',
        distance: 0,
        category: 'illegal',
        sourceScheme: 'vics-us',
        sourceCode: '1',
        series: 'Series-X',
        entry: 'e-1',
        list: expect.objectContaining({ name: 'known', version: 1, negative: false }) as unknown,
      }),
      expect.objectContaining({ file: 1, kind: 'pdq', distance: 5, category: 'exploitive', entry: 'e-2' }),
      expect.objectContaining({
        file: 2,
        kind: 'md5',
        category: 'non-pertinent',
        list: expect.objectContaining({ name: 'benign', negative: true }) as unknown,
      }),
    ]);
  });

  it('answers POST /api/v1/match from the loaded lists, and sees a re-import at once', async () => {
    const s = await startTestServer(dialect);
    cleanup.push(() => s.close());
    const { headers } = await s.signIn('analyst');
    const ask = () =>
      s.http.inject({
        method: 'POST',
        url: '/api/v1/match',
        headers,
        payload: { files: [{ md5: KNOWN_MD5 }, { pdq: NEAR_PDQ, pdqQuality: 20 }] },
      });
    expect((await ask()).json()).toMatchObject({ matches: [], media: { unknown: [0], lowQualityPdq: [1] } });
    const admin = (await s.signIn('admin')).headers;
    const put = await s.http.inject({
      method: 'POST',
      url: '/api/v1/hashlists?name=known&format=csv',
      headers: { ...admin, 'content-type': 'text/csv' },
      payload: `hash_type,hash,category,scheme\nmd5,${KNOWN_MD5},A,uk\n`,
    });
    expect(put.statusCode).toBe(201);
    const after = (await ask()).json<{ matches: unknown[]; media: unknown }>();
    expect(after.matches).toEqual([
      expect.objectContaining({
        file: 0,
        kind: 'md5',
        category: 'illegal',
        sourceScheme: 'uk',
        sourceCode: 'A',
      }),
    ]);
    expect(after.media).toMatchObject({ matched: 1, byCategory: { illegal: 1 }, lowQualityPdq: [1] });
    const bad = await s.http.inject({
      method: 'POST',
      url: '/api/v1/match',
      headers,
      payload: { files: [{ md5: 'xyz' }] },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ error: { problems: [{ path: '/files/0/md5' }] } });
  });

  it('matches a hash or an image file from the CLI (conduit match), and hashes an image over HTTP without keeping it', async () => {
    const t = await createTestDatabase(dialect);
    const dir = mkdtempSync(join(tmpdir(), 'conduit-match-'));
    cleanup.push(
      () => t.dispose(),
      () => rmSync(dir, { recursive: true, force: true }),
    );
    // The list holds the PDQ hash of the benign test photo, as the hasher computes it over HTTP.
    const s = await startTestServer(dialect);
    cleanup.push(() => s.close());
    const { headers } = await s.signIn('analyst');
    const hashed = await s.http.inject({
      method: 'POST',
      url: '/api/v1/hash?dihedral=true',
      headers: { ...headers, 'content-type': 'image/jpeg' },
      payload: readFileSync(WEE),
    });
    expect(hashed.statusCode).toBe(200);
    const f = hashed.json<{
      md5: string;
      pdq: { hash: string; quality: number; dihedral: Record<string, string> };
    }>();
    expect(f.md5).toBe(createHash('md5').update(readFileSync(WEE)).digest('hex'));
    expect(f.pdq).toMatchObject({ hash: expect.stringMatching(/^[0-9a-f]{64}$/) as string, quality: 100 });
    expect(Object.keys(f.pdq.dihedral)).toHaveLength(8);
    const notImage = await s.http.inject({
      method: 'POST',
      url: '/api/v1/hash',
      headers: { ...headers, 'content-type': 'image/jpeg' },
      payload: Buffer.from('not an image at all'),
    });
    expect(notImage.statusCode).toBe(415);

    writeFileSync(join(dir, 'l.csv'), `hash_type,hash,category,scheme\npdq,${f.pdq.hash},B1,industry\n`);
    expect(
      (await conduit(t.cliUrl, ['hashlist', 'import', join(dir, 'l.csv'), '--name', 'photos'])).code,
    ).toBe(0);
    const byFile = await conduit(t.cliUrl, ['match', WEE.pathname, '--json']);
    expect(byFile.code).toBe(0);
    expect(JSON.parse(byFile.out)).toMatchObject({
      matches: [
        {
          file: 0,
          kind: 'pdq',
          distance: 0,
          category: 'illegal',
          sourceScheme: 'industry',
          sourceCode: 'B1',
        },
      ],
      media: { matched: 1 },
    });
    const byHash = await conduit(t.cliUrl, ['match', f.pdq.hash]);
    expect(byHash.out).toContain('\tpdq\t0\tphotos v1\t');
    expect((await conduit(t.cliUrl, ['match', 'nonsense-file'])).code).toBe(2);
  });
});
