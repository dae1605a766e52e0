import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Command } from 'commander';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashCommand } from '../src/cli/hash.ts';
import type { CommandContext } from '../src/cli/cli.ts';
import { decodeImage, decodeImageFile } from '../src/media/decode.ts';
import { pdqDistance, pdqHash, type PdqResult } from '../src/media/pdq.ts';

/**
 * Decoded photos against Meta's published hashes (../shared/reference/pdq/README.md, "How to compare"):
 * through a codec the comparison is by Hamming distance, against the same family of reference values.
 */
const REFERENCE = new URL('../../shared/reference/pdq/', import.meta.url).pathname;
const data = (p: string): string => join(REFERENCE, 'data', p);

type Family = 'pre-resize' | 'no-pre-resize';
/** Producers whose hashes include the C++ CLI's 512×512 pre-resize; every other producer hashes full size. */
const PRE_RESIZE_PRODUCERS = new Set([
  'cpp_cimg_hex_A',
  'cpp_cimg_readme_A',
  'cpp_java_readme_A',
  'wasm_imagemagick_csv',
  'cpp_core_exact_png_pixels',
]);
/**
 * Known exceptions to the 10-bit rule, pinned: the only pre-resize values published for these two are the
 * older C++ CLI's (`cpp_cimg_*_A`), 12 bits from ours, while our pre-resize matches the current C++ exactly
 * (conformance vectors, PNG pixels) and our decode matches that same CLI's `--int64` run (0 bits, no
 * pre-resize). Meta's own published values for one file differ by up to 12 bits (README).
 */
const KNOWN_WIDER: Readonly<Record<string, number>> = {
  'pre-resize reg-test-input/dih/bridge-2-rotate-90.jpg': 12,
  'pre-resize reg-test-input/dih/bridge-6-flipy.jpg': 12,
};
/** Producers that hashed the exact decoded PNG samples: a lossless decode must match them bit for bit. */
const EXACT_PRODUCERS = new Set(['cpp_core_exact_png_pixels', 'pdq_core_no_preresize']);

interface Published {
  readonly file: string;
  readonly producer: string;
  readonly hash: string;
  readonly family: Family;
}

const published: Published[] = readFileSync(join(REFERENCE, 'expected-hashes.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [file = '', producer = '', hash = ''] = line.split(',');
    return {
      file,
      producer,
      hash,
      family: PRE_RESIZE_PRODUCERS.has(producer) ? 'pre-resize' : 'no-pre-resize',
    };
  });
// Listed upstream but not in the snapshot (README: exif-rotn omitted for size, misc-images/b.jpg removed).
const files = [...new Set(published.map((p) => p.file))].filter((f) => existsSync(data(f)));

const ours = new Map<string, Record<Family, PdqResult>>();
beforeAll(async () => {
  for (const f of files) {
    const d = await decodeImageFile(data(f));
    if (!d.ok) throw new Error(`${f}: ${d.message}`);
    ours.set(f, {
      'no-pre-resize': pdqHash(d.image),
      'pre-resize': pdqHash(d.image, { preResize512: true }),
    });
  }
});

describe('PDQ of the reference photos', () => {
  it('covers the photos of the snapshot', () => {
    expect(files.length).toBeGreaterThanOrEqual(35);
  });

  for (const family of ['no-pre-resize', 'pre-resize'] as const) {
    it(`quality ≥ 80: within 10 bits of the closest published ${family} hash, 16 of every one`, () => {
      let compared = 0;
      for (const f of files) {
        const mine = ours.get(f)![family];
        if (mine.quality < 80) continue;
        const refs = published.filter((p) => p.file === f && p.family === family);
        if (refs.length === 0) continue;
        const distances = refs.map((p) => pdqDistance(mine.hash, p.hash));
        const limit = KNOWN_WIDER[`${family} ${f}`] ?? 10;
        expect(
          Math.min(...distances),
          `${f} vs ${refs.map((r) => r.producer).join(' ')}`,
        ).toBeLessThanOrEqual(limit);
        expect(Math.max(...distances), f).toBeLessThanOrEqual(16);
        compared++;
      }
      expect(compared).toBeGreaterThanOrEqual(family === 'no-pre-resize' ? 30 : 25);
    });
  }

  it('PNGs decode losslessly, so they match the hashes of their exact pixels bit for bit, in both families', () => {
    const exact = published.filter((p) => EXACT_PRODUCERS.has(p.producer) && files.includes(p.file));
    expect(exact.length).toBeGreaterThanOrEqual(14);
    for (const p of exact) expect(ours.get(p.file)![p.family].hash, `${p.file} ${p.producer}`).toBe(p.hash);
  });

  it('gives the reference qualities: 100 for photos, 3 and 4 for the low-detail thumbnails, 0 when flat', () => {
    const q = (f: string): number => ours.get(f)!['no-pre-resize'].quality;
    expect(q('reg-test-input/labelme-subset/q0003.jpg')).toBe(3);
    expect(q('reg-test-input/labelme-subset/q0004.jpg')).toBe(4);
    expect(q('misc-images/small.jpg')).toBe(0);
    expect(q('reg-test-input/dih/bridge-1-original.jpg')).toBe(100);
    expect(q('misc-images/c.png')).toBe(100);
  });

  it('hashes the 34×42 wee.jpg like the reference', () => {
    const wee = ours.get('misc-images/wee.jpg')!['no-pre-resize'];
    expect(wee.quality).toBe(100);
    expect(pdqDistance(wee.hash, '6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d')).toBe(0);
  });
});

