import { userInfo } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { App } from '../app.ts';
import { ConfigError } from '../config.ts';
import type { RequestContext } from '../domain/access.ts';
import { apiKeyCommands } from './apikey.ts';
import { auditCommands } from './audit.ts';
import { benchCommand } from './bench.ts';
import { demoCommand } from './demo.ts';
import { exportCommand } from './export.ts';
import { generateCommand } from './generate.ts';
import { hashCommand } from './hash.ts';
import { matchCommand } from './match.ts';
import { hashlistCommands } from './hashlist.ts';
import { ingestCommand } from './ingest.ts';
import { linkCommands } from './link.ts';
import { orgCommands } from './org.ts';
import { queueCommands } from './queue.ts';
import { rulesCommands } from './rules.ts';
import { serveCommand } from './serve.ts';
import { userCommands } from './user.ts';

export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: Readable;
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly openApp: (opts: { db?: string }) => Promise<App>;
}

/** What every command gets: its streams and a way to open the app with the global `--db`. */
export interface CommandContext extends CliIo {
  app(): Promise<App>;
  /** Who the CLI acts as: the person at the shell, unrestricted (they hold the database) but audited. */
  readonly operator: RequestContext;
  /** The exit code the command chose (0 unless it says otherwise). */
  exit(code: number): void;
}

export const EXIT = { ok: 0, failure: 1, usage: 2, rejected: 3, broken: 4 } as const;

/** Exit codes: 0 success, 2 usage error, 3 some input rejected (the rest kept), 4 audit chain broken, 1 anything else. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  let opened: App | undefined;
  const program = new Command('conduit')
    .description('Conduit: receive, process and pass on referrals of online child sexual exploitation')
    .addOption(
      new Option(
        '--db <url>',
        'database: sqlite:<path> or postgres://… (default sqlite:./data/conduit.db)',
      ).env('CONDUIT_DB'),
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError();

  const ctx: CommandContext = {
    ...io,
    operator: { principal: { kind: 'operator', name: operatorName(io.env) }, requestId: null },
    async app() {
      opened ??= await io.openApp({ db: program.opts<{ db?: string }>().db });
      return opened;
    },
    exit(c) {
      code = c;
    },
  };

  program
    .command('migrate')
    .description('bring the database schema up to date (also done on every start)')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      await ctx.app();
      io.stdout.write(opts.json ? `${JSON.stringify({ migrated: true })}\n` : 'database is up to date\n');
    });
  serveCommand(program, ctx);
  demoCommand(program, ctx);
  ingestCommand(program, ctx);
  exportCommand(program, ctx);
  generateCommand(program, ctx);
  orgCommands(program, ctx);
  userCommands(program, ctx);
  apiKeyCommands(program, ctx);
  auditCommands(program, ctx);
  queueCommands(program, ctx);
  rulesCommands(program, ctx);
  hashCommand(program, ctx);
  matchCommand(program, ctx);
  hashlistCommands(program, ctx);
  linkCommands(program, ctx);
  benchCommand(program, ctx);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      code = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else if (e instanceof ConfigError || e instanceof UsageError) {
      io.stderr.write(`conduit: ${e.message}\n`);
      code = EXIT.usage;
    } else {
      io.stderr.write(`conduit: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      code = EXIT.failure;
    }
  } finally {
    await opened?.close();
  }
  return code;
}

function operatorName(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? 'unknown';
  }
}

/** A usage mistake found after parsing (unknown organisation, bad value): exit 2 with the message. */
export class UsageError extends Error {}

export function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}
