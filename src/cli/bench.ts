import type { Command } from 'commander';
import { positiveInt, UsageError, type CommandContext } from './cli.ts';

/** Listed here so `--help` works without loading the suites (and their development dependencies). */
const SUITE_NAMES =
  'ingest-sqlite, ingest-postgres, http, http-read, http-bulk, memory, pdq, pdq-index, hashlist, routing, linking-quality, linking-speed, nicknames';

export function benchCommand(program: Command, ctx: CommandContext): void {
  program
    .command('bench')
    .description(`run a benchmark suite: ${SUITE_NAMES} or all (Markdown rows for BENCHMARKS.md)`)
    .argument('<suite>', 'suite name or all')
    .option('--reports <n>', 'override the number of reports', positiveInt('--reports'))
    .option('--seconds <n>', 'override the HTTP load duration', positiveInt('--seconds'))
    .option('--target <url>', 'HTTP suites: load this running server instead of a fresh local one')
    .option('--header <header...>', 'HTTP suites with --target: request headers, "name: value"')
    .option('--json', 'print one JSON document')
    .action(
      async (
        name: string,
        opts: { reports?: number; seconds?: number; target?: string; header?: string[]; json?: boolean },
      ) => {
        // Loaded on demand: the load generator is a development dependency, not needed to run Conduit.
        const { machine, run, SUITES } = await import('../bench/suites.ts');
        const suites = name === 'all' ? SUITES : SUITES.filter((s) => s === name);
        if (suites.length === 0) throw new UsageError(`unknown suite ${name}: ${SUITES.join(', ')} or all`);
        const results = [];
        for (const s of suites) {
          ctx.stderr.write(`bench: ${s}…\n`);
          const headers = Object.fromEntries(
            (opts.header ?? []).map((h) => {
              const at = h.indexOf(':');
              if (at <= 0) throw new UsageError(`--header ${h}: expected "name: value"`);
              return [h.slice(0, at).trim().toLowerCase(), h.slice(at + 1).trim()];
            }),
          );
          for (const r of [await run(s, { ...opts, headers })].flat()) {
            results.push(r);
            if (!opts.json)
              ctx.stdout.write(
                `| ${r.suite} | ${r.command} | ${Object.entries(r.figures)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ')} |\n`,
              );
          }
        }
        const stamp = { date: new Date().toISOString(), machine: machine(), results };
        ctx.stdout.write(
          opts.json ? `${JSON.stringify(stamp)}\n` : `machine: ${stamp.machine}; date: ${stamp.date}\n`,
        );
      },
    );
}
