import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { conduit } from './support/cli.ts';
import { createTestDatabase, DIALECTS } from './support/databases.ts';

const VICS = new URL('../../shared/reference/vics/', import.meta.url).pathname;

/** `conduit hashlist …args` in-process. */
const hashlist = (db: string, args: readonly string[], stdin = '') =>
  conduit(db, ['hashlist', ...args], stdin);

describe.each(DIALECTS)('conduit hashlist on %s', (dialect) => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup.length = 0;
  });
  async function setup() {
    const t = await createTestDatabase(dialect);
    const dir = mkdtempSync(join(tmpdir(), 'conduit-hashlist-'));
    cleanup.push(
      () => t.dispose(),
      () => rmSync(dir, { recursive: true, force: true }),
    );
    return { db: t.cliUrl, dir };
  }

  it('imports, re-imports, lists and removes a list', async () => {
    const { db, dir } = await setup();
    const first = await hashlist(db, [
      'import',
      join(VICS, 'sample-vics-1.3-hashset.synthetic.json'),
      '--name',
      'vic',
    ]);
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toBe(
      'imported vic version 1: 3 entries, 0 skipped, 1 PhotoDNA hashes ignored (not supported)\n',
    );

    const csv = join(dir, 'list.csv');
    writeFileSync(csv, `hash_type,hash,category\nsha1,${'a'.repeat(40)},A1\n`);
    const second = await hashlist(db, [
      'import',
      csv,
      '--name',
      'vic',
      '--scheme',
      'industry',
      '--negative',
      '--json',
    ]);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.out)).toMatchObject({
      ok: true,
      entries: 1,
      list: { name: 'vic', version: 2, negative: true },
    });

    const fromStdin = await hashlist(
      db,
      ['import', '-', '--name', 'other', '--format', 'csv'],
      `hash_type,hash,category\nmd5,${'b'.repeat(32)},\n`,
    );
    expect(fromStdin.code).toBe(0);

    const list = await hashlist(db, ['list', '--json']);
    expect(JSON.parse(list.out)).toEqual([
      expect.objectContaining({ name: 'other', version: 1, entries: 1 }),
      expect.objectContaining({
        name: 'vic',
        version: 2,
        entries: 1,
        importedBy: `cli:${userInfo().username}`,
      }),
    ]);
    expect((await hashlist(db, ['list'])).out).toMatch(/^other\tv1\t1 entries\tpositive\tcsv\t/);

    expect(await hashlist(db, ['remove', 'vic'])).toMatchObject({
      code: 0,
      out: 'removed vic (version 2)\n',
    });
    expect(await hashlist(db, ['remove', 'vic'])).toMatchObject({
      code: 2,
      err: 'conduit: name: no hash list vic\n',
    });
  });

  it('exits 3 for a file refused for its content, naming each line and field, and imports nothing', async () => {
    const { db, dir } = await setup();
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, `hash_type,hash,category\nmd5,xyz,\nsha1,${'a'.repeat(40)},1\n`);
    const r = await hashlist(db, ['import', csv, '--name', 'bad']);
    expect(r.code).toBe(3);
    expect(r.err).toBe(
      `conduit: ${csv}: line 2/hash: not a md5 hash\n` +
        `conduit: ${csv}: line 3/scheme: a category needs a scheme: add a scheme column or give --scheme\n` +
        `conduit: ${csv}: refused, nothing imported (2 problems)\n`,
    );
    expect((await hashlist(db, ['list', '--json'])).out).toBe('[]\n');
  });

  it('exits 2 for usage errors', async () => {
    const { db, dir } = await setup();
    expect((await hashlist(db, ['import', join(dir, 'x.csv')])).code).toBe(2); // no --name
    expect((await hashlist(db, ['import', join(dir, 'x.csv'), '--name', 'x', '--format', 'xml'])).code).toBe(
      2,
    );
    const missing = await hashlist(db, ['import', join(dir, 'missing.csv'), '--name', 'x']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/missing\.csv: ENOENT/);
    expect((await hashlist(db, ['import', join(dir, 'x.csv'), '--name', '../x'])).code).toBe(2);
  });
});
