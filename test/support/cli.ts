import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../src/cli/cli.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/main.ts';

/** Runs `conduit --db <db> …args` in-process with `stdin`; its exit code and what it printed. */
export async function conduit(
  db: string,
  args: readonly string[],
  stdin = '',
): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await runCli(['--db', db, ...args], {
    env: {},
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout,
    stderr,
    openApp: (opts) => createApp(loadConfig(opts, {})),
  });
  return { code, out, err };
}
