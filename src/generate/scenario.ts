/**
 * The synthetic operation, as a stream of events: providers detect material and report accounts; the
 * accounts belong to persons who use several services under variants of one nickname, share group
 * chats, sit behind shared carrier IPs and pass the same known files around. Pure and synchronous:
 * the same options always give the same events, and memory stays bounded by the persons still active
 * (a person's truth is emitted, and forgotten, once their last referral is out).
 */
import type { GeoDatabase } from '../adapters/geo.ts';
import { openGeoDatabase } from '../adapters/geo.ts';
import type { CountryCode } from '../domain/ids.ts';
import { parseCountryCode } from '../domain/ids.ts';
import type {
  Account,
  AssociatedAccount,
  CaptureEvent,
  Email,
  EstimatedLocation,
  IncidentType,
  InternetDetail,
  IpEvent,
  LawEnforcement,
  Phone,
  ReferralDocument,
  ReportAnnotation,
  Victim,
} from '../domain/referral.ts';
import type { CountryInfo, PhoneNumber, Provider } from './catalog.ts';
import {
  COUNTRIES,
  COUNTRY_WEIGHTS,
  EMAIL_DOMAINS,
  PHOTO_PROVIDER,
  PLACEHOLDER,
  PROVIDER_WEIGHTS,
  PROVIDERS,
  REPORTERS,
} from './catalog.ts';
import type { Difficulty, Tuning } from './difficulty.ts';
import { tuningOf } from './difficulty.ts';
import type { DeviceIdentity } from './identifiers.ts';
import {
  CGNAT_GATEWAYS,
  HOME_IPV4,
  PORT_BLOCKS,
  PhoneBook,
  deviceId,
  portInBlock,
  uniqueIpv6,
} from './identifiers.ts';
import type { Nickname, ScreenName } from './nicknames.ts';
import { displayNameOf, makeNickname, screenNameVariant } from './nicknames.ts';
import { expectedPriority } from './priority.ts';
import type { Weighted } from './prng.ts';
import { Prng, draw, mix32, weighted } from './prng.ts';
import { DueQueue } from './schedule.ts';
import { FileMaker } from './files.ts';
import { GeoAddressBook } from './geo-ips.ts';
import type {
  CommunityTruth,
  GeneratedReport,
  PersonProfile,
  PersonTruth,
  ScenarioEvent,
  SharedIpTruth,
} from './truth.ts';
import { stemOf, stemWidth } from './truth.ts';
import { instant, must } from './values.ts';

export interface ScenarioOptions {
  readonly reports: number;
  readonly seed: string | number;
  /** The scenario's present: every incident lies at least a day before it. Default {@link DEFAULT_NOW}. */
  readonly now?: Date;
  /**
   * Draw IP addresses from the geo database's own country ranges instead of the documentation ranges:
   * every event then geolocates to its person's true country, except proxy-flagged ones, which come
   * from a VPN exit in another country. Default false (the output is then unchanged).
   */
  readonly geoIps?: boolean;
  /** The database `geoIps` draws from (default: {@link openGeoDatabase}, DB-IP Country Lite). */
  readonly geoDatabase?: GeoDatabase;
  /**
   * How hard linking is (see difficulty.ts). Default 'easy', the output as it always was; 'hard' puts
   * most persons behind carrier NAT, gives them common nicknames and more look-alike screen names, and
   * lets their accounts share fewer identifiers.
   */
  readonly difficulty?: Difficulty;
}

/** A fixed present, so that output never depends on the wall clock. */
export const DEFAULT_NOW = new Date('2026-01-01T00:00:00Z');

/** CyberTipline-style numeric report ids: `REPORT_ID_BASE + index + 1`. */
export const REPORT_ID_BASE = 100_000_000;

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------------
// Shape of the operation. Weights are rough, chosen to look like published CyberTipline statistics:
// almost all reports are about material; enticement is a minority; trafficking is rare.

const PROFILE: Weighted<PersonProfile> = weighted<PersonProfile>([
  ['collector', 88],
  ['groomer', 12],
]);

const COLLECTOR_TYPES: Weighted<IncidentType> = weighted<IncidentType>([
  ['Child Pornography (possession, manufacture, and distribution)', 965],
  ['Unsolicited Obscene Material Sent to a Child', 10],
  ['Misleading Words or Digital Images on the Internet', 10],
  ['Misleading Domain Name', 3],
  ['Child Sex Trafficking', 5],
  ['Child Sexual Molestation', 5],
  ['Child Sex Tourism', 2],
]);

