import type { Command } from 'commander';
import { EXIT, type CommandContext } from './cli.ts';

export function auditCommands(program: Command, ctx: CommandContext): void {
  const audit = program.command('audit').description('the tamper-evident audit trail');
  audit
    .command('verify')
    .description('recompute the hash chain and report the first broken link (exit 4 when broken)')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      const verdict = await (await ctx.app()).audit.verify();
      if (opts.json) ctx.stdout.write(`${JSON.stringify(verdict)}\n`);
      else if (verdict.ok)
        ctx.stdout.write(`audit trail intact: ${verdict.events} events, head ${verdict.headHash}\n`);
      else ctx.stdout.write(`audit trail BROKEN at event ${verdict.seq}: ${verdict.reason}\n`);
      if (!verdict.ok) ctx.exit(EXIT.broken);
    });
}
