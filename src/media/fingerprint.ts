import { createHash } from 'node:crypto';
import { pdqHashImage } from './decode.ts';

/** The largest image decoded for PDQ: hashing takes ~11 bytes a pixel, so 50 megapixels stays near 550 MB. */
export const MAX_PDQ_PIXELS = 50_000_000;

export interface Fingerprint {
  readonly size: number;
  readonly md5: string;
  readonly sha1: string;
  readonly sha256: string;
  /** The perceptual hash when the bytes are an image this decoder reads; why not otherwise. */
  readonly pdq:
    | {
        readonly ok: true;
        readonly hash: string;
        readonly quality: number;
        readonly dihedral?: Readonly<Record<string, string>>;
      }
    | { readonly ok: false; readonly code: string; readonly message: string };
}

/** Every hash of a file's bytes, in memory; the bytes are not kept or written anywhere. */
export async function fingerprint(
  bytes: Uint8Array,
  opts: { dihedral?: boolean } = {},
): Promise<Fingerprint> {
  const digest = (algorithm: string) => createHash(algorithm).update(bytes).digest('hex');
  const pdq = await pdqHashImage(bytes, { maxPixels: MAX_PDQ_PIXELS, dihedral: opts.dihedral ?? false });
  return {
    size: bytes.byteLength,
    md5: digest('md5'),
    sha1: digest('sha1'),
    sha256: digest('sha256'),
    pdq: pdq.ok
      ? {
          ok: true,
          hash: pdq.hash,
          quality: pdq.quality,
          ...(pdq.dihedral && { dihedral: pdq.dihedral }),
        }
      : { ok: false, code: pdq.code, message: pdq.message },
  };
}
