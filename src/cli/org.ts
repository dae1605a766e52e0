import type { Command } from 'commander';
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
    .option('--json', 'print one JSON document')
    .action(
      async (opts: {
        slug: string;
        kind: string;
        country?: string;
        parent?: string;
        name?: string;
        json?: boolean;
      }) => {
        const app = await ctx.app();
        const r = await app.organisations.add(opts, ctx.operator);
        if (!r.ok) {
          for (const p of r.problems) ctx.stderr.write(`conduit: --${p.path}: ${p.message}\n`);
          ctx.exit(EXIT.usage);
          return;
        }
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
