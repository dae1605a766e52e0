import { InvalidArgumentError, type Command } from 'commander';
import type { Problem } from '../domain/errors.ts';
import { EXIT, type CommandContext } from './cli.ts';

export function orgCommands(program: Command, ctx: CommandContext): void {
  const org = program.command('org').description('organisations (tenants)');
  org
    .command('add')
    .description('add an organisation')
    .requiredOption('--slug <slug>', 'short unique name')
    .requiredOption('--kind <kind>', 'provider | referring-centre | hub | national-centre | unit')
    .option('--country <CC>', 'ISO 3166-1 alpha-2 country')
    .option('--parent <slug>', 'parent organisation')
    .option('--name <name>', 'display name')
    .option(
      '--covers <codes>',
      'comma-separated countries (IT) or subdivisions (IT-RM) it covers (default: its country)',
      commaList,
    )
    .option('--json', 'print one JSON document')
    .action(
      async (opts: {
        slug: string;
        kind: string;
        country?: string;
        parent?: string;
        name?: string;
        covers?: string[];
        json?: boolean;
      }) => {
        const app = await ctx.app();
        const r = await app.organisations.add(opts, ctx.operator);
        if (!r.ok) return rejected(ctx, r.problems, { covers: opts.covers });
        ctx.stdout.write(
          opts.json
            ? `${JSON.stringify(r.organisation)}\n`
            : `added ${r.organisation.slug} (${r.organisation.id})\n`,
        );
      },
    );
  org
    .command('list')
    .description('list organisations')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      const list = await (await ctx.app()).organisations.list();
      ctx.stdout.write(
        opts.json
          ? `${JSON.stringify(list)}\n`
          : list.map((o) => `${o.slug}\t${o.kind}\t${o.country ?? ''}\n`).join(''),
      );
    });
}

/** `a,b , c` → ['a', 'b', 'c']; an empty list is a usage error rather than a silent "covers nothing". */
function commaList(v: string): string[] {
  const items = v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new InvalidArgumentError('at least one code');
  return items;
}

/**
 * A service said no: one `conduit: --<flag>: <message>` line per problem on stderr, exit 2, nothing on
 * stdout. A problem's path names the service's field (`scope/1`); `flags` renames fields whose option is
 * spelled otherwise, and `lists` gives the values of list options so an indexed problem can name its item.
 */
export function rejected(
  ctx: CommandContext,
  problems: readonly Problem[],
  lists: Readonly<Record<string, readonly string[] | undefined>> = {},
  flags: Readonly<Record<string, string>> = {},
): void {
  for (const p of problems) {
    const [field = '', index] = p.path.split('/');
    const item = index === undefined ? undefined : lists[field]?.[Number(index)];
    const message =
      item === undefined || p.message.startsWith(`${item}:`) ? p.message : `${item}: ${p.message}`;
    const where = field === '' ? '' : `${flags[field] ?? `--${field}`}: `;
    ctx.stderr.write(`conduit: ${where}${message}\n`);
  }
  ctx.exit(EXIT.usage);
}
