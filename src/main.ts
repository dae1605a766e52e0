import { v7 as uuidv7 } from 'uuid';
import type { App } from './app.ts';
import { createAuditService } from './audit/audit.service.ts';
import { runCli } from './cli/cli.ts';
import { loadConfig, type Config } from './config.ts';
import { instantOf } from './domain/ids.ts';
import { coalescingIntake, createIntakeService } from './intake/intake.service.ts';
import { createIspwsService, apiKeyAuthenticator } from './intake/ispws.service.ts';
import { createAccessService } from './access/access.service.ts';
import { createOrganisationsService } from './organisations/organisations.service.ts';
import { createPipeline } from './pipeline/pipeline.ts';
import { createReferralsService } from './referrals/referrals.service.ts';
import { createDashboardService } from './referrals/dashboard.service.ts';
import { migrate, openDatabase } from './store/db.ts';
import { createHashIndexHolder } from './hashlists/hash-index.ts';
import { createHashListsService } from './hashlists/hashlists.service.ts';
import { openGeoDatabase } from './adapters/geo.ts';
import { createRulesService } from './rules/rules.service.ts';
import { createTriageService } from './triage/triage.service.ts';
import { createLinkService } from './linking/link.service.ts';
import { loadDefaultLinkRules, loadLinkRules } from './linking/rules.ts';
import { createSubjectsService } from './linking/subjects.service.ts';

/** The only place that wires everything: config → database → ports → pipeline → services. */
export async function createApp(config: Config): Promise<App> {
  const database = openDatabase(config.db);
  try {
    await migrate(database);
    const clock = { now: () => instantOf(new Date()) };
    const newId = () => uuidv7();
    // Rules, lexicons and the organisation tree are small: loaded at start, reloaded on every local change.
    const rules = createRulesService({ database, clock, newId, receivingSlug: config.receivingOrg });
    const organisations = createOrganisationsService({ database, clock, newId, onChange: rules.reload });
    const receiving = await organisations.ensureReceiving(config.receivingOrg);
    await rules.reload();
    const access = createAccessService({ database, organisations, clock, newId });
    // Hash lists are loaded whole by the commands that match (serve, ingest, demo: `loadHashLists`), and
    // swapped whole after every change; other commands do not pay for a million-entry index.
    const hashIndex = createHashIndexHolder(database.db);
    let matching = false;
    const hashlists = createHashListsService({
      database,
      clock,
      newId,
      onChange: () => (matching ? hashIndex.reload() : undefined),
    });
    const pipeline = createPipeline(
      {
        clock,
        hashes: hashIndex.port,
        geo: openGeoDatabase(config.geoDatabase),
        rules: rules.snapshot,
        routing: { receivingOrganisation: () => receiving, organisations: rules.organisations },
        // Bound late: the linker is built below and reads what intake stores.
        links: { priorRecords: (identifiers) => link.port.priorRecords(identifiers) },
      },
      { emailProviderRules: config.emailProviderRules },
    );
    // Linking runs after intake commits (one linker at a time across processes), in arrival order.
    const linkRules = config.linkingRules ? loadLinkRules(config.linkingRules) : loadDefaultLinkRules();
    const link = createLinkService({
      db: database,
      rules: linkRules,
      clock,
      onError: (e) => process.stderr.write(`linking: ${e instanceof Error ? e.message : String(e)}\n`),
    });
    await link.reloadRegister();
    // Concurrent requests share transactions (group commit); bulk ingest batches on its own.
    const stored = coalescingIntake(createIntakeService({ database, pipeline, clock, newId }), {
      maxBatch: 500,
    });
    const intake: typeof stored = {
      async submit(source, submissions, ctx) {
        const r = await stored.submit(source, submissions, ctx);
        link.nudge();
        return r;
      },
      async submitMany(source, groups) {
        const r = await stored.submitMany(source, groups);
        link.nudge();
        return r;
      },
    };
    const ispws = createIspwsService({
      database,
      intake,
      clock,
      authenticate: apiKeyAuthenticator({
        apiKey: (key) => access.apiKey(key),
        byId: (id) => organisations.byId(id),
      }),
    });
    return {
      config,
      database,
      intake,
      ispws,
      referrals: createReferralsService({ database, organisations, clock }),
      dashboard: createDashboardService({ database, organisations, clock }),
      organisations,
      access,
      audit: createAuditService({ database, organisations, clock }),
      hashlists,
      hashIndex,
      rules,
      triage: createTriageService({
        database,
        organisations,
        pipeline,
        clock,
        onAccepted: (id) => link.deconflictAccepted(id),
      }),
      link,
      subjects: createSubjectsService({
        database,
        link,
        rules: linkRules,
        organisations,
        clock,
        receivingSlug: config.receivingOrg,
      }),
      async loadHashLists() {
        matching = true;
        await hashIndex.reload();
      },
      receiving,
      async close() {
        await link.stop();
        await database.close();
      },
    };
  } catch (e) {
    await database.close();
    throw e;
  }
}

export function main(argv: readonly string[]): Promise<number> {
  return runCli(argv, {
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    openApp: (opts) => createApp(loadConfig(opts, process.env)),
  });
}
