import { readFile } from 'node:fs/promises';
import type { Problem } from '../domain/errors.ts';
import { EXIT, type CommandContext } from './cli.ts';

/** A file's text (`-` is stdin); an unreadable file is a usage error (exit 2), said on stderr. */
export async function readText(ctx: CommandContext, file: string): Promise<string | undefined> {
  try {
    return file === '-' ? await streamText(ctx.stdin) : await readFile(file, 'utf8');
  } catch (e) {
    ctx.stderr.write(`conduit: ${file}: ${(e as Error).message}\n`);
    ctx.exit(EXIT.usage);
    return undefined;
  }
}

async function streamText(s: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(parts).toString('utf8');
}

/** A refused request: each problem with its field; not found is a failure (1), anything else usage (2). */
export function refused(ctx: CommandContext, problems: readonly Problem[]): void {
  for (const p of problems) ctx.stderr.write(`conduit: ${p.path ? `${p.path}: ` : ''}${p.message}\n`);
  ctx.exit(
    problems.some((p) => p.code === 'not_found' || p.code === 'unknown_organisation')
      ? EXIT.failure
      : EXIT.usage,
  );
}

/** A refused file: each problem with its place in the file, exit 3 (nothing loaded). */
export function refusedFile(ctx: CommandContext, problems: readonly Problem[], file: string): void {
  for (const p of problems)
    ctx.stderr.write(`conduit: ${[file, p.path].filter(Boolean).join(': ')}: ${p.message}\n`);
  ctx.exit(problems.some((p) => p.code === 'not_found') ? EXIT.failure : EXIT.rejected);
}