const GROOMER_TYPES: Weighted<IncidentType> = weighted<IncidentType>([
  ['Online Enticement of Children for Sexual Acts', 75],
  ['Child Pornography (possession, manufacture, and distribution)', 12],
  ['Unsolicited Obscene Material Sent to a Child', 8],
  ['Child Sex Trafficking', 3],
  ['Child Sexual Molestation', 2],
]);

/** How many referrals a person gets over the scenario: most once, a few many times. */
const REFERRAL_BUCKETS: Weighted<readonly [number, number]> = weighted<readonly [number, number]>([
  [[1, 1], 40],
  [[2, 2], 20],
  [[3, 3], 12],
  [[4, 6], 15],
  [[7, 15], 10],
  [[16, 40], 3],
]);

const ACCOUNT_COUNT: Weighted<number> = weighted<number>([
  [1, 40],
  [2, 30],
  [3, 20],
  [4, 10],
]);

const VICTIM_AGE: Weighted<number> = weighted<number>([
  [10, 3],
  [11, 5],
  [12, 10],
  [13, 18],
  [14, 22],
  [15, 20],
  [16, 14],
  [17, 8],
]);

const EMAIL_COUNT: Weighted<number> = weighted<number>([
  [0, 15],
  [1, 45],
  [2, 30],
  [3, 10],
]);
const PHONE_COUNT: Weighted<number> = weighted<number>([
  [0, 25],
  [1, 60],
  [2, 15],
]);
const DEVICE_COUNT: Weighted<number> = weighted<number>([
  [0, 30],
  [1, 50],
  [2, 20],
]);

const IP_EVENTS: Weighted<CaptureEvent> = weighted<CaptureEvent>([
  ['Login', 75],
  ['Other', 8],
  ['Unknown', 7],
  ['Purchase', 2],
]);

const GROUP_SERVICES: Weighted<Provider> = weighted<Provider>(
  PROVIDERS.map((p): readonly [Provider, number] => [
    p,
    p.kind === 'chat' ? 70 : p.kind === 'photo' ? 20 : 0,
  ]),
);

const BUNDLE_RATE = 0.02;
const COMMUNITY_RATE = 0.12;
/** Share of IP events a provider flags `possibleProxy: true`. */
const PROXY_RATE = 0.05;

// ---------------------------------------------------------------------------------------------------

interface Community {
  readonly groupId: string;
  readonly service: Provider;
  readonly target: number;
  readonly persons: string[];
}

interface AccountState {
  readonly provider: Provider;
  readonly espIdentifier: string;
  readonly screen: ScreenName;
  readonly displayName: string | undefined;
  readonly platform: string;
  readonly emails: readonly string[];
  readonly phones: readonly PhoneNumber[];
  readonly devices: readonly DeviceIdentity[];
  readonly createdAt: number;
  readonly groupId: string | undefined;
  /** Report ids this account was reported in (the last few), for `priorCTReports`. */
  readonly prior: number[];
  seen: boolean;
}

interface PersonState {
  readonly idx: number;
  readonly id: string;
  readonly profile: PersonProfile;
  readonly country: CountryInfo;
  readonly nick: Nickname;
  readonly age: number;
  readonly accounts: AccountState[];
  readonly ipv6: readonly string[];
  readonly ipv4: string;
  /** The CGNAT port block this person got at each IPv4 address it used. */
  readonly blocks: Map<string, number>;
  readonly community: Community | undefined;
  readonly referrals: number[];
  remaining: number;
  readonly seen: {
    readonly emails: Set<string>;
    readonly phones: Set<string>;
    readonly devices: Set<string>;
    readonly ips: Set<string>;
  };
}

interface IpUse {
  readonly persons: Set<number>;
  nextBlock: number;
  lastAt: number;
  lastPerson: number;
}

const COUNTRY_CODES: ReadonlyMap<string, CountryCode> = new Map(
  COUNTRIES.map((c) => [c.code, must(parseCountryCode(c.code), 'country code')]),
);

function countryCode(code: string): CountryCode {
  return must(COUNTRY_CODES.get(code), 'country code');
}

/**
 * The scenario as events, in order: for each referral a `report` event, then a `person` event for
 * every person whose last referral that was; at the very end the persons still open and one `end`
 * event (communities, shared IPs, circulating files).
 */
export function* scenario(opts: ScenarioOptions): Generator<ScenarioEvent, void, undefined> {
  if (!Number.isInteger(opts.reports) || opts.reports < 0)
    throw new RangeError('reports: a non-negative integer');
  const world = new World(opts);
  for (let i = 0; i < opts.reports; i++) yield* world.report(i);
  yield* world.finish();
}