describe('PDQ is robust to edits and re-encodings of the bridge photo', () => {
  const edits = [
    ...readdirSync(data('bridge-mods')).map((f) => `bridge-mods/${f}`),
    ...readdirSync(data('misc-images/modes')).map((f) => `misc-images/modes/${f}`),
  ];
  it.each(edits)('%s is within 31 bits of the original', async (f) => {
    const original = await decodeImageFile(data('bridge-mods/aaa-orig.jpg'));
    const edited = await decodeImageFile(data(f));
    if (!original.ok || !edited.ok) throw new Error(`${f}: cannot decode`);
    const r = pdqHash(edited.image);
    expect(pdqDistance(r.hash, pdqHash(original.image).hash)).toBeLessThanOrEqual(31);
    expect(r.quality).toBeGreaterThanOrEqual(80);
  });
});

describe('EXIF orientation', () => {
  // EXIF orientation → the reference's file holding the displayed pixels (its rotations are anticlockwise;
  // its flipx mirrors top-bottom, flipy left-right).
  const displayedAs: Record<number, string> = {
    1: 'bridge-1-original.jpg',
    2: 'bridge-6-flipy.jpg',
    3: 'bridge-3-rotate-180.jpg',
    4: 'bridge-5-flipx.jpg',
    5: 'bridge-7-flip-plus-1.jpg',
    6: 'bridge-4-rotate-270.jpg',
    7: 'bridge-8-flip-minus-1.jpg',
    8: 'bridge-2-rotate-90.jpg',
  };
  it.each(Object.entries(displayedAs))('orientation %s hashes like %s', async (orientation, file) => {
    const original = readFileSync(data('reg-test-input/dih/bridge-1-original.jpg'));
    const tagged = await sharp(original)
      .withMetadata({ orientation: Number(orientation) })
      .jpeg({ quality: 95 })
      .toBuffer(); // in memory only
    const d = await decodeImage(tagged);
    const rotated = await decodeImageFile(data(`reg-test-input/dih/${file}`));
    if (!d.ok || !rotated.ok) throw new Error('cannot decode');
    expect([d.image.width, d.image.height]).toEqual([rotated.image.width, rotated.image.height]);
    expect(pdqDistance(pdqHash(d.image).hash, pdqHash(rotated.image).hash)).toBeLessThanOrEqual(10);
  });
});

describe('corrupt input', () => {
  it('a truncated JPEG gives a clear error value, not a hash of half a photo', async () => {
    const jpeg = readFileSync(data('reg-test-input/dih/bridge-2-rotate-90.jpg'));
    const d = await decodeImage(jpeg.subarray(0, jpeg.length - 20_000));
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.code).toBe('malformed_input');
      expect(d.message).toMatch(/^corrupt or truncated image: /);
    }
  });
});

describe('conduit hash', () => {
  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let [code, out, err] = [0, '', ''];
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    const noDatabase = (): Promise<never> => Promise.reject(new Error('conduit hash needs no database'));
    const ctx: CommandContext = {
      env: {},
      stdin: Readable.from([]),
      stdout,
      stderr,
      openApp: noDatabase,
      app: noDatabase,
      operator: { principal: { kind: 'operator', name: 'test' }, requestId: null },
      exit: (c) => (code = c),
    };
    const program = new Command('conduit').exitOverride();
    hashCommand(program, ctx);
    await program.parseAsync(['hash', ...args], { from: 'user' });
    return { code, out, err };
  }

  it("prints hash,quality,filename like Meta's hasher, names a file it cannot hash and exits 3", async () => {
    const wee = data('misc-images/wee.jpg');
    const text = data('reg-test-input/needles.txt');
    const r = await run([wee, text, data('misc-images/small.jpg')]);
    expect(r.out.split('\n')).toEqual([
      `6227401f601ff4ccafcc9fad4b0d95d371a2eb7265a3285234d228ca94deeb2d,100,${wee}`,
      `0007001f003f003f007f00ff00ff00ff01ff01ff01ff03ff03ff03ff03ff03ff,0,${data('misc-images/small.jpg')}`,
      '',
    ]);
    expect(r.err).toBe(`conduit: ${text}: not an image format this decoder knows\n`);
    expect(r.code).toBe(3);
  });

  it('with --pre-resize --dihedral --json prints one document with the 8 hashes', async () => {
    const c = data('misc-images/c.png');
    const r = await run(['--pre-resize', '--dihedral', '--json', c]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as {
      results: { hash: string; quality: number; dihedral: Record<string, string> }[];
    };
    expect(doc.results[0]).toMatchObject({
      hash: 'e4cc89d91c623842f8d1f1d9a398e78c9f199a3bf87925f2b7e11e0bf061b064',
    });
    expect(Object.keys(doc.results[0]!.dihedral)).toHaveLength(8);
  });
});
