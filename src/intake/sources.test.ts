import { chmodSync, copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { readUnits, type Unit } from './sources.ts';

const EXAMPLES = new URL('../../../shared/reference/cybertipline/examples/', import.meta.url).pathname;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'conduit-sources-'));
  dirs.push(d);
  return d;
}

async function collect(
  paths: string[],
  maxBytes = 1_000_000,
  stdin: Readable = Readable.from([]),
): Promise<Unit[]> {
  const out: Unit[] = [];
  for await (const u of readUnits(paths, { maxBytes, stdin })) out.push(u);
  return out;
}

describe('reading inputs', () => {
  it('gives file details to their own report even when stems end in .<digits>', async () => {
    const dir = tempDir();
    const report = join(EXAMPLES, 'example-02-webpage-upload.report.xml');
    const details = join(EXAMPLES, 'example-02-webpage-upload.fileDetails.xml');
    copyFileSync(report, join(dir, 'tip.report.xml'));
    copyFileSync(report, join(dir, 'tip.12345.report.xml'));
    copyFileSync(details, join(dir, 'tip.12345.fileDetails.xml'));
    copyFileSync(details, join(dir, 'tip.12345.2.fileDetails.xml'));
    copyFileSync(details, join(dir, 'tip.1.fileDetails.xml'));
    copyFileSync(details, join(dir, 'ghost.1.fileDetails.xml'));
    const units = await collect([dir]);
    const summary = units.map((u) =>
      u.kind === 'cybertipline'
        ? `${u.stem}:${u.fileDetails.length}`
        : `${u.kind}:${u.input.split('/').pop()}`,
    );
    expect(summary.sort()).toEqual(['error:ghost.1.fileDetails.xml', 'tip.12345:2', 'tip:1'].sort());
  });

  it('reports an unreadable file and goes on with the rest', async () => {
    if (process.getuid?.() === 0) {
      // root reads anything: use a dangling link instead, which fails the same way.
      const dir = tempDir();
      symlinkSync(join(dir, 'missing-target.xml'), join(dir, 'a.report.xml'));
      copyFileSync(join(EXAMPLES, 'example-01-chatim-enticement.report.xml'), join(dir, 'b.report.xml'));
      const units = await collect([dir]);
      expect(units.map((u) => u.kind)).toEqual(['error', 'cybertipline']);
      expect(units[0]).toMatchObject({ problem: { code: 'unreadable' } });
      return;
    }
    const dir = tempDir();
    writeFileSync(join(dir, 'a.report.xml'), '<report/>');
    chmodSync(join(dir, 'a.report.xml'), 0o000);
    const units = await collect([dir]);
    expect(units[0]).toMatchObject({ kind: 'error', problem: { code: 'unreadable' } });
  });

  it('skips an over-long NDJSON line without holding it, and keeps reading', async () => {
    const dir = tempDir();
    const file = join(dir, 'x.ndjson');
    writeFileSync(file, `{"a":1}\n{"b":"${'x'.repeat(5000)}"}\r\n\n{"c":3}`);
    const units = await collect([file], 100);
    expect(
      units.map((u) => (u.kind === 'json' ? u.bytes.toString() : u.kind === 'error' ? u.problem.code : '?')),
    ).toEqual(['{"a":1}', 'too_large', '{"c":3}']);
  });

  it('streams NDJSON from stdin however long it is', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `{"n":${i}}`).join('\n');
    // Chunks smaller than a line, and far more input in total than one document may be.
    const chunks = lines.match(/[\s\S]{1,7}/g) ?? [];
    const units = await collect(['-'], 64, Readable.from(chunks.map((c) => Buffer.from(c))));
    expect(units).toHaveLength(2000);
    expect(units.every((u) => u.kind === 'json')).toBe(true);
  });

  it('reads one pretty-printed JSON document from stdin, bounded by the size limit', async () => {
    const doc = JSON.stringify({ a: 1, b: [1, 2] }, null, 2);
    const [one] = await collect(['-'], 1000, Readable.from([Buffer.from(doc)]));
    expect(one).toMatchObject({ kind: 'json' });
    const [big] = await collect(['-'], 10, Readable.from([Buffer.from(doc)]));
    expect(big).toMatchObject({ kind: 'error', problem: { code: 'too_large' } });
  });
});