/** Only the referrals of a scenario, for callers that do not need its truth (benchmarks, demos). */
export function* scenarioReports(opts: ScenarioOptions): Generator<GeneratedReport, void, undefined> {
  for (const e of scenario(opts)) if (e.kind === 'report') yield e;
}

class World {
  private readonly rng: Prng;
  private readonly salt: number;
  private readonly n: number;
  private readonly width: number;
  private readonly start: number;
  private readonly span: number;
  private readonly gap: number;
  private readonly nowIso: string;
  private readonly phones: PhoneBook;
  private readonly due = new DueQueue<PersonState>();
  /** Persons with referrals still to come, in creation order (so the final flush is deterministic). */
  private readonly open = new Set<PersonState>();
  private readonly communities: Community[] = [];
  private openCommunity: Community | undefined;
  private readonly ipUse = new Map<string, IpUse>();
  private readonly media: FileMaker;
  /** With `geoIps`: where addresses come from instead of the documentation ranges. */
  private readonly geo: GeoAddressBook | undefined;
  /** The constants `difficulty` sets. */
  private readonly tuning: Tuning;
  private persons = 0;
  private accounts = 0;
  private devices = 0;
  private v6 = 0;
  private groups = 0;

  constructor(private readonly opts: ScenarioOptions) {
    this.tuning = tuningOf(opts.difficulty);
    this.rng = new Prng(opts.seed);
    this.salt = this.rng.u32();
    this.n = opts.reports;
    this.width = stemWidth(opts.reports);
    const now = (opts.now ?? DEFAULT_NOW).getTime();
    this.nowIso = instant(now);
    // Incidents are spread over a period that grows with the scenario (5 minutes per report, between
    // 30 days and 2 years) and end a day before "now", so they are always in the past.
    const end = Math.floor((now - DAY) / SECOND) * SECOND;
    this.span = Math.min(730 * DAY, Math.max(30 * DAY, this.n * 5 * 60_000));
    this.start = end - this.span;
    this.gap = Math.min(5000, Math.max(10, Math.floor(this.n / 20)));
    this.phones = new PhoneBook(new Prng(opts.seed, 'phones'));
    this.media = new FileMaker(this.rng, this.n);
    this.geo = opts.geoIps
      ? new GeoAddressBook(
          opts.geoDatabase ?? openGeoDatabase(),
          new Prng(opts.seed, 'geo-ips'),
          COUNTRIES.map((c) => c.code),
        )
      : undefined;
  }

  *report(i: number): Generator<ScenarioEvent> {
    const rng = this.rng;
    const t = this.start + Math.floor((this.span * (i + rng.float())) / this.n / SECOND) * SECOND;
    const stem = stemOf(i, this.width);
    const reportId = REPORT_ID_BASE + i + 1;
    let persons: PersonState[];
    let doc: ReferralDocument;
    let circulating: boolean[];
    if (rng.chance(BUNDLE_RATE)) {
      const count = rng.range(2, 5);
      persons = Array.from({ length: count }, () => this.newPerson('sharer', PHOTO_PROVIDER));
      ({ doc, circulating } = this.bundle(stem, t, persons));
    } else {
      const p = this.due.popDue(i) ?? this.newPerson(draw(rng, PROFILE));
      persons = [p];
      ({ doc, circulating } = this.single(stem, reportId, t, p));
    }
    yield {
      kind: 'report',
      index: i,
      stem,
      reportId,
      doc,
      expectedPriority: expectedPriority(doc, circulating),
      persons: persons.map((p) => p.id),
    };
    for (const p of persons) {
      p.referrals.push(i);
      p.remaining--;
      if (p.remaining > 0) this.due.push(i + 1 + rng.int(this.gap), p);
      else yield this.complete(p);
    }
  }

  *finish(): Generator<ScenarioEvent> {
    for (const p of [...this.open]) yield this.complete(p);
    const id = (idx: number): string => personId(idx);
    const sharedCgnat: SharedIpTruth[] = [];
    for (const [ip, use] of this.ipUse) {
      if (use.persons.size > 1) sharedCgnat.push({ ip, persons: [...use.persons].map(id) });
    }
    const communities: CommunityTruth[] = this.communities.map((c) => ({
      groupId: c.groupId,
      service: c.service.service,
      persons: [...c.persons],
    }));
    const circulatingFiles = this.media.truth();
    yield {
      kind: 'end',
      seed: this.opts.seed,
      reports: this.n,
      now: this.nowIso,
      communities,
      sharedCgnat,
      circulatingFiles,
      // Only for hard, so that easy output stays what it always was.
      ...(this.opts.difficulty === 'hard' ? { difficulty: this.opts.difficulty } : {}),
    };
  }

