import type { Command } from 'commander';
import { generateScenario } from '../generate/generate.ts';
import { positiveInt, UsageError, type CommandContext } from './cli.ts';

const FORMATS = ['xml', 'json', 'ndjson'] as const;

export function generateCommand(program: Command, ctx: CommandContext): void {
  program
    .command('generate')
    .description('write a synthetic operation (reports + truth.json); deterministic for a seed')
    .requiredOption('--reports <n>', 'number of reports', positiveInt('--reports'))
    .requiredOption('--out <dir>', 'output directory')
    .option('--seed <seed>', 'seed', '1')
    .option('--format <format>', 'xml | json | ndjson', 'xml')
    .option('--json', 'print the summary as one JSON document')
    .action(async (opts: { reports: number; out: string; seed: string; format: string; json?: boolean }) => {
      const format = FORMATS.find((f) => f === opts.format);
      if (!format) throw new UsageError(`--format: expected xml, json or ndjson, got ${opts.format}`);
      const r = await generateScenario({ reports: opts.reports, seed: opts.seed, outDir: opts.out, format });
      ctx.stdout.write(
        opts.json
          ? `${JSON.stringify(r)}\n`
          : `wrote ${r.reports} reports (${r.files} files) to ${opts.out}; truth: ${r.truthPath}\n`,
      );
    });
}
