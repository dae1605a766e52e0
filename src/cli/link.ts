import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { LinkRunSummary } from '../linking/link.service.ts';
import type {
  CommunityView,
  DeconflictionNotice,
  SubjectSummary,
  SubjectView,
} from '../linking/subjects.service.ts';
import { EXIT, positiveInt, UsageError, type CommandContext } from './cli.ts';
import { readText, refused, refusedFile } from './replies.ts';

const GRAPH_FORMATS = ['json', 'graphml'] as const;
const REGISTER_FORMATS = ['csv', 'json'] as const;
type RegisterFormat = (typeof REGISTER_FORMATS)[number];

/**
 * `conduit link` (run, rebuild), `conduit subjects` (list, show, split, merge, confirm, graph), `conduit links`,
 * `conduit communities`, `conduit trace`, `conduit register` and `conduit deconfliction`.
 *
 * Listings are default subcommands (`subjects` runs `subjects list`), never options of the parent: commander
 * gives a parent's options to the parent wherever they stand, so `subjects show <id> --json` would lose its
 * `--json` to a `subjects --json`.
 */
export function linkCommands(program: Command, ctx: CommandContext): void {
  const link = program.command('link').description('link stored referrals into subjects (persons)');
  link
    .command('run')
    .description('link every stored referral not yet linked')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      const s = await (await ctx.app()).link.catchUp();
      ctx.stdout.write(opts.json ? `${JSON.stringify(s)}\n` : `${summaryLine(s)}\n`);
    });
  link
    .command('rebuild')
    .description('drop every subject and link all stored referrals again (analysts’ decisions are kept)')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      const s = await (await ctx.app()).link.rebuild();
      ctx.stdout.write(
        opts.json ? `${JSON.stringify(s)}\n` : `${summaryLine(s)} in ${s.seconds.toFixed(1)} s\n`,
      );
    });

  subjectsCommands(program, ctx);

  program
    .command('links')
    .description('what a referral’s reported persons were linked to, and what could not be linked (and why)')
    .argument('<referral-id>', 'referral id')
    .option('--json', 'print one JSON document')
    .action(async (id: string, opts: { json?: boolean }) => {
      const r = await (await ctx.app()).subjects.referralLinks(id, ctx.operator);
      if (!r.ok) return refused(ctx, r.problems);
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify(r.value)}\n`);
        return;
      }
      const v = r.value;
      ctx.stdout.write(`referral ${v.referral}\n`);
      if (v.mentions.length === 0) ctx.stdout.write('  no reported person to link\n');
      for (const m of v.mentions) {
        ctx.stdout.write(
          `  person ${m.slot}: ${m.subject ? `subject ${subjectLine(m.subject)}` : 'not linked yet'}\n`,
        );
        for (const u of m.unlinkable)
          ctx.stdout.write(`    not linkable: ${u.kind} ${u.shown} (${u.reason})\n`);
      }
      for (const c of v.tooCommon) ctx.stdout.write(`  too common to link: ${c.kind}: ${c.value}\n`);
    });

  const communities = program
    .command('communities')
    .description(
      'accounts sharing a group or chat, and the investigations they would become per country (alone: list them)',
    );
  communities
    .command('list', { isDefault: true })
    .description('every community of two or more subjects (the default)')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      const r = await (await ctx.app()).subjects.communities({}, ctx.operator);
      if (!r.ok) return refused(ctx, r.problems);
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify(r.value)}\n`);
        return;
      }
      for (const c of r.value) ctx.stdout.write(`${communityLine(c)}\n`);
    });
  communities
    .command('show')
    .description('one community: its subjects, their countries and referrals')
    .argument('<id>', 'community id')
    .option('--json', 'print one JSON document')
    .action(async (id: string, opts: { json?: boolean }) => {
      const r = await (await ctx.app()).subjects.communities({ detail: id }, ctx.operator);
      if (!r.ok) return refused(ctx, r.problems);
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify(r.value[0] ?? null)}\n`);
        return;
      }
      for (const c of r.value) {
        ctx.stdout.write(`${communityLine(c)}\n`);
        for (const m of c.members ?? [])
          ctx.stdout.write(
            `  subject ${m.subject}  ${m.country ?? 'no country'}  ${m.referrals} referrals\n`,
          );
      }
    });

  program
    .command('trace')
    .description('screen names seen in referrals that look like the same person’s handle, ranked')
    .argument('<name>', 'a screen name')
    .option('--limit <n>', 'most suggestions (at most 100)', positiveInt('--limit'), 20)
    .option('--json', 'print one JSON document')
    .action(async (name: string, opts: { limit: number; json?: boolean }) => {
      const r = await (await ctx.app()).subjects.trace(name, Math.min(opts.limit, 100), ctx.operator);
      if (!r.ok) return refused(ctx, r.problems);
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify(r.value)}\n`);
        return;
      }
      for (const s of r.value.suggestions)
        ctx.stdout.write(
          `${s.score.toFixed(2)}  ${s.reason.padEnd(13)}  ${s.name}  (${s.refCount} referrals)  ${s.detail}\n`,
        );
    });

  const register = program
    .command('register')
    .description('registers of known offenders and accounts: subjects matching one are marked prior');
  register
    .command('import')
    .description('load (or replace) a register, then match every subject against it')
    .argument('<file>', 'CSV (reference,kind,value[,service][,label][,since]) or JSON; - for stdin')
    .requiredOption('--name <name>', 'the register’s name')
    .addOption(new Option('--format <format>', 'default: from the file name').choices(REGISTER_FORMATS))
    .option('--json', 'print one JSON document')
    .action(async (file: string, opts: { name: string; format?: RegisterFormat; json?: boolean }) => {
      const format = opts.format ?? formatOf(file);
      const text = await readText(ctx, file);
      if (text === undefined) return;
      const r = await (await ctx.app()).subjects.importRegister(opts.name, text, format, ctx.operator);
      if (!r.ok) return refusedFile(ctx, r.problems, file);
      ctx.stdout.write(
        opts.json
          ? `${JSON.stringify(r.value)}\n`
          : `loaded register ${r.value.name}: ${r.value.entries} entries, ${r.value.subjectsMatched} subjects match\n`,
      );
    });
  register
    .command('list')
    .description('the registers loaded (names and sizes)')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      const r = await (await ctx.app()).subjects.registers(ctx.operator);
      if (!r.ok) return refused(ctx, r.problems);
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify(r.value)}\n`);
        return;
      }
      for (const g of r.value) ctx.stdout.write(`${g.name}  ${g.entries} entries  ${g.importedAt}\n`);
    });

  program
    .command('deconfliction')
    .description('subjects another organisation holds too: who, since when, through which identifiers')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      const r = await (await ctx.app()).subjects.notices(ctx.operator);
      if (!r.ok) return refused(ctx, r.problems);
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify(r.value)}\n`);
        return;
      }
      for (const n of r.value) ctx.stdout.write(`${noticeLine(n)}\n`);
    });
}