  private complete(p: PersonState): ScenarioEvent {
    this.open.delete(p);
    const person: PersonTruth = {
      id: p.id,
      nickname: p.nick.base,
      trueCountry: p.country.code,
      profile: p.profile,
      accounts: p.accounts
        .filter((a) => a.seen)
        .map((a) => ({
          service: a.provider.service,
          espIdentifier: a.espIdentifier,
          screenName: a.screen.name,
          transforms: a.screen.transforms,
        })),
      identifiers: {
        emails: [...p.seen.emails],
        phones: [...p.seen.phones],
        devices: [...p.seen.devices],
        ips: [...p.seen.ips],
      },
      communities: p.community ? [p.community.groupId] : [],
      referrals: p.referrals.map((i) => stemOf(i, this.width)),
    };
    return { kind: 'person', person };
  }

  // --- persons ----------------------------------------------------------------------------------

  private newPerson(profile: PersonProfile, required?: Provider): PersonState {
    const rng = this.rng;
    const idx = this.persons++;
    const id = personId(idx);
    const country = draw(rng, COUNTRY_WEIGHTS);
    const tuning = this.tuning;
    const nick = makeNickname(rng, tuning.nicknames);
    const community = profile !== 'sharer' && rng.chance(COMMUNITY_RATE) ? this.joinCommunity(id) : undefined;

    const providers: Provider[] = [];
    if (community) providers.push(community.service);
    if (required && !providers.includes(required)) providers.push(required);
    const wanted = profile === 'sharer' ? rng.range(1, 2) : draw(rng, ACCOUNT_COUNT);
    while (providers.length < wanted) {
      const p = draw(rng, PROVIDER_WEIGHTS);
      // Now and then a second account on the same service (a ban-evasion or "backup" account).
      if (!providers.includes(p) || rng.chance(0.15)) providers.push(p);
    }

    const token = mix32((idx ^ this.salt) >>> 0).toString(36);
    const emailCount = draw(rng, EMAIL_COUNT);
    const emails = Array.from({ length: emailCount }, (_, k) => {
      const sep = rng.pick(['.', '_', '']);
      const local = nick.words.join(sep) + (nick.digits && rng.chance(0.5) ? nick.digits : '');
      return `${local}.${token}${k === 0 ? '' : k}@${rng.pick(EMAIL_DOMAINS)}`;
    });
    const phoneCount = draw(rng, PHONE_COUNT);
    const phones: PhoneNumber[] = [];
    for (let k = 0; k < phoneCount; k++) {
      const ph = this.phones.next(country);
      if (ph) phones.push(ph);
    }
    const devices = Array.from({ length: draw(rng, DEVICE_COUNT) }, () =>
      deviceId(rng, (this.devices++ ^ this.salt) >>> 0),
    );
    const ipv6 = Array.from({ length: rng.range(1, 2) }, () => {
      const token = (this.v6++ ^ this.salt) >>> 0;
      return this.geo ? this.geo.ipv6(country.code, mix32(token)) : uniqueIpv6(rng, token);
    });
    const ipv4 = this.line(
      country,
      rng.chance(tuning.cgnatSubscriberRate) ? rng.pick(CGNAT_GATEWAYS) : rng.pick(HOME_IPV4),
    );

    let groupAssigned = false;
    const share = tuning.shareFactor;
    const accounts = providers.map((provider, k): AccountState => {
      const inGroup = community !== undefined && provider === community.service && !groupAssigned;
      if (inGroup) groupAssigned = true;
      const chat = provider.kind === 'chat';
      return {
        provider,
        espIdentifier: provider.userId(mix32((this.accounts++ ^ this.salt) >>> 0), rng),
        screen: screenNameVariant(rng, nick, k === 0, tuning.nicknames),
        displayName: rng.chance(0.4) ? displayNameOf(nick) : undefined,
        platform: rng.pick(provider.platforms),
        // A primary e-mail and phone often recur across a person's accounts: the links to find.
        emails: emails.filter((_, j) => rng.chance((j === 0 ? 0.6 : 0.3) * share)),
        phones: phones.filter((_, j) => rng.chance((j === 0 ? (chat ? 0.9 : 0.3) : 0.2) * share)),
        devices: devices.filter(() => rng.chance(0.5 * share)),
        createdAt: this.start - rng.int(400 * 24) * HOUR - rng.int(3600) * SECOND,
        groupId: inGroup ? community.groupId : undefined,
        prior: [],
        seen: false,
      };
    });

    const remaining =
      profile === 'sharer'
        ? 1
        : (() => {
            const [lo, hi] = draw(rng, REFERRAL_BUCKETS);
            return rng.range(lo, hi);
          })();
    const p: PersonState = {
      idx,
      id,
      profile,
      country,
      nick,
      age: rng.range(18, 66),
      accounts,
      ipv6,
      ipv4,
      blocks: new Map(),
      community,
      referrals: [],
      remaining,
      seen: { emails: new Set(), phones: new Set(), devices: new Set(), ips: new Set() },
    };
    this.open.add(p);
    return p;
  }

