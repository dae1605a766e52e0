import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { Command } from 'commander';
import { ROLES } from '../domain/access.ts';
import { problem } from '../domain/errors.ts';
import type { UserView } from '../access/access.service.ts';
import type { CommandContext } from './cli.ts';
import { rejected } from './org.ts';

/** The service's `password` field is given by `--password-stdin`. */
const FLAGS = { password: '--password-stdin' } as const;

export function userCommands(program: Command, ctx: CommandContext): void {
  const user = program
    .command('user')
    .description('people who sign in to the web UI and API')
    // Commander echoes an unknown option whole; a password typed as `--password-stdin=…` or `-p…` must not
    // reach stderr (and the logs that keep it), so only the option's name is shown. Subcommands inherit this.
    .configureOutput({ outputError: (s, write) => write(redactUnknownOption(s)) });
  user
    .command('add')
    .description('add a user; the password is the first line of stdin (never an argument)')
    .requiredOption('--org <slug>', 'their organisation')
    .requiredOption('--email <email>', 'e-mail address (their sign-in name)')
    .requiredOption('--role <role>', ROLES.join(' | '))
    .requiredOption('--password-stdin', 'read the password from the first line of stdin')
    .option('--json', 'print one JSON document')
    .addHelpText(
      'after',
      '\nExample:\n  conduit user add --org hub --email a@example.org --role analyst --password-stdin < pw.txt\n',
    )
    .action(async (opts: { org: string; email: string; role: string; json?: boolean }) => {
      const password = await firstLine(ctx.stdin);
      if (password === '') return rejected(ctx, [emptyPassword], {}, FLAGS);
      const app = await ctx.app();
      const r = await app.access.addUser({ ...opts, password }, ctx.operator);
      if (!r.ok) return rejected(ctx, r.problems, {}, FLAGS);
      ctx.stdout.write(
        opts.json
          ? `${JSON.stringify(r.value)}\n`
          : `added ${r.value.email} (${r.value.role}, ${r.value.organisation})\n`,
      );
    });
  user
    .command('disable')
    .description('disable a user and end their sessions at once')
    .requiredOption('--email <email>', 'e-mail address')
    .option('--json', 'print one JSON document')
    .action(async (opts: { email: string; json?: boolean }) => {
      const r = await (await ctx.app()).access.disableUser(opts.email, ctx.operator);
      if (!r.ok) return rejected(ctx, r.problems);
      ctx.stdout.write(opts.json ? `${JSON.stringify(r.value)}\n` : `disabled ${r.value.email}\n`);
    });
  user
    .command('list')
    .description('list users')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      const list = await (await ctx.app()).access.listUsers(ctx.operator);
      ctx.stdout.write(opts.json ? `${JSON.stringify(list)}\n` : list.map(line).join(''));
    });
}

function redactUnknownOption(message: string): string {
  return message.replace(
    /unknown option '(--[\w-]+|-[^-\s])([^\n]*)'/g,
    (whole, name: string, rest: string) =>
      rest === '' ? whole : `unknown option '${name}…' (the rest is not shown)`,
  );
}

const line = (u: UserView): string =>
  `${u.email}\t${u.role}\t${u.organisation}\t${u.disabled ? 'disabled' : 'active'}\n`;

const emptyPassword = problem('invalid_value', 'password', 'no password on stdin');

/** Longer than any acceptable password: stop reading there rather than swallow an endless stream. */
const MAX_CHARS = 4096;

/** The first line of the stream, its line ending stripped; reads no further than it needs. */
async function firstLine(stdin: Readable): Promise<string> {
  const decoder = new StringDecoder('utf8');
  let text = '';
  for await (const chunk of stdin as AsyncIterable<Buffer | string>) {
    text += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (text.includes('\n') || text.length > MAX_CHARS) break;
  }
  text += decoder.end();
  return (text.split('\n')[0] ?? '').replace(/\r$/, '');
}
