import { Option, type Command } from 'commander';
import type { Problem } from '../domain/errors.ts';
import { SCHEMES } from '../hashlists/categories.ts';
import { HASHLIST_FORMATS, type HashListView } from '../hashlists/hashlists.service.ts';
import { EXIT, type CommandContext } from './cli.ts';

export function hashlistCommands(program: Command, ctx: CommandContext): void {
  const hashlist = program
    .command('hashlist')
    .description('hash lists of known material (VICS JSON, CSV): import, list, remove');
  const service = async () => (await ctx.app()).hashlists;

  hashlist
    .command('import')
    .description(
      'import a list from a file (- for stdin); importing a name again replaces that list atomically',
    )
    .argument(
      '<file>',
      'VICS 1.x/2.0 JSON or CSV (hash_type,hash,category[,scheme][,series][,victim_identified][,id])',
    )
    .requiredOption('--name <name>', 'the list’s name')
    .addOption(
      new Option('--format <format>', 'the file’s format (default: detected)').choices(HASHLIST_FORMATS),
    )
    .option('--negative', 'a list of known benign material: its matches suppress, they do not flag')
    .addOption(
      new Option(
        '--scheme <scheme>',
        'category scheme of the codes (CSV without a scheme column; overrides a VICS profile)',
      ).choices(SCHEMES),
    )
    .option('--json', 'print one JSON document')
    .action(
      async (
        file: string,
        opts: { name: string; format?: string; negative?: boolean; scheme?: string; json?: boolean },
      ) => {
        const progress = ctx.stderr.isTTY && !opts.json ? progressLine(ctx) : undefined;
        const r = await (
          await service()
        ).import(
          file === '-' ? ctx.stdin : file,
          {
            name: opts.name,
            ...(opts.format !== undefined && { format: opts.format }),
            ...(opts.negative && { negative: true }),
            ...(opts.scheme !== undefined && { scheme: opts.scheme }),
            ...(progress && { onProgress: (n: number) => progress.update(n) }),
          },
          ctx.operator,
        );
        progress?.done();
        if (!r.ok) {
          if (opts.json)
            ctx.stdout.write(
              `${JSON.stringify({ ok: false, problems: r.problems, totalProblems: r.totalProblems })}\n`,
            );
          printProblems(ctx, r.problems, file);
          if (r.totalProblems > r.problems.length)
            ctx.stderr.write(`conduit: … and ${r.totalProblems - r.problems.length} more problems\n`);
          if (r.refused)
            ctx.stderr.write(`conduit: ${file}: refused, nothing imported (${r.totalProblems} problems)\n`);
          ctx.exit(r.refused ? EXIT.rejected : EXIT.usage);
          return;
        }
        if (opts.json) {
          ctx.stdout.write(
            `${JSON.stringify({ ok: true, list: r.list, entries: r.entries, skipped: r.skipped, ignored: r.ignored })}\n`,
          );
          return;
        }
        const ignored = Object.entries(r.ignored).map(
          ([k, n]) => `, ${n} ${k} hashes ignored (not supported)`,
        );
        ctx.stdout.write(
          `imported ${r.list.name} version ${r.list.version}${r.list.negative ? ' (negative)' : ''}: ` +
            `${r.entries} entries, ${r.skipped} skipped${ignored.join('')}\n`,
        );
      },
    );

  hashlist
    .command('list')
    .description('list the hash lists')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      const r = await (await service()).list(ctx.operator);
      if (!r.ok) return fail(ctx, r.problems);
      ctx.stdout.write(opts.json ? `${JSON.stringify(r.value)}\n` : r.value.map(line).join(''));
    });

  hashlist
    .command('remove')
    .description('remove a hash list: its entries stop matching at once')
    .argument('<name>', 'the list’s name')
    .option('--json', 'print one JSON document')
    .action(async (name: string, opts: { json?: boolean }) => {
      const r = await (await service()).remove(name, ctx.operator);
      if (!r.ok) return fail(ctx, r.problems);
      ctx.stdout.write(
        opts.json ? `${JSON.stringify(r.value)}\n` : `removed ${r.value.name} (version ${r.value.version})\n`,
      );
    });
}

const line = (l: HashListView): string =>
  `${l.name}\tv${l.version}\t${l.entries} entries\t${l.negative ? 'negative' : 'positive'}\t${l.format}\t${l.importedAt}\t${l.importedBy}\n`;

/** Problems as `conduit: <file>: line 12/hash: not a md5 hash`, or `conduit: --name: …` for options. */
function printProblems(ctx: CommandContext, problems: readonly Problem[], file: string): void {
  const options = new Set(['name', 'format', 'scheme']);
  for (const p of problems) {
    const where = options.has(p.path)
      ? `--${p.path}`
      : p.path === 'file' || p.path === ''
        ? file
        : `${file}: ${p.path}`;
    ctx.stderr.write(`conduit: ${where}: ${p.message}\n`);
  }
}

function fail(ctx: CommandContext, problems: readonly Problem[]): void {
  for (const p of problems) ctx.stderr.write(`conduit: ${p.path ? `${p.path}: ` : ''}${p.message}\n`);
  ctx.exit(EXIT.usage);
}

function progressLine(ctx: CommandContext) {
  const started = Date.now();
  let last = 0;
  let read = 0;
  const render = () => {
    const rate = read / Math.max(0.001, (Date.now() - started) / 1000);
    ctx.stderr.write(`\rread ${read} entries · ${Math.round(rate)}/s  `);
  };
  return {
    update(n: number) {
      read = n;
      if (Date.now() - last < 200) return;
      last = Date.now();
      render();
    },
    done() {
      if (read > 0) {
        render();
        ctx.stderr.write('\n');
      }
    },
  };
}