  private joinCommunity(personIdStr: string): Community {
    let c = this.openCommunity;
    if (c === undefined || c.persons.length >= c.target) {
      const token = mix32((this.groups++ ^ this.salt ^ 0x5bd1e995) >>> 0);
      c = {
        groupId: `grp_${token.toString(16).padStart(8, '0')}${this.rng.hex(2)}`,
        service: draw(this.rng, GROUP_SERVICES),
        target: this.rng.range(3, 10),
        persons: [],
      };
      this.communities.push(c);
      this.openCommunity = c;
    }
    c.persons.push(personIdStr);
    return c;
  }

  // --- reports ----------------------------------------------------------------------------------

  private single(
    stem: string,
    reportId: number,
    t: number,
    p: PersonState,
  ): { doc: ReferralDocument; circulating: boolean[] } {
    const rng = this.rng;
    const first = p.referrals.length === 0;
    const account = this.chooseAccount(p, first);
    const provider = account.provider;
    const groomer = p.profile === 'groomer';
    const type = draw(rng, groomer ? GROOMER_TYPES : COLLECTOR_TYPES);

    const annotations: ReportAnnotation[] = [];
    if (groomer) {
      if (rng.chance(0.35)) annotations.push('sextortion');
      if (rng.chance(0.3)) annotations.push('csamSolicitation');
      if (rng.chance(0.05)) annotations.push('minorToMinorInteraction');
    } else {
      if (rng.chance(0.01)) annotations.push('sextortion');
      if (rng.chance(0.03)) annotations.push('csamSolicitation');
      if (rng.chance(0.005)) annotations.push('sadisticOnlineExploitation');
    }

    const upload = (at: number): IpEvent => this.ipEvent(p, 'Upload', at, t, false);
    const { files, circulating } = this.media.reportFiles(
      provider,
      account.espIdentifier,
      t,
      groomer,
      upload,
    );
    const withGroup = account.groupId !== undefined && (first || rng.chance(0.85));
    const reported = this.reportedAccount(p, account, t, files.length > 0, withGroup);

    const victims: Victim[] = [];
    if (groomer && rng.chance(0.9)) victims.push(this.victim(provider, p, t));
    else if (!groomer && rng.chance(0.03)) victims.push({ age: draw(rng, VICTIM_AGE), ipEvents: [] });

    const intendedRecipients: Account[] = [];
    if (provider.kind === 'chat' && !groomer && rng.chance(0.12))
      intendedRecipients.push(this.recipient(provider));

    const escalate = groomer ? rng.chance(0.18) : rng.chance(0.015);
    const doc: ReferralDocument = {
      sourceRef: stem,
      incident: {
        type,
        occurredAt: instant(t),
        occurredAtDescription: rng.chance(0.2) ? `${PLACEHOLDER} time of the in-app detection` : undefined,
        platform: account.platform,
        escalation: escalate ? `${PLACEHOLDER} escalation reason` : undefined,
        annotations,
      },
      internet: this.internet(p, account, t, withGroup),
      lawEnforcement: rng.chance(0.01) ? this.lawEnforcement(p, t) : undefined,
      reporter: must(REPORTERS.get(provider), 'reporter'),
      reportedPersons: [reported],
      intendedRecipients,
      victims,
      files,
      additionalInfo: rng.chance(0.15) ? `${PLACEHOLDER} report note` : undefined,
    };
    account.prior.push(reportId);
    if (account.prior.length > 3) account.prior.shift();
    return { doc, circulating };
  }

