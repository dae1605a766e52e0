import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { generateScenario } from '../generate/generate.ts';
import { ingestUnits } from '../intake/ingest.ts';
import { readUnits } from '../intake/sources.ts';
import { positiveInt, type CommandContext } from './cli.ts';
import { serve, type ServeOptions } from './serve.ts';

export const DEMO_DB = './data/demo.db';

export function demoCommand(program: Command, ctx: CommandContext): void {
  program
    .command('demo')
    .description(`a fresh demo database (${DEMO_DB}) with a synthetic operation, then serve`)
    .option('--port <port>', 'port', positiveInt('--port'), 8080)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--reports <n>', 'synthetic reports to generate', positiveInt('--reports'), 3000)
    .option('--seed <seed>', 'scenario seed', 'demo')
    .option('--no-serve', 'build the demo database and exit')
    .action(async (opts: ServeOptions & { reports: number; seed: string; serve: boolean }) => {
      // The demo never touches a real database: it always rebuilds its own SQLite file.
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${DEMO_DB}${suffix}`, { force: true });
      const app = await ctx.openApp({ db: `sqlite:${DEMO_DB}` });
      try {
        const dir = mkdtempSync(join(tmpdir(), 'conduit-demo-'));
        try {
          await generateScenario({ reports: opts.reports, seed: opts.seed, outDir: dir, format: 'xml' });
          const centre = await app.organisations.add({
            slug: 'demo-referring-centre',
            kind: 'referring-centre',
            country: 'US',
            name: 'Synthetic referring centre',
          });
          const source = centre.ok ? centre.organisation : app.receiving;
          const s = await ingestUnits(
            readUnits([dir], { maxBytes: app.config.maxInputBytes, stdin: ctx.stdin }),
            app.intake,
            source,
            { actor: 'demo', requestId: null },
            { batchSize: 500, now: () => new Date() },
          );
          ctx.stdout.write(
            `demo: ingested ${s.accepted} synthetic referrals from ${source.slug} (rejected ${s.rejected})\n`,
          );
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        ctx.stdout.write(
          'demo: no sign-in yet (user accounts arrive with the access-control work): the API is open to anyone who can reach it\n',
        );
        if (opts.serve) await serve(app, opts, ctx);
      } finally {
        await app.close();
      }
    });
}
