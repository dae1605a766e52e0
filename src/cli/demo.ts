import type { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { App } from '../app.ts';
import type { RequestContext } from '../domain/access.ts';
import type { Organisation } from '../domain/organisation.ts';
import type { NewOrganisation } from '../organisations/organisations.service.ts';
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
    .option('--file <path>', 'the demo SQLite file (rebuilt)', DEMO_DB)
    .action(async (opts: ServeOptions & { reports: number; seed: string; serve: boolean; file: string }) => {
      // The demo never touches a real database: it always rebuilds its own SQLite file.
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${opts.file}${suffix}`, { force: true });
      const app = await ctx.openApp({ db: `sqlite:${opts.file}` });
      try {
        await seedDemo(
          app,
          ctx.operator,
          { reports: opts.reports, seed: opts.seed, stdin: ctx.stdin },
          (line) => ctx.stdout.write(`${line}\n`),
        );
        for (const line of await demoLogins(app, ctx)) ctx.stdout.write(`${line}\n`);
        if (opts.serve) await serve(app, opts, ctx);
      } finally {
        await app.close();
      }
    });
}

/**
 * The synthetic operation: organisations, generated CyberTipline reports ingested and linked, a register.
 * The browser tests stand on the same data as the demo.
 */
export async function seedDemo(
  app: App,
  operator: RequestContext,
  opts: { reports: number; seed: string; stdin: Readable },
  log: (line: string) => void,
): Promise<Organisation> {
  const dir = mkdtempSync(join(tmpdir(), 'conduit-demo-'));
  try {
    // Addresses drawn from the geo database's own country ranges (DESIGN.md allows them where geolocation
    // must work): the demo shows routing by IP as well as by phone and provider estimate.
    await generateScenario({
      reports: opts.reports,
      seed: opts.seed,
      outDir: dir,
      format: 'xml',
      geoIps: true,
    });
    const source = await demoOrganisations(app, operator);
    await app.loadHashLists();
    // Linked once at the end, in full batches.
    const s = await app.link.deferred(() =>
      ingestUnits(
        readUnits([dir], { maxBytes: app.config.maxInputBytes, stdin: opts.stdin }),
        app.intake,
        source,
        operator,
        { batchSize: 500, now: () => new Date() },
      ),
    );
    log(`demo: ingested ${s.accepted} synthetic referrals from ${source.slug} (rejected ${s.rejected})`);
    await demoRegister(app, operator, join(dir, 'truth.json'), log);
    return source;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Loads a synthetic register of "known accounts": the e-mails of a few
 * generated persons (invented, example.* domains), so prior-record hits and their priority factor show.
 */
async function demoRegister(
  app: App,
  operator: RequestContext,
  truthPath: string,
  log: (line: string) => void,
): Promise<void> {
  const truth = JSON.parse(readFileSync(truthPath, 'utf8')) as {
    persons: { id: string; identifiers: { emails: string[] } }[];
  };
  const known = truth.persons.flatMap((p) => p.identifiers.emails.slice(0, 1).map((e) => [p.id, e] as const));
  const rows = known.filter((_, i) => i % 25 === 0).slice(0, 12);
  const csv = [
    'reference,kind,value,label',
    ...rows.map(([id, e]) => `DEMO-${id},email,${e},synthetic known account`),
  ];
  const r = await app.subjects.importRegister('demo-known-accounts', `${csv.join('\n')}\n`, 'csv', operator);
  if (!r.ok) throw new Error(`demo: register: ${r.problems.map((p) => p.message).join('; ')}`);
  log(
    `demo: referrals linked into subjects; register demo-known-accounts: ${r.value.entries} entries, ${r.value.subjectsMatched} subjects match`,
  );
}

/** A small tree (the source, the hub, a national centre and one of its units), as an operation would have. */
async function demoOrganisations(app: App, operator: RequestContext): Promise<Organisation> {
  const add = async (o: NewOrganisation): Promise<Organisation> => {
    const r = await app.organisations.add(o, operator);
    if (!r.ok) throw new Error(`demo: ${o.slug}: ${r.problems.map((p) => p.message).join('; ')}`);
    return r.organisation;
  };
  const centre = await add({
    slug: 'demo-referring-centre',
    kind: 'referring-centre',
    country: 'US',
    name: 'Synthetic referring centre',
  });
  await add({ slug: 'demo-ncc-it', kind: 'national-centre', country: 'IT', parent: app.receiving.slug });
  await add({
    slug: 'demo-unit-roma',
    kind: 'unit',
    country: 'IT',
    parent: 'demo-ncc-it',
    covers: ['IT-62'],
  });
  return centre;
}

/** One person per role, with fresh random passwords, and an API key for the source: printed, never stored. */
async function demoLogins(app: App, ctx: CommandContext): Promise<string[]> {
  const hub = app.receiving.slug;
  const people = [
    { email: 'admin@hub.example.org', role: 'admin', org: hub },
    { email: 'supervisor@hub.example.org', role: 'supervisor', org: hub },
    { email: 'analyst@hub.example.org', role: 'analyst', org: hub },
    { email: 'auditor@hub.example.org', role: 'auditor', org: hub },
    { email: 'investigator@unit.example.org', role: 'investigator', org: 'demo-unit-roma' },
  ];
  const lines: string[] = [];
  for (const p of people) {
    const password = randomBytes(12).toString('base64url');
    const r = await app.access.addUser({ ...p, password }, ctx.operator);
    if (!r.ok) throw new Error(`demo: ${p.email}: ${r.problems.map((x) => x.message).join('; ')}`);
    lines.push(`login: ${p.email} ${password} (${p.role}, ${p.org})`);
  }
  const key = await app.access.createApiKey(
    { org: 'demo-referring-centre', scopes: ['submit'], name: 'demo reporting client' },
    ctx.operator,
  );
  if (key.ok)
    lines.push(`apikey: ${key.value.key} (submit, demo-referring-centre; /ispws user demo-referring-centre)`);
  return lines;
}