  /** A bundled report: several one-off users who shared the same viral/meme item. */
  private bundle(
    stem: string,
    t: number,
    persons: readonly PersonState[],
  ): { doc: ReferralDocument; circulating: boolean[] } {
    const rng = this.rng;
    const shares = persons.map((_, k) => t - (k === 0 ? 0 : rng.int(HOUR / SECOND) * SECOND));
    const earliest = Math.min(...shares);
    const reportedPersons = persons.map((p, k) => {
      const account = must(
        p.accounts.find((a) => a.provider === PHOTO_PROVIDER),
        'bundle account',
      );
      return this.reportedAccount(p, account, shares[k] ?? t, true, false);
    });
    const first = must(persons[0], 'bundled person');
    const file = this.media.viralFile(PHOTO_PROVIDER, t, (at) => this.ipEvent(first, 'Upload', at, t, false));
    const doc: ReferralDocument = {
      sourceRef: stem,
      incident: {
        type: 'Child Pornography (possession, manufacture, and distribution)',
        occurredAt: instant(earliest),
        occurredAtDescription: `${PLACEHOLDER} earliest share time among the bundled users`,
        platform: PHOTO_PROVIDER.service,
        annotations: [],
        batchedReason: 'VIRAL_POTENTIAL_MEME',
      },
      internet: [
        {
          kind: 'webPage',
          urls: persons.map(() => `https://${PHOTO_PROVIDER.host}/p/${rng.digits(12)}`),
        },
      ],
      reporter: must(REPORTERS.get(PHOTO_PROVIDER), 'reporter'),
      reportedPersons,
      intendedRecipients: [],
      victims: [],
      files: [file],
      additionalInfo: `${PLACEHOLDER} bundled report: the same file shared by ${persons.length} users`,
    };
    return { doc, circulating: [true] };
  }

  private chooseAccount(p: PersonState, first: boolean): AccountState {
    const accounts = p.accounts;
    if (first && p.community) {
      const g = accounts.find((a) => a.groupId !== undefined);
      if (g) return g;
    }
    // The first account is the person's main one: reported about three times as often as each other.
    const x = this.rng.int(accounts.length + 2);
    return must(accounts[x < 3 ? 0 : x - 2], 'account');
  }

  private reportedAccount(
    p: PersonState,
    a: AccountState,
    t: number,
    uploads: boolean,
    withGroup: boolean,
  ): Account {
    const rng = this.rng;
    a.seen = true;
    const phones: Phone[] = a.phones
      .filter(() => rng.chance(0.9))
      .map((ph) => {
        p.seen.phones.add(ph.e164);
        const verified = rng.chance(0.6);
        return {
          number: ph.national,
          countryCallingCode: p.country.callingCode,
          type: 'Mobile',
          verified,
          verifiedAt: verified ? instant(a.createdAt + 5 * 60 * SECOND) : undefined,
        };
      });
    const emails: Email[] = a.emails
      .filter(() => rng.chance(0.9))
      .map((address, j) => {
        p.seen.emails.add(address);
        return { address, type: j === 0 ? 'Home' : 'Recovery', verified: rng.chance(0.5) };
      });
    const showAge = rng.chance(0.15);
    const person =
      phones.length > 0 || emails.length > 0 || showAge
        ? { phones, emails, addresses: [], age: showAge ? p.age : undefined }
        : undefined;

    const ipEvents = this.ipEvents(p, a, t, uploads);
    const devices = a.devices
      .filter(() => rng.chance(0.5))
      .map((d) => {
        p.seen.devices.add(d.idValue);
        return {
          idType: d.idType,
          idValue: d.idValue,
          event: 'Login' as const,
          at: instant(t - rng.int(48 * 3600) * SECOND),
        };
      });

    const associatedAccounts: AssociatedAccount[] = [];
    for (const other of p.accounts) {
      if (other === a || other.provider !== a.provider || !rng.chance(0.5)) continue;
      other.seen = true;
      associatedAccounts.push({
        type: 'Linked',
        platform: other.platform,
        espService: other.provider.service,
        espIdentifier: other.espIdentifier,
        screenName: other.screen.name,
        displayNames: [],
        profileUrls: [],
        ipEvents: [],
        devices: [],
        priorReports: [],
        associatedAccounts: [],
      });
    }

    const permanently = rng.chance(0.4);
    return {
      person,
      espIdentifier: a.espIdentifier,
      espService: a.provider.service,
      compromised: rng.chance(0.2) ? false : undefined,
      screenName: a.screen.name,
      displayNames: a.displayName !== undefined && rng.chance(0.6) ? [a.displayName] : [],
      profileUrls: rng.chance(0.6) ? [`https://${a.provider.host}/u/${a.espIdentifier}`] : [],
      profileBio: rng.chance(0.1) ? `${PLACEHOLDER} profile bio` : undefined,
      ipEvents,
      devices,
      groupIdentifier: withGroup ? a.groupId : undefined,
      priorReports: a.prior.length > 0 && rng.chance(0.6) ? a.prior.map(String) : [],
      temporarilyDisabled: !permanently && rng.chance(0.15) ? true : undefined,
      permanentlyDisabled: permanently ? true : undefined,
      estimatedLocation: this.location(p.country, t),
      associatedAccounts,
      additionalInfo: rng.chance(0.15) ? `${PLACEHOLDER} account note` : undefined,
    };
  }

