import type { Command } from 'commander';
import { decodeImageFile, type DecodeFailure } from '../media/decode.ts';
import { pdqHash, PDQ_DIHEDRAL_NAMES, type PdqResult } from '../media/pdq.ts';
import { EXIT, type CommandContext } from './cli.ts';

/** Files decoded ahead of the one being printed (decoding runs on libvips threads). */
const IN_FLIGHT = 4;

/**
 * `conduit hash <image…>`: PDQ hashes printed as `hash,quality,filename`, the layout of Meta's
 * `pdq-photo-hasher`. With `--dihedral`, the 8 dihedral hashes (original, rotate90, rotate180, rotate270,
 * flipX, flipY, flipPlus1, flipMinus1) replace the one hash: `h1,…,h8,quality,filename`. A file that cannot
 * be decoded is named on stderr and the others are still printed; the exit code is then 3.
 * Needs no database: nothing is stored, and the image bytes only live in memory while hashed.
 */
export function hashCommand(program: Command, ctx: CommandContext): void {
  program
    .command('hash')
    .description('print the PDQ hash and quality of images (hash,quality,filename)')
    .argument('<image...>', 'image files (JPEG, PNG, WebP, GIF, TIFF, HEIF, …)')
    .option('--pre-resize', "resize to 512×512 first, as Meta's C++ pdq-photo-hasher does")
    .option('--dihedral', 'print the 8 rotated/flipped hashes instead of one')
    .option('--json', 'print one JSON document')
    .action(async (files: string[], opts: { preResize?: boolean; dihedral?: boolean; json?: boolean }) => {
      const hashOpts = { preResize512: opts.preResize === true, dihedral: opts.dihedral === true };
      const results: { file: string; hash: string; quality: number; dihedral?: PdqResult['dihedral'] }[] = [];
      const errors: { file: string; code: DecodeFailure['code']; message: string }[] = [];
      const pending = files.map(() => null as ReturnType<typeof decodeImageFile> | null);
      const start = (i: number): void => {
        if (i < files.length) pending[i] = decodeImageFile(files[i]!);
      };
      for (let i = 0; i < IN_FLIGHT; i++) start(i);
      for (let i = 0; i < files.length; i++) {
        const file = files[i]!;
        const decoded = await pending[i]!;
        pending[i] = null;
        start(i + IN_FLIGHT);
        if (!decoded.ok) {
          errors.push({ file, code: decoded.code, message: decoded.message });
          ctx.stderr.write(`conduit: ${file}: ${decoded.message}\n`);
          continue;
        }
        const r = pdqHash(decoded.image, hashOpts);
        if (opts.json === true) {
          results.push({
            file,
            hash: r.hash,
            quality: r.quality,
            ...(r.dihedral ? { dihedral: r.dihedral } : {}),
          });
        } else {
          const hashes = r.dihedral ? PDQ_DIHEDRAL_NAMES.map((n) => r.dihedral![n]).join(',') : r.hash;
          ctx.stdout.write(`${hashes},${r.quality},${file}\n`);
        }
      }
      if (opts.json === true) ctx.stdout.write(`${JSON.stringify({ results, errors })}\n`);
      if (errors.length > 0) ctx.exit(EXIT.rejected);
    });
}
