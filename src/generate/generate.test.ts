import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { parseCanonical } from '../intake/formats/canonical.ts';
import { generateScenario } from './generate.ts';
import { scenario } from './scenario.ts';
import type { GeneratedReport } from './truth.ts';
import { buildTruth } from './truth.ts';

const root = mkdtempSync(join(tmpdir(), 'conduit-generate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
function freshDir(): string {
  return join(root, `out-${++dirs}`, 'nested');
}

/** One digest over every file name and its bytes: equal digests mean byte-identical output. */
function digestOf(dir: string): string {
  const h = createHash('sha256');
  for (const name of readdirSync(dir).sort())
    h.update(name)
      .update('\0')
      .update(readFileSync(join(dir, name)));
  return h.digest('hex');
}

function inMemory(reports: number, seed: string): GeneratedReport[] {
  return [...scenario({ reports, seed })].filter((e): e is GeneratedReport => e.kind === 'report');
}

describe('generateScenario', () => {
  it('writes <stem>.report.xml and <stem>.<n>.fileDetails.xml per report, plus truth.json', async () => {
    const dir = freshDir();
    const result = await generateScenario({ reports: 120, seed: 'layout', outDir: dir, format: 'xml' });
    const names = readdirSync(dir).sort();
    const expected = inMemory(120, 'layout');
    const wanted = [
      'truth.json',
      ...expected.flatMap((r) => [
        `${r.stem}.report.xml`,
        ...r.doc.files.map((_, i) => `${r.stem}.${i + 1}.fileDetails.xml`),
      ]),
    ].sort();
    expect(names).toEqual(wanted);
    expect(result).toEqual({ reports: 120, files: wanted.length, truthPath: join(dir, 'truth.json') });
    for (const r of expected.slice(0, 10)) {
      r.doc.files.forEach((f, i) => {
        const xml = readFileSync(join(dir, `${r.stem}.${i + 1}.fileDetails.xml`), 'utf8');
        expect(xml).toContain(`<reportId>${r.reportId}</reportId>`);
        expect(xml).toContain(`<fileId>${f.fileId}</fileId>`);
      });
    }
  });

  it('is byte-identical for the same seed and differs for another', async () => {
    const a = freshDir();
    const b = freshDir();
    const c = freshDir();
    await generateScenario({ reports: 150, seed: 'same', outDir: a, format: 'xml' });
    await generateScenario({ reports: 150, seed: 'same', outDir: b, format: 'xml' });
    await generateScenario({ reports: 150, seed: 'other', outDir: c, format: 'xml' });
    expect(digestOf(a)).toBe(digestOf(b));
    expect(digestOf(a)).not.toBe(digestOf(c));
  });

  it('writes truth.json equal to the in-memory truth of the same scenario', async () => {
    const dir = freshDir();
    const now = new Date('2025-06-01T00:00:00Z');
    const { truthPath } = await generateScenario({
      reports: 300,
      seed: 'truth',
      outDir: dir,
      format: 'ndjson',
      now,
    });
    const onDisk: unknown = JSON.parse(readFileSync(truthPath, 'utf8'));
    expect(onDisk).toEqual(buildTruth(scenario({ reports: 300, seed: 'truth', now })));
  });

  it('marks a hard scenario in truth.json, and only a hard one', async () => {
    const hard = freshDir();
    const easy = freshDir();
    const { truthPath } = await generateScenario({
      reports: 200,
      seed: 'hard',
      outDir: hard,
      format: 'ndjson',
      difficulty: 'hard',
    });
    const onDisk: unknown = JSON.parse(readFileSync(truthPath, 'utf8'));
    expect(onDisk).toEqual(buildTruth(scenario({ reports: 200, seed: 'hard', difficulty: 'hard' })));
    expect(onDisk).toMatchObject({ difficulty: 'hard' });
    const plain = await generateScenario({
      reports: 200,
      seed: 'hard',
      outDir: easy,
      format: 'ndjson',
      difficulty: 'easy',
    });
    expect(readFileSync(plain.truthPath, 'utf8')).not.toContain('"difficulty"');
  });

  it('writes geolocatable addresses with geoIps, byte-identical for the same seed', async () => {
    const a = freshDir();
    const b = freshDir();
    const { truthPath } = await generateScenario({
      reports: 120,
      seed: 'geo',
      outDir: a,
      format: 'ndjson',
      geoIps: true,
    });
    await generateScenario({ reports: 120, seed: 'geo', outDir: b, format: 'ndjson', geoIps: true });
    expect(digestOf(a)).toBe(digestOf(b));
    const onDisk: unknown = JSON.parse(readFileSync(truthPath, 'utf8'));
    expect(onDisk).toEqual(buildTruth(scenario({ reports: 120, seed: 'geo', geoIps: true })));
    expect(readFileSync(join(a, 'referrals.ndjson'), 'utf8')).not.toContain('2001:db8:');
  });

  it('writes canonical JSON, one <stem>.referral.json per report with sourceRef = stem', async () => {
    const dir = freshDir();
    const result = await generateScenario({ reports: 40, seed: 'json', outDir: dir, format: 'json' });
    expect(result.files).toBe(41);
    for (const r of inMemory(40, 'json')) {
      const doc: unknown = JSON.parse(readFileSync(join(dir, `${r.stem}.referral.json`), 'utf8'));
      expect(doc).toEqual(JSON.parse(JSON.stringify(r.doc)));
      expect(doc).toMatchObject({ sourceRef: r.stem });
      // What Conduit's own canonical-JSON intake makes of it is the very same document.
      const parsed = parseCanonical(doc);
      expect(parsed.ok && JSON.parse(JSON.stringify(parsed.value))).toEqual(doc);
    }
  });

  it('writes NDJSON, one referral per line in report order', async () => {
    const dir = freshDir();
    const result = await generateScenario({ reports: 40, seed: 'ndjson', outDir: dir, format: 'ndjson' });
    expect(result.files).toBe(2);
    const lines = readFileSync(join(dir, 'referrals.ndjson'), 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(
      inMemory(40, 'ndjson').map((r) => JSON.parse(JSON.stringify(r.doc)) as unknown),
    );
  });

  it('writes an empty scenario as a truth.json alone', async () => {
    const dir = freshDir();
    const result = await generateScenario({ reports: 0, seed: 'none', outDir: dir, format: 'xml' });
    expect(result.files).toBe(1);
    expect(JSON.parse(readFileSync(result.truthPath, 'utf8'))).toMatchObject({
      reports: 0,
      persons: [],
      expectedPriority: {},
    });
  });

  it('fails cleanly when the output cannot be written', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    await expect(generateScenario({ reports: 5, seed: 's', outDir: file, format: 'xml' })).rejects.toThrow();
    await expect(
      generateScenario({ reports: -1, seed: 's', outDir: freshDir(), format: 'xml' }),
    ).rejects.toThrow(RangeError);
    // A failure inside the writer thread: a directory where a report file should go.
    const dir = freshDir();
    mkdirSync(join(dir, 'ctr-000003.report.xml'), { recursive: true });
    await expect(generateScenario({ reports: 5, seed: 's', outDir: dir, format: 'xml' })).rejects.toThrow(
      /EISDIR/,
    );
  });
});
