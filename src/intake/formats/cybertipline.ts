/**
 * CyberTipline XML (NCMEC's `<report>` and `<fileDetails>` documents) to the canonical ReferralDocument.
 *
 * Three steps, all problems collected: read (`cybertipline-xml.ts`: UTF-8, no DTD, well-formed), check
 * against the XSD's content models (`cybertipline-schema.ts`: what libxml2 with the XSD would reject),
 * then map, applying Conduit's own checks (IP and e-mail syntax, incident time not in the future,
 * documented NCMEC limits, hash syntax). Unmapped fields stay in the raw record the caller keeps.
 * docs/cybertipline-mapping.md lists where every element goes.
 */
import type { Problem } from '../../domain/errors.ts';
import {
  parseCountryCode,
  parseMd5,
  parsePdq,
  parseSha1,
  parseSha256,
  type CountryCode,
  type Instant,
} from '../../domain/ids.ts';
import {
  CAPTURE_EVENTS,
  FILE_ANNOTATIONS,
  INCIDENT_TYPES,
  INDUSTRY_CLASSES,
  REPORT_ANNOTATIONS,
  type Account,
  type Address,
  type AssociatedAccount,
  type CaptureEvent,
  type Device,
  type Email,
  type EstimatedLocation,
  type FileAnnotation,
  type FileHashes,
  type Incident,
  type IncidentType,
  type IndustryClass,
  type InternetDetail,
  type InternetKind,
  type IpEvent,
  type LawEnforcement,
  type MediaFile,
  type Person,
  type Phone,
  type ReferralDocument,
  type Reporter,
  type ReportAnnotation,
  type Victim,
} from '../../domain/referral.ts';
import type { Parsed } from '../../domain/result.ts';
import { checkDocument, Problems } from './cybertipline-schema.ts';
import { readXml, type Scalar, type XmlElement } from './cybertipline-xml.ts';
import { canonicalIp, isEmailAddress } from './values.ts';

export interface CyberTiplineInput {
  /** The `<report>` document (POST /submit). */
  readonly report: Buffer | string;
  /** The `<fileDetails>` documents (POST /fileinfo), one MediaFile each, in this order. */
  readonly fileDetails: readonly (Buffer | string)[];
  /** The receiving clock: `incidentDateTime` may not be later than this (plus clock skew). */
  readonly now: Date;
}

/** How far in the future an incident time may be before it is refused: senders' clocks drift. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * Parses one CyberTipline submission. Every problem is reported with the path of its element
 * (`/report/personOrUserReported[0]/ipCaptureEvent[1]/ipAddress`, `/fileDetails[1]/originalFileHash[0]`);
 * nothing partial is returned. `sourceRef` is left for the caller.
 */
export function parseCyberTipline(input: CyberTiplineInput): Parsed<ReferralDocument> {
  const problems = new Problems();
  const map = new Mapper(problems, input.now.getTime() + CLOCK_SKEW_MS);
  const reportRoot = readAndCheck(input.report, 'report', '/report', problems);
  const head = reportRoot === undefined ? undefined : map.report(reportRoot, '/report');
  const files: MediaFile[] = [];
  for (let i = 0; i < input.fileDetails.length; i++) {
    const path = `/fileDetails[${i}]`;
    const root = readAndCheck(input.fileDetails[i] as Buffer | string, 'fileDetails', path, problems);
    if (root !== undefined) files.push(map.file(root, path));
  }
  if (head === undefined && problems.items.length === 0) {
    // Unreachable when the schema check is right (it reports whatever makes the report unmappable).
    problems.add('schema_violation', '/report', 'the report lacks its incident summary or reporter');
  }
  if (problems.items.length > 0 || head === undefined) return { ok: false, problems: problems.items };
  const value: ReferralDocument = {
    incident: head.incident,
    internet: head.internet,
    lawEnforcement: head.lawEnforcement,
    reporter: head.reporter,
    reportedPersons: head.reportedPersons,
    intendedRecipients: head.intendedRecipients,
    victims: head.victims,
    files,
    additionalInfo: head.additionalInfo,
  };
  return { ok: true, value };
}

/**
 * Only the XSD-equivalent part of the fast path (read + schema check, no Conduit checks): what the
 * differential test compares with libxml2.
 */
export function checkCyberTiplineXml(
  xml: Buffer | string,
  kind: 'report' | 'fileDetails',
): readonly Problem[] {
  const problems = new Problems();
  readAndCheck(xml, kind, kind === 'report' ? '/report' : '/fileDetails[0]', problems);
  return problems.items;
}

