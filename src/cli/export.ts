import { once } from 'node:events';
import type { Command } from 'commander';
import { UsageError, type CommandContext } from './cli.ts';

export function exportCommand(program: Command, ctx: CommandContext): void {
  const exp = program.command('export').description('export data');
  exp
    .command('referrals')
    .description('one JSON object per referral with its decision (NDJSON on stdout)')
    .option('--format <format>', 'output format (ndjson)', 'ndjson')
    .action(async (opts: { format: string }) => {
      if (opts.format !== 'ndjson')
        throw new UsageError(`--format: only ndjson is supported, got ${opts.format}`);
      const app = await ctx.app();
      // Each record names its subjects: link what intake stored since the last run, so none is missing.
      await app.link.catchUp();
      for await (const record of app.referrals.exportAll({}, ctx.operator)) {
        // Respect back-pressure so exporting millions of referrals stays in bounded memory.
        if (!ctx.stdout.write(`${JSON.stringify(record)}\n`)) await once(ctx.stdout, 'drain');
      }
    });
}
