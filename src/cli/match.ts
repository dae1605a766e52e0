import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { fingerprint } from '../media/fingerprint.ts';
import { matchFiles, type FileHashSet } from '../pipeline/stages/match.ts';
import { EXIT, UsageError, type CommandContext } from './cli.ts';

const HEX = /^[0-9a-fA-F]+$/;

/** A hash by its length (64 hex digits are tried as both SHA-256 and PDQ), or a file hashed in memory. */
async function hashesOf(arg: string): Promise<FileHashSet | string> {
  if (HEX.test(arg)) {
    const hex = arg.toLowerCase();
    if (hex.length === 32) return { md5: hex };
    if (hex.length === 40) return { sha1: hex };
    if (hex.length === 64) return { sha256: hex, pdq: hex };
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(arg);
  } catch {
    return `${arg}: neither a hash (32, 40 or 64 hex digits) nor a readable file`;
  }
  const f = await fingerprint(bytes);
  return {
    md5: f.md5,
    sha1: f.sha1,
    sha256: f.sha256,
    ...(f.pdq.ok && { pdq: f.pdq.hash, pdqQuality: f.pdq.quality }),
  };
}

export function matchCommand(program: Command, ctx: CommandContext): void {
  program
    .command('match')
    .description('match hashes or image files against the hash lists (exact and PDQ within the radius)')
    .argument('<hash|image...>', 'MD5/SHA-1/SHA-256/PDQ hex, or an image file (hashed in memory, not kept)')
    .option('--json', 'print one JSON document')
    .action(async (args: string[], opts: { json?: boolean }) => {
      const files: FileHashSet[] = [];
      for (const a of args) {
        const h = await hashesOf(a);
        if (typeof h === 'string') throw new UsageError(h);
        files.push(h);
      }
      const app = await ctx.app();
      await app.loadHashLists();
      const { matches, media } = matchFiles(app.hashIndex.port, files);
      if (opts.json) ctx.stdout.write(`${JSON.stringify({ inputs: args, matches, media })}\n`);
      else {
        for (const m of matches)
          ctx.stdout.write(
            `${args[m.file]}\t${m.kind}\t${m.distance}\t${m.list.name} v${m.list.version}${m.list.negative ? ' (negative)' : ''}\t${m.entry}\t${m.category}\t${m.sourceScheme}:${m.sourceCode ?? '-'}\n`,
          );
        for (const i of media.unknown) ctx.stdout.write(`${args[i]}\tno match\n`);
        for (const i of media.lowQualityPdq)
          ctx.stdout.write(`${args[i]}\tPDQ quality below threshold: not matched\n`);
      }
      ctx.exit(EXIT.ok);
    });
}