  private ipEvents(p: PersonState, a: AccountState, t: number, uploads: boolean): IpEvent[] {
    const rng = this.rng;
    const events: IpEvent[] = [];
    if (a.prior.length === 0 && rng.chance(0.3)) {
      events.push(this.ipEvent(p, 'Registration', a.createdAt, t, false));
    }
    const count = rng.range(1, 3);
    for (let k = 0; k < count; k++) {
      const name = uploads && rng.chance(0.3) ? 'Upload' : draw(rng, IP_EVENTS);
      events.push(this.ipEvent(p, name, t - rng.int(72 * 3600) * SECOND, t));
    }
    return events.sort((x, y) => ((x.at ?? '') < (y.at ?? '') ? -1 : (x.at ?? '') > (y.at ?? '') ? 1 : 0));
  }

  /**
   * One capture event. IPv6 addresses are the person's own; IPv4 ones are shared lines: each person
   * gets a CGNAT port block per address, and now and then the event lands minutes after another
   * person's event at the same address (same IP, different port, close time: not the same person).
   * `movable` events may be shifted for that (not registrations, nor uploads tied to a file's time);
   * `limit` is the incident time they must stay before. With `geoIps`, a proxy-flagged event uses a
   * fresh VPN exit the database places in another country (what routing must learn to discount).
   */
  private ipEvent(p: PersonState, event: CaptureEvent, at: number, limit: number, movable = true): IpEvent {
    const rng = this.rng;
    // With geo addresses a proxy-flagged event comes from a VPN exit elsewhere, so its flag is drawn first.
    const early = this.geo === undefined ? undefined : rng.float();
    let address: string;
    let port: number | undefined;
    if (this.geo !== undefined && early !== undefined && early < PROXY_RATE) {
      address = this.geo.elsewhere(p.country.code);
      port = rng.range(1024, 65535);
    } else if (rng.chance(this.tuning.ipv6Rate)) {
      address = rng.pick(p.ipv6);
      port = rng.chance(0.5) ? rng.range(1024, 65535) : undefined;
    } else {
      address = rng.chance(0.9) ? p.ipv4 : this.line(p.country, rng.pick(HOME_IPV4));
      let use = this.ipUse.get(address);
      if (use === undefined) {
        use = { persons: new Set(), nextBlock: rng.int(PORT_BLOCKS), lastAt: 0, lastPerson: -1 };
        this.ipUse.set(address, use);
      }
      let block = p.blocks.get(address);
      if (block === undefined) {
        block = use.nextBlock++;
        p.blocks.set(address, block);
      }
      port = portInBlock(rng, block);
      if (
        movable &&
        use.lastPerson >= 0 &&
        use.lastPerson !== p.idx &&
        rng.chance(this.tuning.closeEventRate)
      ) {
        const close = use.lastAt + rng.range(5, 900) * SECOND;
        if (close < limit && limit - close < 3 * DAY) at = close;
      }
      use.persons.add(p.idx);
      use.lastAt = at;
      use.lastPerson = p.idx;
    }
    p.seen.ips.add(address);
    const proxy = early ?? rng.float();
    return {
      address,
      event,
      at: instant(at),
      possibleProxy: proxy < PROXY_RATE ? true : proxy < 0.35 ? false : undefined,
      port,
    };
  }

  /** A shared IPv4 line: the documentation address itself, or with `geoIps` its stand-in in the country. */
  private line(country: CountryInfo, doc: string): string {
    return this.geo ? this.geo.line(country.code, doc) : doc;
  }

  private location(country: CountryInfo, t: number): EstimatedLocation | undefined {
    const rng = this.rng;
    const r = rng.float();
    if (r < 0.2) return undefined;
    // Mostly right; sometimes the provider's geolocation is off (VPN, roaming, stale data).
    let c = country;
    if (r > 0.88) while (c === country) c = draw(rng, COUNTRY_WEIGHTS);
    const city = rng.chance(0.6) ? rng.pick(c.cities) : undefined;
    return {
      city: city?.city,
      region: city?.region,
      countryCode: countryCode(c.code),
      verified: rng.chance(0.3) ? false : undefined,
      at: rng.chance(0.5) ? instant(t) : undefined,
    };
  }

