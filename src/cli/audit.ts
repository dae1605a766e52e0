import type { Command } from 'commander';
import { EXIT, UsageError, type CommandContext } from './cli.ts';

export function auditCommands(program: Command, ctx: CommandContext): void {
  const audit = program.command('audit').description('the tamper-evident audit trail');
  audit
    .command('verify')
    .description('recompute the hash chain and report the first broken link (exit 4 when broken)')
    .option(
      '--anchor <seq:hash...>',
      'an event hash printed by an earlier verify and kept elsewhere: catches a rewritten or truncated tail',
    )
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean; anchor?: string[] }) => {
      const anchors = (opts.anchor ?? []).map((a) => {
        const m = /^([1-9][0-9]*):([0-9a-f]{64})$/.exec(a.trim());
        if (!m?.[1] || !m[2]) throw new UsageError(`--anchor ${a}: expected <seq>:<64 hex digits>`);
        return { seq: Number(m[1]), hash: m[2] };
      });
      const verdict = await (await ctx.app()).audit.verify(anchors);
      if (opts.json) ctx.stdout.write(`${JSON.stringify(verdict)}\n`);
      else if (verdict.ok)
        ctx.stdout.write(
          `audit trail intact: ${verdict.events} events, head ${verdict.headHash}\n` +
            `keep this anchor outside the database: --anchor ${verdict.events}:${verdict.headHash}\n`,
        );
      else ctx.stdout.write(`audit trail BROKEN at event ${verdict.seq}: ${verdict.reason}\n`);
      if (!verdict.ok) ctx.exit(EXIT.broken);
    });
}
