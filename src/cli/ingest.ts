import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { createParsePool } from '../intake/parse-pool.ts';
import { ingestUnits, type IngestSummary } from '../intake/ingest.ts';
import { readUnits, type Unit } from '../intake/sources.ts';
import { validateWithXsd } from '../intake/formats/xsd.ts';
import { EXIT, positiveInt, UsageError, type CommandContext } from './cli.ts';
import { progressReporter } from './progress.ts';

export function ingestCommand(program: Command, ctx: CommandContext): void {
  program
    .command('ingest')
    .description(
      'ingest CyberTipline XML (<stem>.report.xml + <stem>[.<n>].fileDetails.xml), canonical JSON (*.referral.json) or NDJSON; directories are walked; - reads stdin',
    )
    .argument('<inputs...>', 'files, directories or -')
    .option('--source <org>', 'source organisation slug (default: this instance’s receiving organisation)')
    .option('--json', 'print the summary as one JSON document')
    .option('--strict', 'also validate every XML document against the CyberTipline XSD (slower)')
    .option('--batch-size <n>', 'referrals per transaction', positiveInt('--batch-size'), 500)
    .action(
      async (
        inputs: string[],
        opts: { source?: string; json?: boolean; strict?: boolean; batchSize: number },
      ) => {
        const app = await ctx.app();
        const source =
          opts.source === undefined ? app.receiving : await app.organisations.bySlug(opts.source);
        if (!source)
          throw new UsageError(
            `--source: no organisation ${JSON.stringify(opts.source)} (see conduit org list)`,
          );
        await app.loadHashLists();
        const progress = ctx.stderr.isTTY && !opts.json ? progressReporter(ctx.stderr) : undefined;
        // Parsing runs beside the main thread, which reads files and writes the database.
        const pool = createParsePool(Math.max(1, availableParallelism() - 1));
        const summary = await app.link.deferred(() =>
          ingestUnits(
            readUnits(inputs, {
              maxBytes: app.config.maxInputBytes,
              stdin: ctx.stdin,
              ...(progress && { onDiscovered: progress.discovered }),
            }),
            app.intake,
            source,
            ctx.operator,
            {
              batchSize: opts.batchSize,
              now: () => new Date(),
              ...(progress && { onProgress: progress.update }),
              ...(opts.strict && { check: strictCheck }),
              parse: (units, now) => pool.parse(units, now),
            },
          ).finally(() => pool.close()),
        );
        progress?.done();
        ctx.stdout.write(opts.json ? `${JSON.stringify(summary)}\n` : humanSummary(summary));
        ctx.exit(summary.rejected > 0 ? EXIT.rejected : EXIT.ok);
      },
    );
}

async function strictCheck(unit: Unit): Promise<IngestSummary['errors']> {
  if (unit.kind !== 'cybertipline') return [];
  const problems = [
    ...(await validateWithXsd(unit.report.toString('utf8'), 'report')),
    ...(
      await Promise.all(unit.fileDetails.map((d) => validateWithXsd(d.toString('utf8'), 'fileDetails')))
    ).flat(),
  ];
  return problems.map((p) => ({ input: unit.input, code: p.code, path: p.path, message: p.message }));
}

function humanSummary(s: IngestSummary): string {
  const lines = [
    `received ${s.received}, accepted ${s.accepted}, duplicates ${s.duplicates}, rejected ${s.rejected}`,
  ];
  for (const e of s.errors.slice(0, 50))
    lines.push(`  ${e.input}: ${e.code} at ${e.path || '/'}: ${e.message}`);
  if (s.errors.length > 50) lines.push(`  … ${s.errors.length - 50} more (use --json for all)`);
  return `${lines.join('\n')}\n`;
}
