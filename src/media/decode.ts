/**
 * Image bytes → 8-bit pixels for hashing, with sharp (libvips). Nothing is written to disk; the bytes and
 * pixels live only in memory for the duration of the call.
 *
 * Decisions (the reference family is Meta's HMA / python-threatexchange, which hashes what PIL decodes):
 * - **EXIF orientation is applied** (sharp `.autoOrient()`): the hash is of the image as displayed. PIL, the C++
 *   CLI (CImg) and HMA ignore the tag, so for a file whose orientation is not 1 the reference hash is that of
 *   the stored pixels; it equals one of our dihedral hashes (`pdqHash(..., { dihedral: true })`), so matching
 *   with dihedrals still finds it.
 * - **Alpha is dropped, not composited**: the colour under the alpha channel is hashed, as PIL's
 *   `convert('RGB')`, the C++ CLI (first three channels) and pdqhash-python (alpha ignored) do.
 * - **Embedded ICC profiles are ignored** (`ignoreIcc`): the stored samples are hashed, as PIL and CImg do.
 *   sharp would otherwise convert them to sRGB, which moved the hash of the reference's pen-and-coaster.png
 *   by 2 bits; with the samples as stored it matches the reference exactly.
 * - **Grey stays grey** (one channel, luminance = the grey value, as the C++ reference's grey path); grey
 *   with alpha loses its alpha; 1-bit images become 0/255 grey.
 * - **Palette, CMYK, Lab, 16-bit and other colour spaces** are converted by libvips to 8-bit sRGB (CMYK
 *   through its ICC profile, or libvips' default CMYK profile), which may differ slightly from PIL's naive
 *   CMYK conversion: a few bits of the hash, far inside the matching distance.
 * - Multi-page images (GIF, TIFF, HEIF): the first page.
 * - Truncated or corrupt data is an error (`failOn: 'warning'`), not a partial image.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { ErrorCode } from '../domain/errors.ts';
import { pdqHash, type PdqOptions, type PdqPixels, type PdqResult } from './pdq.ts';

export interface DecodedImage extends PdqPixels {
  readonly channels: 1 | 3;
  readonly data: Uint8Array;
  /** The container format sharp recognised (jpeg, png, webp, gif, tiff, heif, …). */
  readonly format: string;
}

export type DecodeErrorCode = Extract<
  ErrorCode,
  'unsupported_format' | 'malformed_input' | 'too_large' | 'unreadable'
>;

export interface DecodeFailure {
  readonly ok: false;
  readonly code: DecodeErrorCode;
  readonly message: string;
}

export type Decoded = { readonly ok: true; readonly image: DecodedImage } | DecodeFailure;

export interface DecodeOptions {
  /** Largest image accepted, in pixels (width × height). Default: sharp's 268,402,689 (16383²). */
  readonly maxPixels?: number;
}

/** Decodes an image held in memory. Expected failures are values; only bugs throw. */
export async function decodeImage(bytes: Uint8Array, opts: DecodeOptions = {}): Promise<Decoded> {
  if (bytes.length === 0) return failure('malformed_input', 'empty file');
  try {
    const input = sharp(bytes, {
      failOn: 'warning',
      ignoreIcc: true,
      limitInputPixels: opts.maxPixels ?? 268_402_689,
      sequentialRead: true,
    });
    const meta = await input.metadata();
    const grey = meta.space === 'b-w' || meta.space === 'grey16';
    const { data, info } = await input
      .autoOrient()
      .toColourspace(grey ? 'b-w' : 'srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 1 && info.channels !== 3) {
      return failure('unsupported_format', `unexpected ${info.channels}-channel image after conversion`);
    }
    const image: DecodedImage = {
      width: info.width,
      height: info.height,
      channels: info.channels,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      format: meta.format,
    };
    return { ok: true, image };
  } catch (e) {
    return classify(e);
  }
}

/** Reads a file and decodes it; a file that cannot be read is `unreadable`. */
export async function decodeImageFile(path: string, opts: DecodeOptions = {}): Promise<Decoded> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return failure('unreadable', `cannot read the file (${code})`);
  }
  return decodeImage(bytes, opts);
}

export type PdqOfImage =
  ({ readonly ok: true } & PdqResult & { readonly width: number; readonly height: number }) | DecodeFailure;

/** Decode then PDQ-hash: the one call the CLI, the API and the pipeline need. */
export async function pdqHashImage(
  bytes: Uint8Array,
  opts: PdqOptions & DecodeOptions = {},
): Promise<PdqOfImage> {
  const d = await decodeImage(bytes, opts);
  if (!d.ok) return d;
  const r = pdqHash(d.image, opts);
  return { ok: true, ...r, width: d.image.width, height: d.image.height };
}

function failure(code: DecodeErrorCode, message: string): DecodeFailure {
  return { ok: false, code, message };
}

/** Maps libvips/sharp error messages to the closed codes; the message is kept, shortened to one line. */
function classify(e: unknown): DecodeFailure {
  const raw = e instanceof Error ? e.message : String(e);
  const message = raw.split('\n')[0]?.trim() ?? raw;
  if (/unsupported image format|unsupported format|is not a known|no loader/i.test(raw)) {
    return failure('unsupported_format', 'not an image format this decoder knows');
  }
  if (/pixel limit|exceeds.*limit|too large/i.test(raw)) return failure('too_large', message);
  return failure('malformed_input', `corrupt or truncated image: ${message}`);
}

/**
 * A binary PGM (P5) or PPM (P6) with maxval 255 → pixels, exactly as stored (no codec involved): the
 * conformance vectors are in this format. Returns null for anything else.
 */
export function parsePnm(bytes: Uint8Array): PdqPixels | null {
  let pos = 0;
  const token = (): string | null => {
    for (;;) {
      while (pos < bytes.length && isSpace(bytes[pos]!)) pos++;
      if (bytes[pos] !== 0x23) break; // '#' comment to end of line
      while (pos < bytes.length && bytes[pos] !== 0x0a) pos++;
    }
    const start = pos;
    while (pos < bytes.length && !isSpace(bytes[pos]!)) pos++;
    return pos > start ? String.fromCharCode(...bytes.subarray(start, pos)) : null;
  };
  const magic = token();
  if (magic !== 'P5' && magic !== 'P6') return null;
  const width = Number(token());
  const height = Number(token());
  const maxval = Number(token());
  if (!Number.isInteger(width) || !Number.isInteger(height) || maxval !== 255) return null;
  pos++; // exactly one whitespace byte before the samples
  const channels = magic === 'P5' ? 1 : 3;
  const data = bytes.subarray(pos, pos + width * height * channels);
  if (data.length !== width * height * channels) return null;
  return { width, height, channels, data };
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}
