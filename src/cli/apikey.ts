import type { Command } from 'commander';
import type { ApiKeyView } from '../access/access.service.ts';
import { SCOPES } from '../domain/access.ts';
import type { CommandContext } from './cli.ts';
import { rejected } from './org.ts';

export function apiKeyCommands(program: Command, ctx: CommandContext): void {
  const apikey = program.command('apikey').description('API keys of machine clients (reporting providers)');
  apikey
    .command('create')
    .description('create an API key; the key is printed once and cannot be shown again')
    .requiredOption('--org <slug>', 'the organisation the client acts for')
    .option(
      '--scope <scope>',
      `what it may do: ${SCOPES.join(' | ')} (repeat for several)`,
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .option('--name <name>', 'a label to recognise it by (default: "<org> key")')
    .option('--json', 'print one JSON document: {key, apiKey}')
    .action(async (opts: { org: string; scope?: string[]; name?: string; json?: boolean }) => {
      const r = await (
        await ctx.app()
      ).access.createApiKey(
        { org: opts.org, scopes: opts.scope ?? [], ...(opts.name !== undefined && { name: opts.name }) },
        ctx.operator,
      );
      // A scope problem names its value already (and indexes the de-duplicated list, not ours).
      if (!r.ok) return rejected(ctx, r.problems);
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify(r.value)}\n`);
        return;
      }
      ctx.stdout.write(`${r.value.key}\n`);
      ctx.stderr.write(
        `conduit: created API key ${r.value.apiKey.id} for ${r.value.apiKey.organisation} ` +
          `(${r.value.apiKey.scopes.join(', ')}); the key above is shown once: store it now\n`,
      );
    });
  apikey
    .command('revoke')
    .description('revoke an API key: it stops working at once')
    .argument('<id>', 'the key id (from `conduit apikey list`)')
    .option('--json', 'print one JSON document')
    .action(async (id: string, opts: { json?: boolean }) => {
      const r = await (await ctx.app()).access.revokeApiKey(id, ctx.operator);
      if (!r.ok) return rejected(ctx, r.problems, {}, { id: '<id>' });
      ctx.stdout.write(opts.json ? `${JSON.stringify(r.value)}\n` : `revoked ${r.value.id}\n`);
    });
  apikey
    .command('list')
    .description('list API keys (never their secrets)')
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      const list = await (await ctx.app()).access.listApiKeys(ctx.operator);
      ctx.stdout.write(opts.json ? `${JSON.stringify(list)}\n` : list.map(line).join(''));
    });
}

const line = (k: ApiKeyView): string =>
  `${k.id}\t${k.organisation}\t${k.scopes.join(',')}\t${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}\t${k.name}\n`;
