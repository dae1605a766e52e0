import { Option, type Command } from 'commander';
import { LEXICON_FORMATS, RULE_KINDS, type LexiconFormat, type RuleKind } from '../rules/rules.service.ts';
import { EXIT, type CommandContext } from './cli.ts';
import { readText, refusedFile } from './replies.ts';

/** `conduit rules` (routing and priority rules) and `conduit lexicon` (indicator term lists). */
export function rulesCommands(program: Command, ctx: CommandContext): void {
  const rules = program.command('rules').description('routing and priority rules: show, validate, load');
  const kind = () => new Option('--kind <kind>', 'which rules').choices(RULE_KINDS).makeOptionMandatory();

  rules
    .command('show')
    .description('print the rules in force (JSON)')
    .addOption(kind())
    .action(async (opts: { kind: RuleKind }) => {
      const r = await (await ctx.app()).rules.show(opts.kind, ctx.operator);
      if (!r.ok) return refusedFile(ctx, r.problems, '');
      ctx.stdout.write(`${JSON.stringify(r.value, null, 2)}\n`);
    });
  rules
    .command('validate')
    .description('check a rules file without loading it')
    .argument('<file>', 'JSON rules file')
    .addOption(kind())
    .action(async (file: string, opts: { kind: RuleKind }) => {
      const doc = await readJson(ctx, file);
      if (doc === undefined) return;
      const r = (await ctx.app()).rules.validate(opts.kind, doc.value);
      if (!r.ok) return refusedFile(ctx, r.problems, file);
      ctx.stdout.write(`${file}: valid ${opts.kind} rules, version ${r.value.version}\n`);
    });
  rules
    .command('load')
    .description('load a rules file: in force for every referral decided after (re-run routing to apply it)')
    .argument('<file>', 'JSON rules file')
    .addOption(kind())
    .action(async (file: string, opts: { kind: RuleKind }) => {
      const doc = await readJson(ctx, file);
      if (doc === undefined) return;
      const r = await (await ctx.app()).rules.load(opts.kind, doc.value, ctx.operator);
      if (!r.ok) return refusedFile(ctx, r.problems, file);
      ctx.stdout.write(`loaded ${opts.kind} rules ${r.value.version} (revision ${r.value.revision})\n`);
    });

  const lexicon = program
    .command('lexicon')
    .description("indicator lexicons: an agency's own weighted term lists (never shipped with Conduit)");
  lexicon
    .command('import')
    .description('load (or replace) a lexicon')
    .argument('<file>', 'CSV (term,weight) or JSON ({"terms":[{"term","weight"}]})')
    .requiredOption('--name <name>', 'the lexicon’s name')
    .addOption(new Option('--format <format>', 'default: from the file name').choices(LEXICON_FORMATS))
    .action(async (file: string, opts: { name: string; format?: LexiconFormat }) => {
      const text = await readText(ctx, file);
      if (text === undefined) return;
      const format = opts.format ?? (file.toLowerCase().endsWith('.json') ? 'json' : 'csv');
      const r = await (await ctx.app()).rules.importLexicon(opts.name, text, format, ctx.operator);
      if (!r.ok) return refusedFile(ctx, r.problems, file);
      ctx.stdout.write(
        `loaded lexicon ${r.value.name} revision ${r.value.revision}: ${r.value.terms} terms\n`,
      );
    });
  lexicon
    .command('list')
    .description('the lexicons loaded (names and sizes)')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      const r = await (await ctx.app()).rules.lexicons(ctx.operator);
      if (!r.ok) return refusedFile(ctx, r.problems, '');
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify(r.value)}\n`);
        return;
      }
      for (const l of r.value)
        ctx.stdout.write(
          `${l.name}  revision ${l.revision}  ${l.terms} terms  ${l.loadedAt}  ${l.loadedBy}\n`,
        );
    });
  lexicon
    .command('remove')
    .description('retire a lexicon')
    .argument('<name>')
    .action(async (name: string) => {
      const r = await (await ctx.app()).rules.removeLexicon(name, ctx.operator);
      if (!r.ok) return refusedFile(ctx, r.problems, '');
      ctx.stdout.write(`retired lexicon ${name}\n`);
    });
}

async function readJson(ctx: CommandContext, file: string): Promise<{ value: unknown } | undefined> {
  const text = await readText(ctx, file);
  if (text === undefined) return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (e) {
    ctx.stderr.write(`conduit: ${file}: not JSON: ${(e as Error).message}\n`);
    ctx.exit(EXIT.rejected);
    return undefined;
  }
}
