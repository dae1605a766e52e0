import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage, decodeImageFile, parsePnm, pdqHashImage, type DecodedImage } from './decode.ts';

const REFERENCE = new URL('../../../shared/reference/pdq/', import.meta.url).pathname;
const data = (p: string): string => join(REFERENCE, 'data', p);

async function decoded(bytes: Uint8Array): Promise<DecodedImage> {
  const d = await decodeImage(bytes);
  if (!d.ok) throw new Error(d.message);
  return d.image;
}

/** Every `step`-th pixel from (0,0): how the reference's decimated conformance vectors were cut. */
function decimate(img: DecodedImage, step: number): Uint8Array {
  const w = Math.ceil(img.width / step);
  const h = Math.ceil(img.height / step);
  const out = new Uint8Array(w * h * img.channels);
  let o = 0;
  for (let y = 0; y < img.height; y += step) {
    for (let x = 0; x < img.width; x += step) {
      const p = (y * img.width + x) * img.channels;
      for (let c = 0; c < img.channels; c++) out[o++] = img.data[p + c]!;
    }
  }
  return out;
}

describe('decodeImage', () => {
  it.each([
    ['misc-images/c.png', 'c-decim3-478x271.ppm', 3],
    ['reg-test-input/pen-and-coaster.png', 'pen-and-coaster-decim2-462x368.ppm', 2],
    ['misc-images/modes/L.png', 'modesL-decim4-400x251.pgm', 4],
  ])(
    'decodes %s to the exact samples the reference hashed (alpha dropped, ICC profile ignored)',
    async (file, pnm, step) => {
      const img = await decoded(readFileSync(data(file)));
      const expected = parsePnm(readFileSync(join(REFERENCE, 'conformance', pnm)))!;
      expect(img.channels).toBe(expected.channels);
      expect(Buffer.from(decimate(img, step)).equals(Buffer.from(expected.data))).toBe(true);
    },
  );

  it('keeps grey images grey, grey with alpha included, and gives RGB for palette, RGBA and CMYK', async () => {
    const channels = async (f: string): Promise<number> => (await decoded(readFileSync(data(f)))).channels;
    expect(await channels('misc-images/modes/L.png')).toBe(1);
    expect(await channels('misc-images/modes/LA.png')).toBe(1);
    expect(await channels('misc-images/modes/1.png')).toBe(1);
    for (const f of ['P.png', 'RGBA.png', 'CMYK.jpg', 'PA.webp', 'YCbCr.jpg']) {
      expect(await channels(`misc-images/modes/${f}`), f).toBe(3);
    }
  });

  it('reduces 16-bit samples to 8 bits', async () => {
    const raw = Buffer.alloc(40 * 30 * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 7) & 255;
    const png16 = await sharp(raw, { raw: { width: 40, height: 30, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const img = await decoded(png16);
    expect(img.channels).toBe(3);
    let worst = 0;
    for (let i = 0; i < raw.length; i++) worst = Math.max(worst, Math.abs(img.data[i]! - raw[i]!));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('applies the EXIF orientation (the pixels come out as displayed)', async () => {
    const tagged = await sharp(readFileSync(data('bridge-mods/square-128x128.jpg')))
      .resize(60, 40, { fit: 'fill' })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const img = await decoded(tagged);
    expect([img.width, img.height]).toEqual([40, 60]);
  });

  it.each([
    ['an empty file', new Uint8Array(0), 'malformed_input'],
    ['text', new TextEncoder().encode('hash,quality,filename\n'), 'unsupported_format'],
    ['random bytes', new Uint8Array(4096).map((_, i) => (i * 131) & 255), 'unsupported_format'],
  ] as const)('rejects %s with a clear error value', async (_what, bytes, code) => {
    const d = await decodeImage(bytes);
    expect(d).toMatchObject({ ok: false, code });
    if (!d.ok) expect(d.message.length).toBeGreaterThan(5);
  });

  it('rejects a truncated JPEG as malformed input instead of hashing a partial image', async () => {
    const jpeg = readFileSync(data('bridge-mods/aaa-orig.jpg'));
    const d = await decodeImage(jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    expect(d).toMatchObject({ ok: false, code: 'malformed_input' });
    if (!d.ok) expect(d.message).toMatch(/corrupt or truncated/);
  });

  it('rejects an image over the pixel limit as too large', async () => {
    const d = await decodeImage(readFileSync(data('bridge-mods/square-512x512.jpg')), { maxPixels: 1000 });
    expect(d).toMatchObject({ ok: false, code: 'too_large' });
  });

  it('reports a file that cannot be read as unreadable', async () => {
    expect(await decodeImageFile(data('no-such-file.jpg'))).toMatchObject({ ok: false, code: 'unreadable' });
  });

  it('decodes and hashes in one call', async () => {
    const r = await pdqHashImage(readFileSync(data('misc-images/c.png')));
    expect(r).toMatchObject({
      ok: true,
      hash: 'e64cc9d91c623882f8d1f1d9a398e78c9f199b3bd83924f2b7e11e0bf861b064',
      quality: 100,
      width: 1432,
      height: 812,
    });
  });
});

describe('parsePnm', () => {
  it('reads binary PGM and PPM with comments, and refuses anything else', () => {
    const ppm = new Uint8Array([...new TextEncoder().encode('P6\n# c\n2 1\n255\n'), 1, 2, 3, 4, 5, 6]);
    expect(parsePnm(ppm)).toMatchObject({ width: 2, height: 1, channels: 3 });
    expect(Array.from(parsePnm(ppm)!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parsePnm(new TextEncoder().encode('P3\n1 1\n255\n1 2 3\n'))).toBeNull();
    expect(parsePnm(ppm.subarray(0, ppm.length - 1))).toBeNull();
  });
});
