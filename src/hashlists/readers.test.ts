import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { mapCategory } from './categories.ts';
import { readCsv } from './csv.ts';
import type { ListEntry, ReadItem } from './entry.ts';
import { readVics } from './vics.ts';

const VICS = join(import.meta.dirname, '../../../shared/reference/vics');
const text = (s: string) => Readable.from([Buffer.from(s)]);
/** Split into tiny chunks, so tokens and rows straddle chunk boundaries. */
const chunked = (s: string, n = 7) =>
  Readable.from(
    Array.from({ length: Math.ceil(s.length / n) }, (_, i) => Buffer.from(s.slice(i * n, i * n + n))),
  );

async function all(items: AsyncIterable<ReadItem>) {
  const entries: ListEntry[] = [];
  const problems: { path: string; message: string }[] = [];
  const skipped: string[] = [];
  const ignored: string[] = [];
  for await (const i of items) {
    if (i.kind === 'entry') entries.push(i.entry);
    else if (i.kind === 'problem') problems.push({ path: i.problem.path, message: i.problem.message });
    else if (i.kind === 'skipped') skipped.push(i.reason);
    else ignored.push(i.what);
  }
  return { entries, problems, skipped, ignored };
}

describe('categories', () => {
  it('maps each scheme to the internal scale and never turns an unknown code into non-pertinent', () => {
    expect(['0', '1', '2', '3', '4'].map((c) => mapCategory('vics-us', c))).toEqual([
      'non-pertinent',
      'illegal',
      'exploitive',
      'animated',
      'comparison',
    ]);
    expect(mapCategory('vics-us', null)).toBe('uncategorised');
    expect(mapCategory('vics-us', '9')).toBe('uncategorised');
    expect(['a1', 'A2', 'B1', 'B2'].map((c) => mapCategory('industry', c))).toEqual(Array(4).fill('illegal'));
    expect(['A', 'B', 'C'].map((c) => mapCategory('uk', c))).toEqual(Array(3).fill('illegal'));
    expect(mapCategory('uk', 'D')).toBe('uncategorised');
    expect(mapCategory('dhs', 'CAT-0')).toBe('uncategorised');
    expect(mapCategory('dhs', '5')).toBe('non-pertinent');
    expect(mapCategory('vics-uk', '0')).toBe('uncategorised');
  });
});

describe('VICS reader', () => {
  it('reads the 1.3 sample: lower-cased hashes, string flags parsed, PhotoDNA counted and ignored', async () => {
    const r = await all(readVics(createReadStream(join(VICS, 'sample-vics-1.3-hashset.synthetic.json'))));
    expect(r.problems).toEqual([]);
    expect(r.ignored).toEqual(['PhotoDNA']);
    expect(r.entries).toHaveLength(3);
    expect(r.entries[0]).toEqual({
      entry: '900001',
      md5: '1d106e82ea827780749c7204fe40066a',
      sha1: '402ab023080b5ce154cf3d855457ee951781d6af',
      sha256: null,
      pdq: null,
      pdqQuality: null,
      category: 'illegal',
      sourceScheme: 'vics-us',
      sourceCode: '1',
      series: 'SYNTHETIC-SERIES-A',
      victimIdentified: true,
    });
    expect(r.entries[1]).toMatchObject({ category: 'exploitive', victimIdentified: false, series: null });
    expect(r.entries[2]).toMatchObject({
      category: 'non-pertinent',
      sourceCode: '0',
      victimIdentified: null,
    });
  });

  it('reads the 2.0 US hash set', async () => {
    const r = await all(readVics(createReadStream(join(VICS, 'sample-vics-2.0-US-hashset.synthetic.json'))));
    expect(r.problems).toEqual([]);
    expect(r.ignored).toEqual(['PhotoDNA']);
    expect(r.entries.map((e) => [e.entry, e.category, e.victimIdentified])).toEqual([
      ['910001', 'illegal', true],
      ['910002', 'animated', null],
    ]);
  });

  it('reads the Media nested in a 2.0 case export; a null category is uncategorised', async () => {
    const r = await all(readVics(createReadStream(join(VICS, 'sample-vics-2.0-US-case.synthetic.json'))));
    expect(r.problems).toEqual([]);
    expect(r.entries.map((e) => [e.md5?.slice(0, 6), e.category, e.sourceCode])).toEqual([
      ['1d106e', 'non-pertinent', '0'],
      ['a2b4c6', 'uncategorised', null],
      ['5a593c', 'comparison', '4'],
    ]);
  });

  it('drops a BOM, takes JSON booleans, PDQ and SHA1 from AlternativeHashes, and keeps a UK code uncategorised', async () => {
    const pdq = 'f'.repeat(64);
    const doc = `\uFEFF${JSON.stringify({
      '@odata.context': 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media',
      value: [
        {
          MediaID: 7,
          Category: '2',
          VictimIdentified: false,
          AlternativeHashes: [
            { HashName: 'PDQ', HashValue: pdq.toUpperCase() },
            { HashName: 'SHA1', HashValue: 'A'.repeat(40) },
          ],
        },
        { MediaID: 8, PhotoDNA: 'abc' },
      ],
    })}`;
    const r = await all(readVics(chunked(doc)));
    expect(r.problems).toEqual([]);
    expect(r.entries).toEqual([
      expect.objectContaining({
        entry: '7',
        pdq,
        sha1: 'a'.repeat(40),
        md5: null,
        category: 'uncategorised',
        sourceScheme: 'vics-uk',
        sourceCode: '2',
        victimIdentified: false,
      }),
    ]);
    expect(r.skipped).toEqual(['PhotoDNA only']);
  });

  it('names the field of every bad value', async () => {
    const doc = JSON.stringify({
      'odata.metadata': 'http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media',
      value: [
        { MediaID: 1, MD5: 'xyz', VictimIdentified: 'maybe' },
        { MediaID: 2, MD5: 'a'.repeat(32), Category: { no: 1 } },
      ],
    });
    const r = await all(readVics(text(doc)));
    expect(r.problems.map((p) => p.path)).toEqual([
      '/value/0/MD5',
      '/value/0/VictimIdentified',
      '/value/1/Category',
    ]);
    expect(r.entries).toEqual([]);
  });

  it('refuses JSON that is not VICS, and broken JSON', async () => {
    expect((await all(readVics(text('{"value":[]}')))).problems[0]?.path).toBe('/value');
    expect((await all(readVics(text('{"odata.metadata":"http://example.org/x"}')))).problems[0]?.path).toBe(
      '/odata.metadata',
    );
    const broken = await all(
      readVics(
        text(
          '{"odata.metadata":"http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media","value":[{"MD5":',
        ),
      ),
    );
    expect(broken.problems[0]?.message).toMatch(/not valid JSON/);
  });
});

