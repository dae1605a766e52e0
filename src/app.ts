import type { AccessService } from './access/access.service.ts';
import type { AuditService } from './audit/audit.service.ts';
import type { Config } from './config.ts';
import type { HashIndexHolder } from './hashlists/hash-index.ts';
import type { HashListsService } from './hashlists/hashlists.service.ts';
import type { Organisation } from './domain/organisation.ts';
import type { IntakeService } from './intake/intake.service.ts';
import type { IspwsService } from './intake/ispws.service.ts';
import type { OrganisationsService } from './organisations/organisations.service.ts';
import type { ReferralsService } from './referrals/referrals.service.ts';
import type { DashboardService } from './referrals/dashboard.service.ts';
import type { RulesService } from './rules/rules.service.ts';
import type { TriageService } from './triage/triage.service.ts';
import type { Database } from './store/db.ts';
import type { LinkService } from './linking/link.service.ts';
import type { SubjectsService } from './linking/subjects.service.ts';

/** The services an edge may call, built once by main.ts. Edges never reach the store. */
export interface App {
  readonly config: Config;
  readonly database: Database;
  readonly intake: IntakeService;
  readonly ispws: IspwsService;
  readonly referrals: ReferralsService;
  /** Counts over the referrals in reach, for the supervisor's dashboard. */
  readonly dashboard: DashboardService;
  readonly organisations: OrganisationsService;
  readonly access: AccessService;
  readonly audit: AuditService;
  readonly hashlists: HashListsService;
  /** The loaded hash lists; `port` is what the pipeline and the API read. */
  readonly hashIndex: HashIndexHolder;
  /** Routing and priority rules, lexicons, and the organisation tree the pipeline routes over. */
  readonly rules: RulesService;
  /** The triage queue and its actions; re-running routing. */
  readonly triage: TriageService;
  /** The linker: links stored referrals into subjects (nudged after every intake), rebuilds. */
  readonly link: LinkService;
  /** Subjects, links, communities, nickname traces, analysts' decisions, registers, deconfliction. */
  readonly subjects: SubjectsService;
  /** Loads the hash lists for matching (and keeps them current after local changes). Commands that run the
   * pipeline call it first; until then every file is unmatched. */
  loadHashLists(): Promise<void>;
  readonly receiving: Organisation;
  close(): Promise<void>;
}
