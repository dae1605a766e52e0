import type { Command } from 'commander';
import { DIFFICULTIES, generateScenario } from '../generate/generate.ts';
import { positiveInt, UsageError, type CommandContext } from './cli.ts';

const FORMATS = ['xml', 'json', 'ndjson'] as const;

interface GenerateCliOptions {
  readonly reports: number;
  readonly out: string;
  readonly seed: string;
  readonly format: string;
  readonly difficulty: string;
  readonly geoIps?: boolean;
  readonly json?: boolean;
}

export function generateCommand(program: Command, ctx: CommandContext): void {
  program
    .command('generate')
    .description('write a synthetic operation (reports + truth.json); deterministic for a seed')
    .requiredOption('--reports <n>', 'number of reports', positiveInt('--reports'))
    .requiredOption('--out <dir>', 'output directory')
    .option('--seed <seed>', 'seed', '1')
    .option('--format <format>', 'xml | json | ndjson', 'xml')
    .option(
      '--difficulty <level>',
      'easy | hard: hard puts most persons behind carrier NAT, with common nicknames and more look-alike screen names',
      'easy',
    )
    .option(
      '--geo-ips',
      "IP addresses drawn from the geo database's country ranges (they geolocate to each person's country) instead of documentation ranges",
    )
    .option('--json', 'print the summary as one JSON document')
    .action(async (opts: GenerateCliOptions) => {
      const format = FORMATS.find((f) => f === opts.format);
      if (!format) throw new UsageError(`--format: expected xml, json or ndjson, got ${opts.format}`);
      const difficulty = DIFFICULTIES.find((d) => d === opts.difficulty);
      if (!difficulty) throw new UsageError(`--difficulty: expected easy or hard, got ${opts.difficulty}`);
      const r = await generateScenario({
        reports: opts.reports,
        seed: opts.seed,
        outDir: opts.out,
        format,
        geoIps: opts.geoIps === true,
        difficulty,
      });
      ctx.stdout.write(
        opts.json
          ? `${JSON.stringify(r)}\n`
          : `wrote ${r.reports} reports (${r.files} files) to ${opts.out}; truth: ${r.truthPath}\n`,
      );
    });
}