  private victim(provider: Provider, p: PersonState, t: number): Victim {
    const rng = this.rng;
    const age = draw(rng, VICTIM_AGE);
    if (rng.chance(0.6)) return { age, ipEvents: [] };
    const country = rng.chance(0.7) ? p.country : draw(rng, COUNTRY_WEIGHTS);
    return {
      age,
      espIdentifier: provider.userId(mix32((this.accounts++ ^ this.salt) >>> 0), rng),
      espService: provider.service,
      ipEvents: [],
      estimatedLocation: rng.chance(0.5) ? this.location(country, t) : undefined,
      additionalInfo: rng.chance(0.3) ? `${PLACEHOLDER} age as declared at sign-up` : undefined,
    };
  }

  /** An intended recipient: an account no person of the scenario owns (context, not a suspect). */
  private recipient(provider: Provider): Account {
    const rng = this.rng;
    return {
      espIdentifier: provider.userId(mix32((this.accounts++ ^ this.salt) >>> 0), rng),
      espService: provider.service,
      screenName: `user${rng.digits(6)}`,
      displayNames: [],
      profileUrls: [],
      ipEvents: [],
      devices: [],
      priorReports: [],
      associatedAccounts: [],
    };
  }

  private internet(p: PersonState, a: AccountState, t: number, withGroup: boolean): InternetDetail[] {
    const rng = this.rng;
    const provider = a.provider;
    const content = `${PLACEHOLDER} content omitted`;
    switch (provider.kind) {
      case 'chat': {
        const details: InternetDetail[] = [
          {
            kind: 'chatIm',
            client: `ExampleChat ${rng.range(5, 9)}.${rng.range(0, 9)}.${rng.range(0, 20)}`,
            name: withGroup && a.groupId !== undefined ? `group chat ${a.groupId}` : 'direct-message',
            content,
            additionalInfo: rng.chance(0.3)
              ? `${PLACEHOLDER} conversation retained under preservation hold`
              : undefined,
          },
        ];
        const phone = a.phones[0];
        if (p.profile === 'groomer' && phone !== undefined && rng.chance(0.1)) {
          p.seen.phones.add(phone.e164);
          details.push({
            kind: 'cellPhone',
            phone: { number: phone.national, countryCallingCode: p.country.callingCode, type: 'Mobile' },
            additionalInfo: `${PLACEHOLDER} the conversation moved to text messages`,
          });
        }
        return details;
      }
      case 'photo':
        return [
          {
            kind: 'webPage',
            urls: Array.from(
              { length: rng.range(1, 3) },
              () => `https://${provider.host}/p/${rng.digits(12)}`,
            ),
            thirdPartyHostedContent: rng.chance(0.3) ? false : undefined,
          },
        ];
      case 'drive':
        return [
          {
            kind: 'webPage',
            urls: [`https://${provider.host}/s/${rng.hex(12)}`],
            additionalInfo: rng.chance(0.3) ? `${PLACEHOLDER} shared folder link` : undefined,
          },
        ];
      case 'mail': {
        const address = a.emails[0];
        if (address !== undefined) p.seen.emails.add(address);
        return [
          {
            kind: 'email',
            emails: address === undefined ? [] : [{ address, type: 'Home' }],
            content: `${PLACEHOLDER} message headers and body omitted`,
          },
        ];
      }
      case 'game':
        return [
          {
            kind: 'onlineGaming',
            name: 'Example Arena Online',
            client: rng.pick(['PC', 'ExampleStation 5', 'ExampleBox Series']),
            content,
          },
        ];
    }
  }

  private lawEnforcement(p: PersonState, t: number): LawEnforcement {
    const rng = this.rng;
    return {
      agencyName: 'Placeholder Police Agency (synthetic)',
      caseNumber: `PPA-${new Date(t).getUTCFullYear()}-${rng.digits(4)}`,
      officer: {
        firstName: 'Officer',
        lastName: 'Placeholder',
        phones: [],
        emails: [{ address: 'officer@police.example.org', type: 'Work' }],
        addresses: [],
      },
      reportedToLe: false,
      servedLegalProcessDomestic: false,
      servedLegalProcessInternational: true,
      servedLegalProcessCountry: countryCode(p.country.code),
    };
  }
}

export function personId(idx: number): string {
  return `p-${String(idx + 1).padStart(6, '0')}`;
}