function readAndCheck(
  input: Buffer | string,
  kind: 'report' | 'fileDetails',
  path: string,
  problems: Problems,
): XmlElement | undefined {
  const read = readXml(input, path);
  if (!read.ok) {
    problems.add(read.problem.code, read.problem.path, read.problem.message);
    return undefined;
  }
  checkDocument(read.root, kind, path, read.source, problems);
  return read.root.name === kind ? read.root : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Typed reads of values the schema check stored (undefined when absent or invalid: already reported)

const INCIDENT_TYPE_SET: ReadonlySet<string> = new Set(INCIDENT_TYPES);
const CAPTURE_EVENT_SET: ReadonlySet<string> = new Set(CAPTURE_EVENTS);
const INDUSTRY_CLASS_SET: ReadonlySet<string> = new Set(INDUSTRY_CLASSES);
const REPORT_ANNOTATION_SET: ReadonlySet<string> = new Set(REPORT_ANNOTATIONS);
const FILE_ANNOTATION_SET: ReadonlySet<string> = new Set(FILE_ANNOTATIONS);

const INTERNET_KIND: ReadonlyMap<string, InternetKind> = new Map([
  ['webPageIncident', 'webPage'],
  ['emailIncident', 'email'],
  ['newsgroupIncident', 'newsgroup'],
  ['chatImIncident', 'chatIm'],
  ['onlineGamingIncident', 'onlineGaming'],
  ['cellPhoneIncident', 'cellPhone'],
  ['nonInternetIncident', 'nonInternet'],
  ['peer2peerIncident', 'peer2peer'],
]);

function isIncidentType(v: Scalar | undefined): v is IncidentType {
  return typeof v === 'string' && INCIDENT_TYPE_SET.has(v);
}
function isCaptureEvent(v: Scalar | undefined): v is CaptureEvent {
  return typeof v === 'string' && CAPTURE_EVENT_SET.has(v);
}
function isIndustryClass(v: Scalar | undefined): v is IndustryClass {
  return typeof v === 'string' && INDUSTRY_CLASS_SET.has(v);
}
function isReportAnnotation(v: string): v is ReportAnnotation {
  return REPORT_ANNOTATION_SET.has(v);
}
function isFileAnnotation(v: string): v is FileAnnotation {
  return FILE_ANNOTATION_SET.has(v);
}

function bool(v: Scalar | undefined): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}
function num(v: Scalar | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}
function str(v: Scalar | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
/** The schema check stores the result of parseInstant for every xs:dateTime: this only restores its brand. */
function instant(v: Scalar | undefined): Instant | undefined {
  return typeof v === 'string' ? (v as Instant) : undefined;
}
/** A country enumeration value: `""` (allowed by the XSD) means none. */
function country(v: Scalar | undefined): CountryCode | undefined {
  return typeof v === 'string' && v !== '' ? parseCountryCode(v) : undefined;
}
function attr(n: XmlElement, name: string): Scalar | undefined {
  for (const a of n.attrs) if (a.name === name) return a.typed;
  return undefined;
}
function leafPath(parent: string, name: string, index: number): string {
  return index < 0 ? `${parent}/${name}` : `${parent}/${name}[${index}]`;
}

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const DOTTED_QUAD = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** Hash types of `originalFileHash/@hashType` that have a field of their own (compared upper-cased). */
const HASH_FIELD: ReadonlyMap<string, 'md5' | 'sha1' | 'sha256'> = new Map([
  ['MD5', 'md5'],
  ['SHA1', 'sha1'],
  ['SHA-1', 'sha1'],
  ['SHA256', 'sha256'],
  ['SHA-256', 'sha256'],
]);

/** FileHashes' single-valued fields, filled in as the hashes are read. */
type HashFields = { -readonly [K in 'md5' | 'sha1' | 'sha256' | 'pdq']?: FileHashes[K] };

interface PersonFields {
  firstName?: string;
  lastName?: string;
  phones: Phone[];
  emails: Email[];
  addresses: Address[];
  age?: number;
  dateOfBirth?: string;
}

/** The fields all account kinds share, filled in as their elements are read. */
interface AccountFields {
  espIdentifier?: string;
  espService?: string;
  screenName?: string;
  profileBio?: string;
  groupIdentifier?: string;
  compromised?: boolean;
  temporarilyDisabled?: boolean;
  permanentlyDisabled?: boolean;
  displayNames: string[];
  profileUrls: string[];
  ipEvents: IpEvent[];
  devices: Device[];
  priorReports: string[];
}

function emptyAccount(): AccountFields {
  return { displayNames: [], profileUrls: [], ipEvents: [], devices: [], priorReports: [] };
}

function pushDefined<T>(list: T[], v: T | undefined): void {
  if (v !== undefined) list.push(v);
}

function emptyPerson(): PersonFields {
  return { phones: [], emails: [], addresses: [] };
}

function hasPerson(p: PersonFields): boolean {
  return (
    p.firstName !== undefined ||
    p.lastName !== undefined ||
    p.phones.length > 0 ||
    p.emails.length > 0 ||
    p.addresses.length > 0 ||
    p.age !== undefined ||
    p.dateOfBirth !== undefined
  );
}

// ---------------------------------------------------------------------------------------------------
// Mapping with Conduit's checks

/**
 * Walks checked documents into the model. Tolerates what the schema check already reported (missing or
 * invalid values read as undefined), so Conduit-level problems are collected alongside schema ones.
 */
class Mapper {
  constructor(
    private readonly problems: Problems,
    /** Latest acceptable incident time (ms): now plus clock skew. */
    private readonly latest: number,
  ) {}

  report(n: XmlElement, path: string): Omit<ReferralDocument, 'files'> | undefined {
    let incident: Incident | undefined;
    let batchedReason: Incident['batchedReason'];
    let lawEnforcement: LawEnforcement | undefined;
    let reporter: Reporter | undefined;
    let additionalInfo: string | undefined;
    const internet: InternetDetail[] = [];
    const reportedPersons: Account[] = [];
    const intendedRecipients: Account[] = [];
    const victims: Victim[] = [];
    for (const c of n.children) {
      switch (c.name) {
        case 'batchedReport':
          if (attr(c, 'reason') === 'VIRAL_POTENTIAL_MEME') batchedReason = 'VIRAL_POTENTIAL_MEME';
          break;
        case 'incidentSummary':
          // batchedReport precedes incidentSummary (in a valid document), so its reason is known here.
          incident = this.incident(c, `${path}/incidentSummary`, batchedReason);
          break;
        case 'internetDetails': {
          const d = this.internet(c, `${path}/internetDetails[${c.index}]`);
          if (d !== undefined) internet.push(d);
          break;
        }
        case 'lawEnforcement':
          lawEnforcement = this.lawEnforcement(c, `${path}/lawEnforcement`);
          break;
        case 'reporter':
          reporter = this.reporter(c, `${path}/reporter`);
          break;
        case 'personOrUserReported':
          reportedPersons.push(this.account(c, `${path}/personOrUserReported[${c.index}]`));
          break;
        case 'intendedRecipient':
          intendedRecipients.push(this.account(c, `${path}/intendedRecipient[${c.index}]`));
          break;
        case 'victim': {
          const a = this.account(c, `${path}/victim[${c.index}]`);
          // Only the age and account-level identifiers: names and contact details stay in the raw record.
          victims.push({
            age: a.person?.age,
            espIdentifier: a.espIdentifier,
            espService: a.espService,
            screenName: a.screenName,
            ipEvents: a.ipEvents,
            estimatedLocation: a.estimatedLocation,
            additionalInfo: a.additionalInfo,
          });
          break;
        }
        case 'additionalInfo':
          additionalInfo = this.text(c, path, -1, 0);
          break;
      }
    }
    if (incident === undefined || reporter === undefined) return undefined;
    return {
      incident,
      internet,
      lawEnforcement,
      reporter,
      reportedPersons,
      intendedRecipients,
      victims,
      additionalInfo,
    };
  }

  private incident(
    n: XmlElement,
    path: string,
    batchedReason: Incident['batchedReason'],
  ): Incident | undefined {
    let type: IncidentType | undefined;
    let occurredAt: Instant | undefined;
    let occurredAtDescription: string | undefined;
    let platform: string | undefined;
    let escalation: string | undefined;
    const annotations: ReportAnnotation[] = [];
    for (const c of n.children) {
      switch (c.name) {
        case 'incidentType':
          if (isIncidentType(c.value)) type = c.value;
          break;
        case 'platform':
          platform = this.text(c, path, -1, 256);
          break;
        case 'escalateToHighPriority':
          escalation = this.text(c, path, -1, 3000, true);
          break;
        case 'reportAnnotations':
          for (const f of c.children)
            if (f.value === true && isReportAnnotation(f.name)) annotations.push(f.name);
          break;
        case 'incidentDateTime':
          occurredAt = instant(c.value);
          if (occurredAt !== undefined && Date.parse(occurredAt) > this.latest) {
            this.problems.add(
              'invalid_date',
              `${path}/incidentDateTime`,
              '<incidentDateTime> is in the future: the incident must have happened before the report',
            );
          }
          break;
        case 'incidentDateTimeDescription':
          occurredAtDescription = this.text(c, path, -1, 3000, true);
          break;
      }
    }
    if (type === undefined || occurredAt === undefined) return undefined;
    return { type, occurredAt, occurredAtDescription, platform, escalation, annotations, batchedReason };
  }

  private internet(n: XmlElement, path: string): InternetDetail | undefined {
    const inc = n.children[0];
    const kind = inc === undefined ? undefined : INTERNET_KIND.get(inc.name);
    if (inc === undefined || kind === undefined) return undefined;
    const p = `${path}/${inc.name}`;
    const urls: string[] = [];
    const emails: Email[] = [];
    const addresses: Address[] = [];
    const ipEvents: IpEvent[] = [];
    let name: string | undefined;
    let client: string | undefined;
    let contentText: string | undefined;
    let phone: Phone | undefined;
    let latitude: number | undefined;
    let longitude: number | undefined;
    let fileNames: string | undefined;
    let additionalInfo: string | undefined;
    for (const c of inc.children) {
      switch (c.name) {
        case 'url': {
          const u = this.text(c, p, c.index, 0);
          if (u !== undefined) urls.push(u);
          break;
        }
        case 'emailAddress': {
          const e = this.email(c, leafPath(p, c.name, c.index));
          if (e !== undefined) emails.push(e);
          break;
        }
        case 'name':
        case 'chatRoomName':
        case 'gameName':
          name = this.text(c, p, -1, 255);
          break;
        case 'locationName':
          name = this.text(c, p, -1, 0);
          break;
        case 'chatClient':
        case 'console':
        case 'client':
          client = this.text(c, p, -1, 0);
          break;
        case 'content':
          contentText = this.text(c, p, -1, 0);
          break;
        case 'phoneNumber':
          phone = this.phone(c, `${p}/phoneNumber`);
          break;
        case 'latitude':
          latitude = this.coordinate(c, p, 90);
          break;
        case 'longitude':
          longitude = this.coordinate(c, p, 180);
          break;
        case 'incidentAddress':
          addresses.push(this.address(c, leafPath(p, c.name, c.index)));
          break;
        case 'ipCaptureEvent': {
          const e = this.ipEvent(c, leafPath(p, c.name, c.index));
          if (e !== undefined) ipEvents.push(e);
          break;
        }
        case 'fileNames':
          fileNames = this.text(c, p, -1, 0);
          break;
        case 'additionalInfo':
          additionalInfo = this.text(c, p, -1, 0);
          break;
      }
    }
    // Only the fields the kind can carry are set, so documents compare equal however they were built.
    switch (kind) {
      case 'webPage':
        return {
          kind,
          urls,
          thirdPartyHostedContent: bool(attr(inc, 'thirdPartyHostedContent')),
          additionalInfo,
        };
      case 'email':
        return { kind, emails, content: contentText, additionalInfo };
      case 'newsgroup':
        return { kind, name, emails, content: contentText, additionalInfo };
      case 'chatIm':
      case 'onlineGaming':
        return { kind, client, name, content: contentText, additionalInfo };
      case 'cellPhone':
        return { kind, phone, latitude, longitude, additionalInfo };
      case 'nonInternet':
        return { kind, name, addresses, additionalInfo };
      case 'peer2peer':
        return { kind, client, ipEvents, fileNames, additionalInfo };
    }
  }

  private lawEnforcement(n: XmlElement, path: string): LawEnforcement | undefined {
    let agencyName: string | undefined;
    let caseNumber: string | undefined;
    let officer: Person | undefined;
    let reportedToLe: boolean | undefined;
    let domestic: boolean | undefined;
    let international: boolean | undefined;
    let internationalCountry: CountryCode | undefined;
    for (const c of n.children) {
      switch (c.name) {
        case 'agencyName':
          agencyName = this.text(c, path, -1, 255);
          break;
        case 'caseNumber':
          caseNumber = this.text(c, path, -1, 100);
          break;
        case 'officerContact':
          officer = this.person(c, `${path}/officerContact`);
          break;
        case 'reportedToLe':
          reportedToLe = bool(c.value);
          break;
        case 'servedLegalProcessDomestic':
          domestic = bool(c.value);
          break;
        case 'servedLegalProcessInternational':
          international = bool(c.value);
          internationalCountry = country(attr(c, 'fleaCountry'));
          break;
      }
    }
    if (agencyName === undefined) return undefined;
    return {
      agencyName,
      caseNumber,
      officer,
      reportedToLe,
      servedLegalProcessDomestic: domestic,
      servedLegalProcessInternational: international,
      servedLegalProcessCountry: internationalCountry,
    };
  }

  private reporter(n: XmlElement, path: string): Reporter | undefined {
    let person: Person | undefined;
    let contact: Person | undefined;
    let companyTemplate: string | undefined;
    let termsOfService: string | undefined;
    let legalUrl: string | undefined;
    for (const c of n.children) {
      switch (c.name) {
        case 'reportingPerson':
          person = this.person(c, `${path}/reportingPerson`);
          break;
        case 'contactPerson':
          contact = this.person(c, `${path}/contactPerson`);
          break;
        case 'companyTemplate':
          companyTemplate = this.text(c, path, -1, 0);
          break;
        case 'termsOfService':
          termsOfService = this.text(c, path, -1, 3000);
          break;
        case 'legalURL':
          legalUrl = this.text(c, path, -1, 2083);
          break;
      }
    }
    if (person === undefined) return undefined;
    return { person, contact, companyTemplate, termsOfService, legalUrl };
  }

  /** `person` and `contactPerson` elements. */
  private person(n: XmlElement, path: string): Person {
    const p = emptyPerson();
    for (const c of n.children) this.personField(c, path, p, 100);
    return p;
  }

  /** One child of a person-like element; false when it is not a person field. */
  private personField(c: XmlElement, path: string, p: PersonFields, nameMax: number): boolean {
    switch (c.name) {
      case 'firstName':
        p.firstName = this.text(c, path, -1, nameMax);
        return true;
      case 'middleName':
        this.text(c, path, -1, nameMax); // checked, kept in the raw record only
        return true;
      case 'lastName':
        p.lastName = this.text(c, path, -1, nameMax);
        return true;
      case 'phone': {
        const ph = this.phone(c, leafPath(path, 'phone', c.index));
        if (ph !== undefined) p.phones.push(ph);
        return true;
      }
      case 'email': {
        const e = this.email(c, leafPath(path, 'email', c.index));
        if (e !== undefined) p.emails.push(e);
        return true;
      }
      case 'address':
        p.addresses.push(this.address(c, leafPath(path, 'address', c.index)));
        return true;
      case 'age':
      case 'approximateAge':
        p.age = this.range(c, path, 0, 150);
        return true;
      case 'dateOfBirth':
        p.dateOfBirth = str(c.value);
        return true;
    }
    return false;
  }

  /** `personOrUserReported`, `intendedRecipient` and `victim`. */
  private account(n: XmlElement, path: string): Account {
    const a = emptyAccount();
    let person: Person | undefined;
    let thirdParty: boolean | undefined;
    let estimatedLocation: EstimatedLocation | undefined;
    let vehicleDescription: string | undefined;
    let additionalInfo: string | undefined;
    const associatedAccounts: AssociatedAccount[] = [];
    for (const c of n.children) {
      if (this.accountField(c, path, a, { id: 255, displayName: 0 })) continue;
      switch (c.name) {
        case 'personOrUserReportedPerson':
        case 'intendedRecipientPerson':
        case 'victimPerson':
          person = this.person(c, `${path}/${c.name}`);
          break;
        case 'vehicleDescription':
          vehicleDescription = this.text(c, path, -1, 300);
          break;
        case 'thirdPartyUserReported':
          thirdParty = bool(c.value);
          break;
        case 'schoolName':
          this.text(c, path, -1, 255); // checked, kept in the raw record only
          break;
        case 'estimatedLocation':
          estimatedLocation = this.location(c, `${path}/estimatedLocation`);
          break;
        case 'associatedAccount':
          associatedAccounts.push(this.associated(c, leafPath(path, c.name, c.index)));
          break;
        case 'additionalInfo': {
          // intendedRecipient allows several; the model has one text.
          const t = this.text(c, path, n.name === 'intendedRecipient' ? c.index : -1, 0);
          if (t !== undefined)
            additionalInfo = additionalInfo === undefined ? t : `${additionalInfo}\n\n${t}`;
          break;
        }
      }
    }
    return {
      ...a,
      person,
      thirdParty,
      estimatedLocation,
      associatedAccounts,
      vehicleDescription,
      additionalInfo,
    };
  }

  private associated(n: XmlElement, path: string): AssociatedAccount {
    const p = emptyPerson();
    const a = emptyAccount();
    let platform: string | undefined;
    let thirdParty: boolean | undefined;
    let additionalInfo: string | undefined;
    for (const c of n.children) {
      // FIELDS.md §4: associated-account names and ids allow 256 characters, not 100/255.
      if (this.personField(c, path, p, 256)) continue;
      if (this.accountField(c, path, a, { id: 256, displayName: 256 })) continue;
      switch (c.name) {
        case 'platform':
          platform = this.text(c, path, -1, 256);
          thirdParty = bool(attr(c, 'thirdPartyUser'));
          break;
        case 'additionalInfo':
          additionalInfo = this.text(c, path, -1, 0);
          break;
      }
    }
    return {
      ...a,
      type: str(attr(n, 'type')) ?? '',
      platform,
      person: hasPerson(p) ? p : undefined,
      thirdParty,
      estimatedLocation: undefined,
      associatedAccounts: [],
      vehicleDescription: undefined,
      additionalInfo,
    };
  }

  /**
   * The elements every kind of account shares (reported person, recipient, victim, associated account);
   * true when `c` was one of them. Length limits differ by kind (FIELDS.md §4), hence `limits`.
   */
  private accountField(
    c: XmlElement,
    path: string,
    a: AccountFields,
    limits: { readonly id: number; readonly displayName: number },
  ): boolean {
    switch (c.name) {
      case 'espIdentifier':
        a.espIdentifier = this.text(c, path, -1, limits.id);
        return true;
      case 'espService':
        a.espService = this.text(c, path, -1, 100);
        return true;
      case 'compromisedAccount':
        a.compromised = bool(c.value);
        return true;
      case 'screenName':
        a.screenName = this.text(c, path, -1, 256);
        return true;
      case 'displayName':
        pushDefined(a.displayNames, this.text(c, path, c.index, limits.displayName));
        return true;
      case 'profileUrl':
        pushDefined(a.profileUrls, this.text(c, path, c.index, 0));
        return true;
      case 'profileBio':
        a.profileBio = this.text(c, path, -1, 0);
        return true;
      case 'ipCaptureEvent':
        pushDefined(a.ipEvents, this.ipEvent(c, leafPath(path, c.name, c.index)));
        return true;
      case 'deviceId':
        pushDefined(a.devices, this.device(c, leafPath(path, c.name, c.index)));
        return true;
      case 'priorCTReports': // associatedAccount spells it priorCTReport
      case 'priorCTReport':
        pushDefined(a.priorReports, str(c.value));
        return true;
      case 'groupIdentifier':
        a.groupIdentifier = this.text(c, path, -1, 255);
        return true;
      case 'accountTemporarilyDisabled':
        a.temporarilyDisabled = bool(c.value);
        return true;
      case 'accountPermanentlyDisabled':
        a.permanentlyDisabled = bool(c.value);
        return true;
      default:
        return false;
    }
  }

  private phone(n: XmlElement, path: string): Phone | undefined {
    const number = this.text(n, path, -2, 50);
    const extension = str(attr(n, 'extension'));
    if (extension !== undefined && extension.length > 10) {
      this.problems.add(
        'invalid_value',
        `${path}/@extension`,
        'attribute extension of <phone> may have at most 10 digits',
      );
    }
    // A phone element without a number carries nothing to map; NCMEC does not reject it either.
    if (number === undefined) return undefined;
    return {
      number,
      countryCallingCode: str(attr(n, 'countryCallingCode')),
      extension,
      type: str(attr(n, 'type')),
      verified: bool(attr(n, 'verified')),
      verifiedAt: instant(attr(n, 'verificationDate')),
    };
  }

  private email(n: XmlElement, path: string): Email | undefined {
    const v = str(n.value);
    if (v === undefined) return undefined;
    const address = v.trim();
    if (!isEmailAddress(address)) {
      this.problems.add(
        'invalid_email',
        path,
        `<${n.name}> must be an e-mail address (local@domain.tld, no spaces, at most 254 characters)`,
      );
      return undefined;
    }
    return {
      address,
      type: str(attr(n, 'type')),
      verified: bool(attr(n, 'verified')),
      verifiedAt: instant(attr(n, 'verificationDate')),
    };
  }

  private address(n: XmlElement, path: string): Address {
    let street: string | undefined;
    let city: string | undefined;
    let zipCode: string | undefined;
    let state: string | undefined;
    let nonUsaState: string | undefined;
    let countryCode: string | undefined;
    for (const c of n.children) {
      switch (c.name) {
        case 'address':
          street = this.text(c, path, -1, 255);
          break;
        case 'city':
          city = this.text(c, path, -1, 100);
          break;
        case 'zipCode':
          zipCode = this.text(c, path, -1, 20);
          break;
        case 'state':
          state = str(c.value) || undefined;
          break;
        case 'nonUsaState':
          nonUsaState = this.text(c, path, -1, 100);
          break;
        case 'country':
          countryCode = str(c.value) || undefined;
          break;
      }
    }
    return { type: str(attr(n, 'type')), street, city, zipCode, state, nonUsaState, country: countryCode };
  }

  private ipEvent(n: XmlElement, path: string): IpEvent | undefined {
    let address: string | undefined;
    let event: CaptureEvent | undefined;
    let at: Instant | undefined;
    let possibleProxy: boolean | undefined;
    let port: number | undefined;
    for (const c of n.children) {
      switch (c.name) {
        case 'ipAddress': {
          const raw = str(c.value);
          if (raw === undefined) break;
          // Most addresses are plain dotted quads, already canonical: skip ipaddr.js's two parses.
          address = DOTTED_QUAD.test(raw) ? raw : canonicalIp(raw);
          if (address === undefined) {
            this.problems.add(
              'invalid_ip',
              `${path}/ipAddress`,
              '<ipAddress> must be an IPv4 (dotted quad) or IPv6 address',
            );
          }
          break;
        }
        case 'eventName':
          if (isCaptureEvent(c.value)) event = c.value;
          break;
        case 'dateTime':
          at = instant(c.value);
          break;
        case 'possibleProxy':
          possibleProxy = bool(c.value);
          break;
        case 'port':
          port = this.range(c, path, 1, 65535);
          break;
      }
    }
    if (address === undefined) return undefined;
    return { address, event, at, possibleProxy, port };
  }

  private device(n: XmlElement, path: string): Device | undefined {
    let idType: string | undefined;
    let idValue: string | undefined;
    let event: CaptureEvent | undefined;
    let at: Instant | undefined;
    for (const c of n.children) {
      switch (c.name) {
        case 'idType':
          idType = this.text(c, path, -1, 255);
          break;
        case 'idValue':
          idValue = this.text(c, path, -1, 2083);
          break;
        case 'eventName':
          if (isCaptureEvent(c.value)) event = c.value;
          break;
        case 'dateTime':
          at = instant(c.value);
          break;
      }
    }
    if (idType === undefined || idValue === undefined) return undefined;
    return { idType, idValue, event, at };
  }

  private location(n: XmlElement, path: string): EstimatedLocation {
    let city: string | undefined;
    let region: string | undefined;
    let countryCode: CountryCode | undefined;
    for (const c of n.children) {
      switch (c.name) {
        case 'city':
          city = this.text(c, path, -1, 255);
          break;
        case 'region':
          region = this.text(c, path, -1, 255);
          break;
        case 'countryCode':
          countryCode = country(c.value);
          break;
      }
    }
    return {
      city,
      region,
      countryCode,
      verified: bool(attr(n, 'verified')),
      at: instant(attr(n, 'timestamp')),
    };
  }

  file(n: XmlElement, path: string): MediaFile {
    let fileId: string | undefined;
    let fileName: string | undefined;
    let originalFileName: string | undefined;
    let uploadedAt: Instant | undefined;
    let location: string | undefined;
    let viewedByEsp: boolean | undefined;
    let exifViewedByEsp: boolean | undefined;
    let publiclyAvailable: boolean | undefined;
    let relevance: MediaFile['relevance'] = 'Reported';
    let industryClassification: IndustryClass | undefined;
    let ipEvent: IpEvent | undefined;
    let memePath: string | undefined;
    const annotations: FileAnnotation[] = [];
    const hashes: HashFields = {};
    const other: { type: string; value: string }[] = [];
    const devices: Device[] = [];
    const details: MediaFile['details'][number][] = [];
    const additionalInfo: string[] = [];
    for (const c of n.children) {
      switch (c.name) {
        case 'fileId':
          fileId = str(c.value) || undefined;
          break;
        case 'fileName':
          fileName = this.text(c, path, -1, 0);
          break;
        case 'originalFileName':
          originalFileName = this.text(c, path, -1, 2056);
          break;
        case 'uploadedToEspTimestamp':
          uploadedAt = instant(c.value);
          break;
        case 'locationOfFile':
          location = this.text(c, path, -1, 2083);
          break;
        case 'fileViewedByEsp':
          viewedByEsp = bool(c.value);
          break;
        case 'exifViewedByEsp':
          exifViewedByEsp = bool(c.value);
          break;
        case 'publiclyAvailable':
          publiclyAvailable = bool(c.value);
          break;
        case 'fileRelevance':
          if (c.value === 'Supplemental Reported') relevance = 'Supplemental Reported';
          break;
        case 'potentialMeme':
          // The legacy boolean form of the potentialMeme flag.
          if (c.value === true) {
            annotations.push('potentialMeme');
            memePath = `${path}/potentialMeme`;
          }
          break;
        case 'fileAnnotations':
          for (const f of c.children) {
            if (f.value !== true || !isFileAnnotation(f.name)) continue;
            annotations.push(f.name);
            if (f.name === 'potentialMeme') memePath = `${path}/fileAnnotations/potentialMeme`;
          }
          break;
        case 'industryClassification':
          if (isIndustryClass(c.value)) industryClassification = c.value;
          break;
        case 'originalFileHash':
          this.hash(c, `${path}/originalFileHash[${c.index}]`, hashes, other);
          break;
        case 'ipCaptureEvent':
          ipEvent = this.ipEvent(c, `${path}/ipCaptureEvent`);
          break;
        case 'deviceId': {
          const d = this.device(c, leafPath(path, c.name, c.index));
          if (d !== undefined) devices.push(d);
          break;
        }
        case 'details':
          details.push(this.details(c, leafPath(path, c.name, c.index), hashes));
          break;
        case 'additionalInfo': {
          const t = this.text(c, path, c.index, 0);
          if (t !== undefined) additionalInfo.push(t);
          break;
        }
      }
    }
    // FIELDS.md §3: context files may not carry an industry classification or the potentialMeme flag.
    if (relevance === 'Supplemental Reported') {
      if (industryClassification !== undefined) {
        this.problems.add(
          'invalid_value',
          `${path}/industryClassification`,
          '<industryClassification> is only allowed on files whose fileRelevance is "Reported"',
        );
      }
      if (memePath !== undefined) {
        this.problems.add(
          'invalid_value',
          memePath,
          'potentialMeme is only allowed on files whose fileRelevance is "Reported"',
        );
      }
    }
    return {
      fileId,
      fileName,
      originalFileName,
      uploadedAt,
      location,
      viewedByEsp,
      exifViewedByEsp,
      publiclyAvailable,
      relevance,
      annotations,
      industryClassification,
      hashes: { ...hashes, other },
      ipEvent,
      devices,
      details,
      additionalInfo,
    };
  }

  private hash(
    n: XmlElement,
    path: string,
    hashes: HashFields,
    other: { type: string; value: string }[],
  ): void {
    const rawType = str(attr(n, 'hashType'));
    const raw = str(n.value);
    if (rawType === undefined || raw === undefined) return;
    const type = rawType.trim().toUpperCase();
    const value = raw.trim();
    if (type === '' || type.length > 64) {
      this.problems.add(
        'invalid_value',
        `${path}/@hashType`,
        'attribute hashType of <originalFileHash> must be 1 to 64 characters',
      );
      return;
    }
    if (value === '') {
      this.problems.add('invalid_value', path, '<originalFileHash> must not be empty');
      return;
    }
    const field = HASH_FIELD.get(type);
    if (field === undefined) {
      other.push({ type, value });
      // PDQ is also sent as a hash type; the model has a field for it.
      if (type === 'PDQ') hashes.pdq ??= parsePdq(value);
      return;
    }
    if (field === 'md5') hashes.md5 = this.hashValue(parseMd5, hashes.md5, value, path, type, 32);
    else if (field === 'sha1') hashes.sha1 = this.hashValue(parseSha1, hashes.sha1, value, path, type, 40);
    else hashes.sha256 = this.hashValue(parseSha256, hashes.sha256, value, path, type, 64);
  }

  /** The hash to keep: `before`, or `value` parsed; a malformed or conflicting value is a problem. */
  private hashValue<T extends string>(
    parse: (s: string) => T | undefined,
    before: T | undefined,
    value: string,
    path: string,
    type: string,
    length: number,
  ): T | undefined {
    const h = parse(value);
    if (h === undefined) {
      this.problems.add(
        'invalid_value',
        path,
        `<originalFileHash> of type ${type} must be ${length} hexadecimal digits`,
      );
      return before;
    }
    if (before !== undefined && before !== h) {
      this.problems.add('invalid_value', path, `a second, different ${type} hash for the same file`);
      return before;
    }
    return h;
  }

  private details(n: XmlElement, path: string, hashes: HashFields): MediaFile['details'][number] {
    const kind = attr(n, 'type');
    const type = kind === 'EXIF' || kind === 'HASH' ? kind : undefined;
    const pairs: { name: string; value: string }[] = [];
    for (let i = 0; i < n.children.length; i++) {
      const pair = n.children[i] as XmlElement;
      if (pair.name !== 'nameValuePair') continue;
      let name: string | undefined;
      let value: string | undefined;
      for (const c of pair.children) {
        if (c.name === 'name') name = this.text(c, `${path}/nameValuePair[${pair.index}]`, -1, 64);
        else if (c.name === 'value') value = str(c.value)?.trim();
      }
      if (name === undefined || value === undefined) continue;
      pairs.push({ name, value });
      if (type === 'HASH' && name.toUpperCase() === 'PDQ') hashes.pdq ??= parsePdq(value);
    }
    return { type, pairs };
  }

  /**
   * A string value, trimmed; undefined when absent, invalid or empty. `max` (0: none) is the documented
   * length limit; `notBlank` refuses an empty value. `index` ≥ 0 names a repeated element, -1 a single one
   * and -2 means `n` itself is the element at `path`.
   */
  private text(
    n: XmlElement,
    path: string,
    index: number,
    max: number,
    notBlank = false,
  ): string | undefined {
    const raw = str(n.value);
    if (raw === undefined) return undefined;
    const v = raw.trim();
    if (max > 0 && v.length > max) {
      this.problems.add(
        'invalid_value',
        index === -2 ? path : leafPath(path, n.name, index),
        `<${n.name}> may have at most ${max} characters (has ${v.length})`,
      );
    } else if (notBlank && v === '') {
      this.problems.add(
        'invalid_value',
        index === -2 ? path : leafPath(path, n.name, index),
        `<${n.name}> must not be blank`,
      );
    }
    return v === '' ? undefined : v;
  }

  /** An integer child in [min, max] (documented limits: age 0–150, port 1–65535). */
  private range(n: XmlElement, path: string, min: number, max: number): number | undefined {
    const v = num(n.value);
    if (v === undefined) return undefined;
    if (v < min || v > max) {
      this.problems.add(
        'invalid_value',
        `${path}/${n.name}`,
        `<${n.name}> must be between ${min} and ${max}, got ${v}`,
      );
      return undefined;
    }
    return v;
  }

  private coordinate(n: XmlElement, path: string, limit: number): number | undefined {
    const v = num(n.value);
    if (v === undefined) return undefined;
    if (!(v >= -limit && v <= limit)) {
      this.problems.add(
        'invalid_value',
        `${path}/${n.name}`,
        `<${n.name}> must be between -${limit} and ${limit} degrees`,
      );
      return undefined;
    }
    return v;
  }
}
