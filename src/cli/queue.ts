import { InvalidArgumentError, Option, type Command } from 'commander';
import { PRIORITY_LEVELS, type PriorityLevel } from '../domain/decision.ts';
import type { Problem } from '../domain/errors.ts';
import type { QueueItem } from '../triage/triage.service.ts';
import { positiveInt, UsageError, type CommandContext } from './cli.ts';
import { refused } from './replies.ts';

/** `conduit queue` (the triage queue and its actions) and `conduit route rerun`. */
export function queueCommands(program: Command, ctx: CommandContext): void {
  const queue = program
    .command('queue')
    .description("an organisation's triage queue by priority then age; accept, reassign, override priority")
    // Not a required option: commander would demand it of the action subcommands too.
    .option('--org <slug>', 'whose queue (required to list)')
    .option('--level <levels>', 'priority levels, comma-separated (E,1,2,3)', levels)
    .option('--country <CC>', 'decided country')
    .addOption(
      new Option('--status <status>', 'triage state')
        .choices(['pending', 'accepted', 'all'])
        .default('pending'),
    )
    .option('--held', 'only referrals held for manual triage')
    .option('--has-matches', 'only referrals with hash-list matches')
    .addOption(
      new Option('--classification <c>', 'informational ones stay out by default')
        .choices(['actionable', 'informational', 'all'])
        .default('actionable'),
    )
    .option('--limit <n>', 'page size (at most 200)', positiveInt('--limit'), 50)
    .option('--after <cursor>', 'the next-page cursor a previous page printed')
    .option('--json', 'print one JSON document')
    .action(
      async (opts: {
        org?: string;
        level?: PriorityLevel[];
        country?: string;
        status: 'pending' | 'accepted' | 'all';
        held?: boolean;
        hasMatches?: boolean;
        classification: 'actionable' | 'informational' | 'all';
        limit: number;
        after?: string;
        json?: boolean;
      }) => {
        if (opts.org === undefined)
          throw new UsageError('--org <slug>: whose queue (the CLI has no organisation of its own)');
        const app = await ctx.app();
        const r = await app.triage.queue(
          {
            org: opts.org,
            ...(opts.level && { levels: opts.level }),
            ...(opts.country !== undefined && { country: opts.country.toUpperCase() }),
            status: opts.status,
            ...(opts.held && { held: true }),
            ...(opts.hasMatches && { hasMatches: true }),
            classification: opts.classification,
            ...(opts.after !== undefined && { after: opts.after }),
            limit: Math.min(opts.limit, 200),
          },
          ctx.operator,
        );
        if (!r.ok) return refused(ctx, r.problems);
        if (opts.json) {
          ctx.stdout.write(`${JSON.stringify(r.value)}\n`);
          return;
        }
        for (const i of r.value.items) ctx.stdout.write(`${line(i)}\n`);
        if (r.value.next) ctx.stdout.write(`next: --after ${r.value.next}\n`);
      },
    );

  const action = (name: string, description: string) =>
    queue
      .command(name)
      .description(description)
      .argument('<id>', 'referral id')
      .option('--json', 'print JSON');
  action('accept', 'accept a referral routed to the organisation').action(
    async (id: string, opts: { json?: boolean }) => {
      const r = await (await ctx.app()).triage.accept(id, ctx.operator);
      done(ctx, r, opts.json, 'accepted');
    },
  );
  action('reassign', 'send a referral to another organisation')
    .requiredOption('--to <slug>', 'the organisation to send it to')
    .requiredOption('--reason <text>', 'why (kept with the decision and in the audit trail)')
    .action(async (id: string, opts: { to: string; reason: string; json?: boolean }) => {
      const r = await (await ctx.app()).triage.reassign(id, opts.to, opts.reason, ctx.operator);
      done(ctx, r, opts.json, `reassigned to ${opts.to}`);
    });
  action('priority', "override a referral's priority level")
    .addOption(new Option('--set <level>', 'the new level').choices(PRIORITY_LEVELS).makeOptionMandatory())
    .requiredOption('--reason <text>', 'why (kept with the decision and in the audit trail)')
    .action(async (id: string, opts: { set: PriorityLevel; reason: string; json?: boolean }) => {
      const r = await (await ctx.app()).triage.overridePriority(id, opts.set, opts.reason, ctx.operator);
      done(ctx, r, opts.json, `priority ${opts.set}`);
    });

  program
    .command('route')
    .description('routing')
    .command('rerun')
    .description('decide again, with the rules and organisations in force, every referral not yet accepted')
    .option('--held-only', 'only referrals held for manual triage')
    .option('--json', 'print one JSON document')
    .action(async (opts: { heldOnly?: boolean; json?: boolean }) => {
      const app = await ctx.app();
      // Deciding again matches again: without the lists every file would look new (and lose its matches).
      await app.loadHashLists();
      const r = await app.triage.reroute({ heldOnly: opts.heldOnly === true }, ctx.operator);
      if (!r.ok) return refused(ctx, r.problems);
      const s = r.value;
      ctx.stdout.write(
        opts.json
          ? `${JSON.stringify(s)}\n`
          : `examined ${s.examined}, recipient changed for ${s.changed}, held ${s.held}, skipped ${s.skipped}\n`,
      );
    });
}

function levels(v: string): PriorityLevel[] {
  const out = v.split(',').map((s) => s.trim().toUpperCase());
  for (const l of out)
    if (!(PRIORITY_LEVELS as readonly string[]).includes(l))
      throw new InvalidArgumentError(`${l} is not a level (E, 1, 2, 3)`);
  return out as PriorityLevel[];
}

function line(i: QueueItem): string {
  const level = i.priority ? `${i.priority.level}${i.priority.overridden ? '*' : ''}` : '-';
  const where = i.jurisdiction.country
    ? `${i.jurisdiction.region ?? i.jurisdiction.country} ${i.jurisdiction.confidence ?? ''}`
    : 'no country';
  const media = i.media ? `${i.media.matched}/${i.media.files} matched` : 'no files';
  return [
    level.padEnd(3),
    i.id,
    i.receivedAt,
    where.padEnd(14),
    media.padEnd(14),
    i.held ? `HELD (${i.hold?.reason ?? '?'})` : i.triage,
    i.sourceRef,
  ].join('  ');
}

function done(
  ctx: CommandContext,
  r: { ok: true; value: QueueItem } | { ok: false; problems: readonly Problem[] },
  json: boolean | undefined,
  what: string,
): void {
  if (!r.ok) return refused(ctx, r.problems);
  ctx.stdout.write(json ? `${JSON.stringify(r.value)}\n` : `${r.value.id}: ${what}\n`);
}