describe('CSV reader', () => {
  it('reads the documented header in any order, with a BOM, quoting and an id column', async () => {
    const csv =
      '\uFEFFhash,hash_type,category,scheme,series,victim_identified,id\n' +
      `${'A'.repeat(32)},md5,1,vics-us,"Series, one",yes,x-1\n\n` +
      `${'b'.repeat(64)},sha256,A1,industry,,,\n` +
      `${'c'.repeat(64)},pdq,,,,false,\n`;
    const r = await all(readCsv(chunked(csv, 5)));
    expect(r.problems).toEqual([]);
    expect(r.entries).toEqual([
      expect.objectContaining({
        entry: 'x-1',
        md5: 'a'.repeat(32),
        category: 'illegal',
        series: 'Series, one',
        victimIdentified: true,
      }),
      expect.objectContaining({
        entry: '4',
        sha256: 'b'.repeat(64),
        category: 'illegal',
        sourceCode: 'A1',
        sourceScheme: 'industry',
      }),
      expect.objectContaining({
        entry: '5',
        pdq: 'c'.repeat(64),
        category: 'uncategorised',
        sourceCode: null,
        victimIdentified: false,
      }),
    ]);
  });

  it('uses the import’s scheme when the file has no scheme column', async () => {
    const r = await all(
      readCsv(text(`hash_type,hash,category\nsha1,${'d'.repeat(40)},B\n`), { scheme: 'uk' }),
    );
    expect(r.entries[0]).toMatchObject({ category: 'illegal', sourceScheme: 'uk', sourceCode: 'B' });
  });

  it('reports every bad row by line and field', async () => {
    const csv =
      'hash_type,hash,category,victim_identified\n' +
      `md5,${'a'.repeat(31)},,\n` +
      `crc32,${'a'.repeat(8)},,\n` +
      `sha1,${'a'.repeat(40)},1,\n` +
      `md5,${'a'.repeat(32)},,perhaps\n` +
      'md5,too,few\n';
    const r = await all(readCsv(text(csv)));
    expect(r.problems.map((p) => p.path)).toEqual([
      'line 2/hash',
      'line 3/hash_type',
      'line 4/scheme',
      'line 5/victim_identified',
      'line 6',
    ]);
  });

  it('refuses an unknown or incomplete header', async () => {
    const r = await all(readCsv(text('hash_type,hash,categry\n')));
    expect(r.problems.map((p) => p.path)).toEqual(['line 1/categry', 'line 1/category']);
  });
});