function subjectsCommands(program: Command, ctx: CommandContext): void {
  const subjects = program
    .command('subjects')
    .description(
      'subjects: the persons linked from referrals, with the evidence for every link (alone: list them)',
    );
  subjects
    .command('list', { isDefault: true })
    .description('one line per subject (the default)')
    .option('--with-prior', 'only subjects matching a register of known offenders')
    .option('--limit <n>', 'page size (at most 200)', positiveInt('--limit'), 50)
    .option('--after <cursor>', 'the next-page cursor a previous page printed')
    .option('--json', 'print one JSON document')
    .action(async (opts: { withPrior?: boolean; limit: number; after?: string; json?: boolean }) => {
      const r = await (
        await ctx.app()
      ).subjects.list(
        {
          limit: Math.min(opts.limit, 200),
          ...(opts.after !== undefined && { after: opts.after }),
          ...(opts.withPrior && { withPrior: true }),
        },
        ctx.operator,
      );
      if (!r.ok) return refused(ctx, r.problems);
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify(r.value)}\n`);
        return;
      }
      for (const s of r.value.items) ctx.stdout.write(`${subjectLine(s)}\n`);
      if (r.value.next) ctx.stdout.write(`next: --after ${r.value.next}\n`);
    });
  subjects
    .command('show')
    .description('a subject: referrals, identifiers, the evidence for its links, prior hits, decisions')
    .argument('<id>', 'subject id')
    .option('--json', 'print one JSON document')
    .action(async (id: string, opts: { json?: boolean }) => {
      const r = await (await ctx.app()).subjects.get(id, ctx.operator);
      if (!r.ok) return refused(ctx, r.problems);
      ctx.stdout.write(opts.json ? `${JSON.stringify(r.value)}\n` : subjectText(r.value));
    });
  subjects
    .command('split')
    .description('split some accounts off a subject (kept for every later linking)')
    .argument('<id>', 'subject id')
    .requiredOption(
      '--accounts <list>',
      'the accounts to split off, comma-separated (as `subjects show` names them)',
    )
    .requiredOption('--reason <text>', 'why (kept with the decision and in the audit trail)')
    .option('--json', 'print one JSON document')
    .action(async (id: string, opts: { accounts: string; reason: string; json?: boolean }) => {
      const accounts = opts.accounts
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== '');
      const r = await (await ctx.app()).subjects.split(id, accounts, opts.reason, ctx.operator);
      if (!r.ok) return refused(ctx, r.problems);
      ctx.stdout.write(
        opts.json
          ? `${JSON.stringify({ subject: id, subjects: r.value })}\n`
          : `${id}: split into ${r.value.join(', ')}\n`,
      );
    });
  subjects
    .command('merge')
    .description('merge subjects believed to be one person (kept for every later linking)')
    .argument('<ids...>', 'two or more subject ids')
    .requiredOption('--reason <text>', 'why (kept with the decision and in the audit trail)')
    .option('--json', 'print one JSON document')
    .action(async (ids: string[], opts: { reason: string; json?: boolean }) => {
      const r = await (await ctx.app()).subjects.merge(ids, opts.reason, ctx.operator);
      if (!r.ok) return refused(ctx, r.problems);
      ctx.stdout.write(
        opts.json ? `${JSON.stringify({ subject: r.value, merged: ids })}\n` : `merged into ${r.value}\n`,
      );
    });
  subjects
    .command('confirm')
    .description('record that an analyst checked a subject’s links and holds them right')
    .argument('<id>', 'subject id')
    .requiredOption('--reason <text>', 'why (kept with the decision and in the audit trail)')
    .option('--json', 'print one JSON document')
    .action(async (id: string, opts: { reason: string; json?: boolean }) => {
      const r = await (await ctx.app()).subjects.confirm(id, opts.reason, ctx.operator);
      if (!r.ok) return refused(ctx, r.problems);
      ctx.stdout.write(opts.json ? `${JSON.stringify({ subject: r.value })}\n` : `${r.value}: confirmed\n`);
    });
  subjects
    .command('graph')
    .description('a subject as a graph: Cytoscape.js elements JSON or GraphML')
    .argument('<id>', 'subject id')
    .addOption(new Option('--format <format>', 'graph format').choices(GRAPH_FORMATS).default('json'))
    .option('--out <file>', 'write to the file instead of stdout')
    .action(async (id: string, opts: { format: (typeof GRAPH_FORMATS)[number]; out?: string }) => {
      const r = await (await ctx.app()).subjects.graph(id, opts.format, ctx.operator);
      if (!r.ok) return refused(ctx, r.problems);
      const text = r.value.endsWith('\n') ? r.value : `${r.value}\n`;
      if (opts.out === undefined) {
        ctx.stdout.write(text);
        return;
      }
      try {
        await writeFile(opts.out, text);
      } catch (e) {
        ctx.stderr.write(`conduit: ${opts.out}: ${(e as Error).message}\n`);
        ctx.exit(EXIT.usage);
        return;
      }
      ctx.stdout.write(`wrote the graph of subject ${id} (${opts.format}) to ${opts.out}\n`);
    });
}

function summaryLine(s: LinkRunSummary): string {
  return `linked ${s.linked} referrals, ${s.subjectsChanged} subjects changed, ${s.notices} deconfliction notices`;
}

function subjectLine(s: SubjectSummary): string {
  return [
    s.id,
    `${s.referrals} referrals`.padEnd(13),
    `${s.accounts.length} accounts`.padEnd(12),
    `${s.firstSeen} .. ${s.lastSeen}`,
    ...(s.prior.length > 0 ? ['PRIOR'] : []),
    ...(s.confirmed ? ['confirmed'] : []),
  ].join('  ');
}

function subjectText(s: SubjectView): string {
  const out = [`subject ${subjectLine(s)}`, `accounts: ${s.accounts.join(', ')}`];
  for (const p of s.prior)
    out.push(
      `prior: ${p.register} ${p.reference}${p.label ? ` (${p.label})` : ''}${p.since ? ` since ${p.since}` : ''}: ${p.reason}`,
    );
  out.push('referrals:');
  for (const r of s.referralsVisible)
    out.push(
      `  ${r.id}  person ${r.slot}  ${r.account}  ${r.receivedAt}  ${r.recipient ?? '-'}  ${r.country ?? 'no country'}  priority ${r.priority ?? '-'}`,
    );
  out.push('identifiers:');
  for (const x of s.identifiers) out.push(`  ${x.kind}  ${x.raw}  (${x.referrals} referrals)`);
  out.push('evidence:');
  for (const e of s.evidence)
    out.push(
      `  ${e.from ?? '(not yours)'} - ${e.to ?? '(not yours)'}  ${e.rule}${e.reasons.length > 0 ? `: ${[...new Set(e.reasons)].join('; ')}` : ''}`,
    );
  if (s.heldElsewhere.length > 0) {
    out.push('held elsewhere:');
    for (const h of s.heldElsewhere)
      out.push(`  ${h.organisation}  ${h.referrals} referrals since ${h.since}`);
  }
  if (s.decisions.length > 0) {
    out.push('decisions:');
    for (const d of s.decisions) out.push(`  ${d.at}  ${d.kind}  ${d.by}: ${d.reason}`);
  }
  return `${out.join('\n')}\n`;
}

function communityLine(c: CommunityView): string {
  // Each subject is a prospective investigation in its country.
  const where = c.countries.map((x, i) => {
    const what = i === 0 ? ` investigation${x.subjects === 1 ? '' : 's'}` : '';
    return `${x.subjects}${what} ${x.country === 'unknown' ? 'with no country' : `in ${x.country}`}`;
  });
  return [
    c.id,
    `${c.service} group ${c.group}`,
    `${c.subjects} subjects`,
    `${c.referrals} referrals`,
    ...(where.length > 0 ? [`would become ${where.join(', ')}`] : []),
  ].join('  ');
}

function noticeLine(n: DeconflictionNotice): string {
  return [
    n.at,
    n.side.padEnd(8),
    `subject ${n.subject}`,
    `${n.side === 'holder' ? 'now also reaching' : 'held by'} ${n.otherOrganisation} (held since ${n.heldSince})`,
    `referral ${n.referral ?? '(theirs)'}`,
    `via ${n.via.join('; ') || '-'}`,
  ].join('  ');
}

function formatOf(file: string): RegisterFormat {
  const lower = file.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.json')) return 'json';
  throw new UsageError(`--format: cannot tell csv or json from the name ${file}; say which with --format`);
}
