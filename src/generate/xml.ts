/**
 * CyberTipline XML from the canonical ReferralDocument: `<report>` (POST /submit) and one
 * `<fileDetails>` (POST /fileinfo) per file. Children are written in the order of the XSD's
 * `xs:sequence`s (../shared/reference/cybertipline/cyber_tipline.xsd; out-of-order children are a 4100
 * at NCMEC). Written by hand rather than with a library because the order is the whole difficulty and
 * because the generator writes millions of these: plain string building is the fast path.
 */
import type { CountryCode, Instant, Md5Hex, Sha1Hex, Sha256Hex } from '../domain/ids.ts';
import type {
  Account,
  CaptureEvent,
  Address,
  AssociatedAccount,
  Device,
  Email,
  EstimatedLocation,
  IncidentType,
  IndustryClass,
  InternetDetail,
  IpEvent,
  MediaFile,
  Person,
  Phone,
  ReferralDocument,
  Reporter,
  Victim,
} from '../domain/referral.ts';

const HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n';
const ROOT_ATTRS =
  ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="https://report.cybertip.org/ispws/xsd"';

// Characters XML 1.0 does not allow at all (a generator bug, never something to escape around), and
// the five that need escaping: one test finds both, so the common case costs a single scan.
// eslint-disable-next-line no-control-regex
const NEEDS_WORK = /[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const SPECIAL_ALL = /[&<>"']/g;
const ENTITY: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes text and attribute values alike (`& < > " '`); throws on characters XML cannot carry. */
export function escapeXml(s: string): string {
  if (!NEEDS_WORK.test(s)) return s;
  if (FORBIDDEN.test(s)) throw new Error(`character not allowed in XML: ${JSON.stringify(s)}`);
  return s.replace(SPECIAL_ALL, (c) => ENTITY[c] ?? c);
}

function text(value: string | number | boolean): string {
  return typeof value === 'string' ? escapeXml(value) : String(value);
}

type Attr = readonly [name: string, value: string | number | boolean | undefined];

/** Values whose types cannot hold a character that needs escaping (brands are made by parse functions). */
type SafeText =
  | Instant
  | Md5Hex
  | Sha1Hex
  | Sha256Hex
  | CountryCode
  | IncidentType
  | CaptureEvent
  | IndustryClass
  | MediaFile['relevance'];

/** Shared default, so that the common call without attributes allocates nothing. */
const NO_ATTRS: readonly Attr[] = [];

/** Indented string building; `depth` only affects whitespace. */
class XmlOut {
  constructor(
    public s: string,
    private pad: string,
  ) {}

  open(tag: string, attrs: readonly Attr[] = NO_ATTRS, rootAttrs = ''): void {
    this.s += `${this.pad}<${tag}${rootAttrs}${attrText(attrs)}>\n`;
    this.pad += '  ';
  }

  close(tag: string): void {
    this.pad = this.pad.slice(2);
    this.s += `${this.pad}</${tag}>\n`;
  }

  /** `<tag attrs>value</tag>`; nothing when the value is absent. */
  leaf(tag: string, value: string | number | boolean | undefined, attrs: readonly Attr[] = NO_ATTRS): void {
    if (value === undefined) return;
    this.s += `${this.pad}<${tag}${attrText(attrs)}>${text(value)}</${tag}>\n`;
  }

  /**
   * A leaf whose type already rules out `& < > " '` (instants, hex hashes, country codes, closed
   * enumerations): skips the escaping scan, which is a tenth of the writer's time otherwise.
   */
  safe(tag: string, value: SafeText | undefined, attrs: readonly Attr[] = NO_ATTRS): void {
    if (value === undefined) return;
    this.s += `${this.pad}<${tag}${attrText(attrs)}>${value}</${tag}>\n`;
  }

  leaves(tag: string, values: readonly string[] | undefined): void {
    if (values) for (const v of values) this.leaf(tag, v);
  }

  /** A fragment already written at the current depth. */
  raw(fragment: string): void {
    this.s += fragment;
  }

  empty(tag: string, attrs: readonly Attr[] = NO_ATTRS): void {
    this.s += `${this.pad}<${tag}${attrText(attrs)}/>\n`;
  }
}

function attrText(attrs: readonly Attr[]): string {
  if (attrs.length === 0) return '';
  let s = '';
  for (const [name, value] of attrs) if (value !== undefined) s += ` ${name}="${text(value)}"`;
  return s;
}

/** The `<report>` document for a referral (files travel separately as fileDetails). */
export function reportXml(doc: ReferralDocument): string {
  const x = new XmlOut(HEADER, '');
  x.open('report', [], ROOT_ATTRS);
  const inc = doc.incident;
  if (inc.batchedReason !== undefined) x.empty('batchedReport', [['reason', inc.batchedReason]]);
  x.open('incidentSummary');
  x.safe('incidentType', inc.type);
  x.leaf('platform', inc.platform);
  x.leaf('escalateToHighPriority', inc.escalation);
  if (inc.annotations.length > 0) {
    x.open('reportAnnotations');
    for (const a of inc.annotations) x.empty(a);
    x.close('reportAnnotations');
  }
  x.safe('incidentDateTime', inc.occurredAt);
  x.leaf('incidentDateTimeDescription', inc.occurredAtDescription);
  x.close('incidentSummary');
  for (const d of doc.internet) internetDetails(x, d);
  const le = doc.lawEnforcement;
  if (le) {
    x.open('lawEnforcement');
    x.leaf('agencyName', le.agencyName);
    x.leaf('caseNumber', le.caseNumber);
    if (le.officer) person(x, 'officerContact', le.officer, false);
    x.leaf('reportedToLe', le.reportedToLe);
    x.leaf('servedLegalProcessDomestic', le.servedLegalProcessDomestic);
    x.leaf('servedLegalProcessInternational', le.servedLegalProcessInternational, [
      ['fleaCountry', le.servedLegalProcessCountry],
    ]);
    x.close('lawEnforcement');
  }
  x.raw(reporterXml(doc.reporter));
  for (const a of doc.reportedPersons) reportedPerson(x, a);
  for (const a of doc.intendedRecipients) intendedRecipient(x, a);
  for (const v of doc.victims) victim(x, v);
  x.leaf('additionalInfo', doc.additionalInfo);
  x.close('report');
  return x.s;
}

// A provider's reporter block is the same object in every report it files: write it once.
const reporterCache = new WeakMap<Reporter, string>();

function reporterXml(r: Reporter): string {
  const cached = reporterCache.get(r);
  if (cached !== undefined) return cached;
  const x = new XmlOut('', '  ');
  x.open('reporter');
  person(x, 'reportingPerson', r.person, true);
  if (r.contact) person(x, 'contactPerson', r.contact, false);
  x.leaf('companyTemplate', r.companyTemplate);
  x.leaf('termsOfService', r.termsOfService);
  x.leaf('legalURL', r.legalUrl);
  x.close('reporter');
  reporterCache.set(r, x.s);
  return x.s;
}

function internetDetails(x: XmlOut, d: InternetDetail): void {
  x.open('internetDetails');
  switch (d.kind) {
    case 'webPage':
      x.open('webPageIncident', [['thirdPartyHostedContent', d.thirdPartyHostedContent]]);
      x.leaves('url', d.urls);
      x.leaf('additionalInfo', d.additionalInfo);
      x.close('webPageIncident');
      break;
    case 'email':
      x.open('emailIncident');
      for (const e of d.emails ?? []) email(x, 'emailAddress', e);
      x.leaf('content', d.content);
      x.leaf('additionalInfo', d.additionalInfo);
      x.close('emailIncident');
      break;
    case 'newsgroup':
      x.open('newsgroupIncident');
      x.leaf('name', d.name);
      for (const e of d.emails ?? []) email(x, 'emailAddress', e);
      x.leaf('content', d.content);
      x.leaf('additionalInfo', d.additionalInfo);
      x.close('newsgroupIncident');
      break;
    case 'chatIm':
      x.open('chatImIncident');
      x.leaf('chatClient', d.client);
      x.leaf('chatRoomName', d.name);
      x.leaf('content', d.content);
      x.leaf('additionalInfo', d.additionalInfo);
      x.close('chatImIncident');
      break;
    case 'onlineGaming':
      x.open('onlineGamingIncident');
      x.leaf('gameName', d.name);
      x.leaf('console', d.client);
      x.leaf('content', d.content);
      x.leaf('additionalInfo', d.additionalInfo);
      x.close('onlineGamingIncident');
      break;
    case 'cellPhone':
      x.open('cellPhoneIncident');
      if (d.phone) phone(x, 'phoneNumber', d.phone);
      x.leaf('latitude', d.latitude);
      x.leaf('longitude', d.longitude);
      x.leaf('additionalInfo', d.additionalInfo);
      x.close('cellPhoneIncident');
      break;
    case 'nonInternet':
      x.open('nonInternetIncident');
      x.leaf('locationName', d.name);
      for (const a of d.addresses ?? []) address(x, 'incidentAddress', a);
      x.leaf('additionalInfo', d.additionalInfo);
      x.close('nonInternetIncident');
      break;
    case 'peer2peer':
      x.open('peer2peerIncident');
      x.leaf('client', d.client);
      for (const e of d.ipEvents ?? []) ipEvent(x, e);
      x.leaf('fileNames', d.fileNames);
      x.leaf('additionalInfo', d.additionalInfo);
      x.close('peer2peerIncident');
      break;
  }
  x.close('internetDetails');
}

/** XSD `person` (with age/dateOfBirth) or `contactPerson` (without). */
function person(x: XmlOut, tag: string, p: Person, withAge: boolean): void {
  x.open(tag);
  x.leaf('firstName', p.firstName);
  x.leaf('lastName', p.lastName);
  for (const ph of p.phones) phone(x, 'phone', ph);
  for (const e of p.emails) email(x, 'email', e);
  for (const a of p.addresses) address(x, 'address', a);
  if (withAge) {
    x.leaf('age', p.age);
    x.leaf('dateOfBirth', p.dateOfBirth);
  }
  x.close(tag);
}

function phone(x: XmlOut, tag: string, p: Phone): void {
  x.leaf(tag, p.number, [
    ['type', p.type],
    ['verified', p.verified],
    ['verificationDate', p.verifiedAt],
    ['countryCallingCode', p.countryCallingCode],
    ['extension', p.extension],
  ]);
}

function email(x: XmlOut, tag: string, e: Email): void {
  x.leaf(tag, e.address, [
    ['type', e.type],
    ['verified', e.verified],
    ['verificationDate', e.verifiedAt],
  ]);
}

function address(x: XmlOut, tag: string, a: Address): void {
  x.open(tag, [['type', a.type]]);
  x.leaf('address', a.street);
  x.leaf('city', a.city);
  x.leaf('zipCode', a.zipCode);
  x.leaf('state', a.state);
  x.leaf('nonUsaState', a.nonUsaState);
  x.leaf('country', a.country);
  x.close(tag);
}

function ipEvent(x: XmlOut, e: IpEvent): void {
  x.open('ipCaptureEvent');
  x.leaf('ipAddress', e.address);
  x.safe('eventName', e.event);
  x.safe('dateTime', e.at);
  x.leaf('possibleProxy', e.possibleProxy);
  x.leaf('port', e.port);
  x.close('ipCaptureEvent');
}

function device(x: XmlOut, d: Device): void {
  x.open('deviceId');
  x.leaf('idType', d.idType);
  x.leaf('idValue', d.idValue);
  x.safe('eventName', d.event);
  x.safe('dateTime', d.at);
  x.close('deviceId');
}

function location(x: XmlOut, l: EstimatedLocation): void {
  x.open('estimatedLocation', [
    ['verified', l.verified],
    ['timestamp', l.at],
  ]);
  x.leaf('city', l.city);
  x.leaf('region', l.region);
  x.safe('countryCode', l.countryCode);
  x.close('estimatedLocation');
}

/** The account fields shared (in this order) by personOrUserReported, intendedRecipient and victim. */
function accountHead(x: XmlOut, a: Account | Victim): void {
  x.leaf('espIdentifier', a.espIdentifier);
  x.leaf('espService', a.espService);
}

function reportedPerson(x: XmlOut, a: Account): void {
  x.open('personOrUserReported');
  if (a.person) person(x, 'personOrUserReportedPerson', a.person, true);
  x.leaf('vehicleDescription', a.vehicleDescription);
  accountHead(x, a);
  x.leaf('compromisedAccount', a.compromised);
  x.leaf('screenName', a.screenName);
  x.leaves('displayName', a.displayNames);
  x.leaves('profileUrl', a.profileUrls);
  x.leaf('profileBio', a.profileBio);
  for (const e of a.ipEvents) ipEvent(x, e);
  for (const d of a.devices) device(x, d);
  x.leaf('thirdPartyUserReported', a.thirdParty);
  x.leaves('priorCTReports', a.priorReports);
  x.leaf('groupIdentifier', a.groupIdentifier);
  x.leaf('accountTemporarilyDisabled', a.temporarilyDisabled);
  x.leaf('accountPermanentlyDisabled', a.permanentlyDisabled);
  if (a.estimatedLocation) location(x, a.estimatedLocation);
  for (const aa of a.associatedAccounts) associatedAccount(x, aa);
  x.leaf('additionalInfo', a.additionalInfo);
  x.close('personOrUserReported');
}

function intendedRecipient(x: XmlOut, a: Account): void {
  x.open('intendedRecipient');
  if (a.person) person(x, 'intendedRecipientPerson', a.person, true);
  accountHead(x, a);
  x.leaf('compromisedAccount', a.compromised);
  x.leaf('screenName', a.screenName);
  x.leaves('displayName', a.displayNames);
  x.leaves('profileUrl', a.profileUrls);
  x.leaf('profileBio', a.profileBio);
  for (const e of a.ipEvents) ipEvent(x, e);
  for (const d of a.devices) device(x, d);
  x.leaves('priorCTReports', a.priorReports);
  x.leaf('groupIdentifier', a.groupIdentifier);
  x.leaf('accountTemporarilyDisabled', a.temporarilyDisabled);
  x.leaf('accountPermanentlyDisabled', a.permanentlyDisabled);
  if (a.estimatedLocation) location(x, a.estimatedLocation);
  x.leaf('additionalInfo', a.additionalInfo);
  x.close('intendedRecipient');
}

function victim(x: XmlOut, v: Victim): void {
  x.open('victim');
  // victimPerson is required by the XSD even when only the age (or nothing) is known.
  if (v.age === undefined) x.empty('victimPerson');
  else {
    x.open('victimPerson');
    x.leaf('age', v.age);
    x.close('victimPerson');
  }
  accountHead(x, v);
  x.leaf('screenName', v.screenName);
  for (const e of v.ipEvents) ipEvent(x, e);
  if (v.estimatedLocation) location(x, v.estimatedLocation);
  x.leaf('additionalInfo', v.additionalInfo);
  x.close('victim');
}

function associatedAccount(x: XmlOut, a: AssociatedAccount): void {
  x.open('associatedAccount', [['type', a.type]]);
  x.leaf('platform', a.platform);
  const p = a.person;
  if (p) {
    x.leaf('firstName', p.firstName);
    x.leaf('lastName', p.lastName);
    x.leaf('approximateAge', p.age);
    x.leaf('dateOfBirth', p.dateOfBirth);
    for (const ph of p.phones) phone(x, 'phone', ph);
    for (const e of p.emails) email(x, 'email', e);
    for (const ad of p.addresses) address(x, 'address', ad);
  }
  x.leaf('espService', a.espService);
  x.leaf('espIdentifier', a.espIdentifier);
  x.leaves('profileUrl', a.profileUrls);
  x.leaf('screenName', a.screenName);
  x.leaves('displayName', a.displayNames);
  x.leaf('profileBio', a.profileBio);
  x.leaf('groupIdentifier', a.groupIdentifier);
  x.leaf('compromisedAccount', a.compromised);
  x.leaf('accountTemporarilyDisabled', a.temporarilyDisabled);
  x.leaf('accountPermanentlyDisabled', a.permanentlyDisabled);
  for (const e of a.ipEvents) ipEvent(x, e);
  for (const d of a.devices) device(x, d);
  // Singular here (priorCTReport), unlike priorCTReports elsewhere: the XSD's own inconsistency.
  x.leaves('priorCTReport', a.priorReports);
  x.leaf('additionalInfo', a.additionalInfo);
  x.close('associatedAccount');
}

const MD5_ATTR: readonly Attr[] = [['hashType', 'MD5']];
const SHA1_ATTR: readonly Attr[] = [['hashType', 'SHA1']];
const SHA256_ATTR: readonly Attr[] = [['hashType', 'SHA256']];

/**
 * The `<fileDetails>` document for one file of a report. `reportId` is the numeric id NCMEC would have
 * returned from /submit; the file's hashes go in `originalFileHash` (MD5, SHA1, SHA256 and any others),
 * except PDQ, which providers send as a `details type="HASH"` pair and which the document therefore
 * already carries in `details`.
 */
export function fileDetailsXml(reportId: number, f: MediaFile): string {
  if (f.fileId === undefined) throw new Error('fileDetails needs a fileId');
  const x = new XmlOut(HEADER, '');
  x.open('fileDetails', [], ROOT_ATTRS);
  x.leaf('reportId', reportId);
  x.leaf('fileId', f.fileId);
  x.leaf('fileName', f.fileName);
  x.leaf('originalFileName', f.originalFileName);
  x.safe('uploadedToEspTimestamp', f.uploadedAt);
  x.leaf('locationOfFile', f.location);
  x.leaf('fileViewedByEsp', f.viewedByEsp);
  x.leaf('exifViewedByEsp', f.exifViewedByEsp);
  x.leaf('publiclyAvailable', f.publiclyAvailable);
  x.safe('fileRelevance', f.relevance);
  if (f.annotations.length > 0) {
    x.open('fileAnnotations');
    for (const a of f.annotations) x.empty(a);
    x.close('fileAnnotations');
  }
  x.safe('industryClassification', f.industryClassification);
  const h = f.hashes;
  x.safe('originalFileHash', h.md5, MD5_ATTR);
  x.safe('originalFileHash', h.sha1, SHA1_ATTR);
  x.safe('originalFileHash', h.sha256, SHA256_ATTR);
  for (const o of h.other) x.leaf('originalFileHash', o.value, [['hashType', o.type]]);
  if (f.ipEvent) ipEvent(x, f.ipEvent);
  for (const d of f.devices) device(x, d);
  for (const d of f.details) {
    x.open('details', [['type', d.type]]);
    for (const p of d.pairs) {
      x.open('nameValuePair');
      x.leaf('name', p.name);
      x.leaf('value', p.value);
      x.close('nameValuePair');
    }
    x.close('details');
  }
  x.leaves('additionalInfo', f.additionalInfo);
  x.close('fileDetails');
  return x.s;
}
