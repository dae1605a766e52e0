/**
 * NCMEC's CyberTipline XSD (`cyber_tipline.xsd`, Nov 2025 snapshot) as a table of content models, and a
 * checker that walks a document read by `cybertipline-xml.ts` against it. The checker rejects what libxml2
 * with the XSD rejects (see the differential test) and stores each valid simple value, converted, on its
 * node for the mapper. `cybertipline-schema.test.ts` compares this table with the XSD file itself.
 */
import { problem, type ErrorCode, type Problem } from '../../domain/errors.ts';
import { parseDate, parseInstant } from '../../domain/ids.ts';
import {
  CAPTURE_EVENTS,
  FILE_ANNOTATIONS,
  INCIDENT_TYPES,
  INDUSTRY_CLASSES,
  REPORT_ANNOTATIONS,
} from '../../domain/referral.ts';
import { Lines, xmlTrim, type Scalar, type XmlAttr, type XmlElement } from './cybertipline-xml.ts';

// ---------------------------------------------------------------------------------------------------
// Table types

export type Base =
  | 'string'
  | 'token'
  | 'boolean'
  /** `xs:boolean fixed="true"`: a presence flag. */
  | 'flag'
  | 'int'
  | 'long'
  | 'double'
  | 'dateTime'
  | 'date'
  | 'enum'
  | 'pattern';

export interface SimpleType {
  /** The XSD type name (`xs:string`, `incidentType`, …). */
  readonly name: string;
  readonly base: Base;
  readonly values?: ReadonlySet<string>;
  readonly pattern?: RegExp;
}

export interface AttrDecl {
  readonly name: string;
  readonly type: SimpleType;
  readonly required: boolean;
}

export interface ElementDecl {
  readonly kind: 'element';
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly content: Content;
}

/** A choice nested in a sequence (only `fileDetails`: `potentialMeme | fileAnnotations`). */
export interface ChoiceGroup {
  readonly kind: 'choice';
  readonly min: number;
  readonly max: number;
  readonly options: readonly ElementDecl[];
}

export type Particle = ElementDecl | ChoiceGroup;

interface Slot {
  readonly at: number;
  readonly decl: ElementDecl;
}

export type Content =
  | { readonly kind: 'simple'; readonly type: SimpleType; readonly attrs: readonly AttrDecl[] }
  | { readonly kind: 'empty'; readonly attrs: readonly AttrDecl[] }
  | {
      readonly kind: 'sequence' | 'choice' | 'all';
      readonly particles: readonly Particle[];
      readonly attrs: readonly AttrDecl[];
      /** Child name → particle position and declaration. */
      readonly index: ReadonlyMap<string, Slot>;
      /** The slot of each element particle (undefined for a nested choice). */
      readonly slots: readonly (Slot | undefined)[];
      /** Effective minOccurs of each particle (a choice with an optional member may be empty). */
      readonly mins: readonly number[];
      readonly maxs: readonly number[];
    };

// ---------------------------------------------------------------------------------------------------
// Simple types

const UNBOUNDED = Number.POSITIVE_INFINITY;

function builtin(name: string, base: Base): SimpleType {
  return { name, base };
}
function enumeration(name: string, values: readonly string[]): SimpleType {
  return { name, base: 'enum', values: new Set(values) };
}

export const XS_STRING = builtin('xs:string', 'string');
const XS_TOKEN = builtin('xs:token', 'token');
const XS_BOOLEAN = builtin('xs:boolean', 'boolean');
const FLAG = builtin('xs:boolean', 'flag');
const XS_INT = builtin('xs:int', 'int');
const XS_LONG = builtin('xs:long', 'long');
const XS_DATE_TIME = builtin('xs:dateTime', 'dateTime');
const XS_DATE = builtin('xs:date', 'date');
const LATLONG = builtin('latlong', 'double');

const INCIDENT_TYPE = enumeration('incidentType', INCIDENT_TYPES);
const IP_CAPTURE_TYPE = enumeration('ipCaptureType', CAPTURE_EVENTS);
const FILE_RELEVANCE = enumeration('fileRelevance', ['Reported', 'Supplemental Reported']);
const FILE_CLASSIFICATION = enumeration('fileClassification', INDUSTRY_CLASSES);
const EMAIL_TYPE = enumeration('emailType', ['Home', 'Work', 'Business', 'Recovery']);
const PHONE_TYPE = enumeration('phoneType', [
  'Mobile',
  'Home',
  'Business',
  'Work',
  'Fax',
  'Internet',
  'Recovery',
]);
const ADDRESS_TYPE = enumeration('addressType', ['Home', 'Business', 'Billing', 'Shipping', 'Technical']);
const ASSOCIATED_ACCOUNT_TYPE = enumeration('associatedAccountType', [
  'Billing',
  'Linked',
  'Business',
  'Creator',
  'Parent/Guardian',
  'Other',
]);
const BATCHED_REPORT_REASON = enumeration('batchedReportReason', ['VIRAL_POTENTIAL_MEME']);
const METADATA_TYPES = enumeration('metadataTypes', ['EXIF', 'HASH']);
// ISO 3166-1 alpha-2 plus GeoIP pseudo-codes and legacy codes, exactly as the XSD lists them ("" included).
const COUNTRY = enumeration('country', [
  '',
  ...(
    'A1 A2 O1 AD AE AF AG AI AL AM AN AO AP AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ ' +
    'BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CX CW CY CZ DE DJ DK DM DO DZ EC EE EG ' +
    'EH ER ES ET EU FI FJ FK FM FO FR FX GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR ' +
    'HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT ' +
    'LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP ' +
    'NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL ' +
    'SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE ' +
    'VG VI VN VU WF WS XK YE YT ZA ZM ZW'
  ).split(' '),
]);
const STATE = enumeration('state', [
  '',
  ...(
    'AK AL AR AZ CA CO CT DC DE FL GA GU HI IA ID IL IN KS KY LA MA MD ME MI MN MO MS MT NC ND NE NH NJ NM NV ' +
    'NY OH OK OR PA PR RI SC SD TN TX UT VA VI VT WA WI WV WY'
  ).split(' '),
]);
const PHONE_COUNTRY_CALLING_CODE: SimpleType = {
  name: 'phoneCountryCallingCode',
  base: 'pattern',
  pattern: /^\+[0-9]{1,3}$/,
};
const PHONE_EXTENSION: SimpleType = { name: 'phoneExtension', base: 'pattern', pattern: /^[0-9]+$/ };

// ---------------------------------------------------------------------------------------------------
// Builders

const NONE: readonly AttrDecl[] = [];
const leafCache = new Map<SimpleType, Content>();

function attr(name: string, type: SimpleType, required = false): AttrDecl {
  return { name, type, required };
}
function simple(type: SimpleType, attrs: readonly AttrDecl[] = NONE): Content {
  if (attrs.length > 0) return { kind: 'simple', type, attrs };
  let c = leafCache.get(type);
  if (c === undefined) {
    c = { kind: 'simple', type, attrs: NONE };
    leafCache.set(type, c);
  }
  return c;
}
function el(name: string, c: Content | SimpleType, min: number, max: number): ElementDecl {
  return { kind: 'element', name, min, max, content: 'base' in c ? simple(c) : c };
}
const req = (name: string, c: Content | SimpleType): ElementDecl => el(name, c, 1, 1);
const opt = (name: string, c: Content | SimpleType): ElementDecl => el(name, c, 0, 1);
const many = (name: string, c: Content | SimpleType): ElementDecl => el(name, c, 0, UNBOUNDED);

function model(
  kind: 'sequence' | 'choice' | 'all',
  particles: readonly Particle[],
  attrs: readonly AttrDecl[],
): Content {
  const index = new Map<string, Slot>();
  const slots: (Slot | undefined)[] = [];
  const mins: number[] = [];
  const maxs: number[] = [];
  particles.forEach((p, at) => {
    if (p.kind === 'element') {
      const slot = { at, decl: p };
      index.set(p.name, slot);
      slots.push(slot);
      mins.push(p.min);
      maxs.push(p.max);
    } else {
      for (const o of p.options) index.set(o.name, { at, decl: o });
      slots.push(undefined);
      mins.push(p.options.some((o) => o.min === 0) ? 0 : p.min);
      maxs.push(p.max * Math.max(...p.options.map((o) => o.max)));
    }
  });
  return { kind, particles, attrs, index, slots, mins, maxs };
}
const seq = (particles: readonly Particle[], attrs: readonly AttrDecl[] = NONE): Content =>
  model('sequence', particles, attrs);
const all = (particles: readonly ElementDecl[]): Content => model('all', particles, NONE);
const flags = (names: readonly string[]): Content => all(names.map((n) => opt(n, FLAG)));

// ---------------------------------------------------------------------------------------------------
// Complex types (named as in the XSD)

const text = simple(XS_STRING);
const content = simple(XS_STRING);
const screenName = simple(XS_STRING);

const email = simple(XS_STRING, [
  attr('type', EMAIL_TYPE),
  attr('verified', XS_BOOLEAN),
  attr('verificationDate', XS_DATE_TIME),
]);
const phone = simple(XS_STRING, [
  attr('type', PHONE_TYPE),
  attr('verified', XS_BOOLEAN),
  attr('verificationDate', XS_DATE_TIME),
  attr('countryCallingCode', PHONE_COUNTRY_CALLING_CODE),
  attr('extension', PHONE_EXTENSION),
]);
const address = seq(
  [
    opt('address', XS_STRING),
    opt('city', XS_STRING),
    opt('zipCode', XS_STRING),
    opt('state', STATE),
    opt('nonUsaState', XS_STRING),
    opt('country', COUNTRY),
  ],
  [attr('type', ADDRESS_TYPE)],
);
const person = seq([
  opt('firstName', XS_STRING),
  opt('lastName', XS_STRING),
  many('phone', phone),
  many('email', email),
  many('address', address),
  opt('age', XS_INT),
  opt('dateOfBirth', XS_DATE),
]);
const contactPerson = seq([
  opt('firstName', XS_STRING),
  opt('lastName', XS_STRING),
  many('phone', phone),
  many('email', email),
  many('address', address),
]);
const estimatedLocation = seq(
  [opt('city', XS_STRING), opt('region', XS_STRING), opt('countryCode', COUNTRY)],
  [attr('verified', XS_BOOLEAN), attr('timestamp', XS_DATE_TIME)],
);
const batchedReport: Content = { kind: 'empty', attrs: [attr('reason', BATCHED_REPORT_REASON, true)] };
const ipCaptureEvent = seq([
  req('ipAddress', XS_STRING),
  opt('eventName', IP_CAPTURE_TYPE),
  opt('dateTime', XS_DATE_TIME),
  opt('possibleProxy', XS_BOOLEAN),
  opt('port', XS_INT),
]);
const deviceId = seq([
  req('idType', XS_STRING),
  req('idValue', XS_STRING),
  opt('eventName', IP_CAPTURE_TYPE),
  opt('dateTime', XS_DATE_TIME),
]);
const reportedToLawEnforcement = simple(XS_BOOLEAN);
const accountPermanentlyDisabled = simple(XS_BOOLEAN, [
  attr('disabledDate', XS_DATE_TIME),
  attr('userNotified', XS_BOOLEAN),
  attr('userNotifiedDate', XS_DATE_TIME),
]);
const accountTemporarilyDisabled = simple(XS_BOOLEAN, [
  ...accountPermanentlyDisabled.attrs,
  attr('reenabledDate', XS_DATE_TIME),
]);
const associatedAccount = seq(
  [
    opt('platform', simple(XS_STRING, [attr('thirdPartyUser', XS_BOOLEAN)])),
    opt('firstName', XS_STRING),
    opt('middleName', XS_STRING),
    opt('lastName', XS_STRING),
    opt('approximateAge', XS_INT),
    opt('dateOfBirth', XS_DATE),
    many('phone', phone),
    many('email', email),
    opt('allEmailsReported', XS_BOOLEAN),
    many('address', address),
    opt('espService', XS_STRING),
    opt('espIdentifier', XS_STRING),
    many('profileUrl', XS_STRING),
    opt('screenName', screenName),
    many('displayName', XS_STRING),
    opt('profileBio', text),
    opt('groupIdentifier', XS_STRING),
    opt('compromisedAccount', XS_BOOLEAN),
    opt('accountTemporarilyDisabled', accountTemporarilyDisabled),
    opt('accountPermanentlyDisabled', accountPermanentlyDisabled),
    many('ipCaptureEvent', ipCaptureEvent),
    many('deviceId', deviceId),
    many('priorCTReport', XS_LONG),
    opt('additionalInfo', text),
  ],
  [attr('type', ASSOCIATED_ACCOUNT_TYPE, true)],
);
const reportAnnotations = flags(REPORT_ANNOTATIONS);
const fileAnnotations = flags(FILE_ANNOTATIONS);
const hash = simple(XS_STRING, [attr('hashType', XS_STRING, true)]);
const nameValue = seq([req('name', XS_STRING), req('value', XS_STRING)]);

// ---------------------------------------------------------------------------------------------------
// Global elements

const incidentSummary = seq([
  req('incidentType', INCIDENT_TYPE),
  opt('platform', XS_STRING),
  opt('escalateToHighPriority', XS_STRING),
  opt('reportAnnotations', reportAnnotations),
  req('incidentDateTime', XS_DATE_TIME),
  opt('incidentDateTimeDescription', XS_STRING),
]);
const internetDetails = model(
  'choice',
  [
    req(
      'webPageIncident',
      seq(
        [many('url', XS_STRING), opt('additionalInfo', text)],
        [attr('thirdPartyHostedContent', XS_BOOLEAN)],
      ),
    ),
    req(
      'emailIncident',
      seq([many('emailAddress', email), opt('content', content), opt('additionalInfo', text)]),
    ),
    req(
      'newsgroupIncident',
      seq([
        opt('name', XS_STRING),
        many('emailAddress', email),
        opt('content', content),
        opt('additionalInfo', text),
      ]),
    ),
    req(
      'chatImIncident',
      seq([
        opt('chatClient', XS_STRING),
        opt('chatRoomName', XS_STRING),
        opt('content', content),
        opt('additionalInfo', text),
      ]),
    ),
    req(
      'onlineGamingIncident',
      seq([
        opt('gameName', XS_STRING),
        opt('console', XS_STRING),
        opt('content', content),
        opt('additionalInfo', text),
      ]),
    ),
    req(
      'cellPhoneIncident',
      seq([
        opt('phoneNumber', phone),
        opt('latitude', LATLONG),
        opt('longitude', LATLONG),
        opt('additionalInfo', text),
      ]),
    ),
    req(
      'nonInternetIncident',
      seq([opt('locationName', XS_STRING), many('incidentAddress', address), opt('additionalInfo', text)]),
    ),
    req(
      'peer2peerIncident',
      seq([
        opt('client', XS_STRING),
        many('ipCaptureEvent', ipCaptureEvent),
        opt('fileNames', XS_STRING),
        opt('additionalInfo', text),
      ]),
    ),
  ],
  NONE,
);
const lawEnforcement = seq([
  req('agencyName', XS_STRING),
  opt('caseNumber', XS_STRING),
  opt('officerContact', contactPerson),
  opt('reportedToLe', reportedToLawEnforcement),
  opt('servedLegalProcessDomestic', XS_BOOLEAN),
  opt('servedLegalProcessInternational', simple(XS_BOOLEAN, [attr('fleaCountry', COUNTRY)])),
]);
const reporter = seq([
  req('reportingPerson', person),
  opt('contactPerson', contactPerson),
  opt('companyTemplate', text),
  opt('termsOfService', text),
  opt('legalURL', XS_STRING),
]);
const personOrUserReported = seq([
  opt('personOrUserReportedPerson', person),
  opt('vehicleDescription', XS_STRING),
  opt('espIdentifier', XS_STRING),
  opt('espService', XS_STRING),
  opt('compromisedAccount', XS_BOOLEAN),
  opt('screenName', screenName),
  many('displayName', XS_STRING),
  many('profileUrl', XS_STRING),
  opt('profileBio', text),
  many('ipCaptureEvent', ipCaptureEvent),
  many('deviceId', deviceId),
  opt('thirdPartyUserReported', XS_BOOLEAN),
  many('priorCTReports', XS_LONG),
  opt('groupIdentifier', XS_STRING),
  opt('accountTemporarilyDisabled', accountTemporarilyDisabled),
  opt('accountPermanentlyDisabled', accountPermanentlyDisabled),
  opt('estimatedLocation', estimatedLocation),
  opt('allEmailsReported', XS_BOOLEAN),
  many('associatedAccount', associatedAccount),
  opt('additionalInfo', text),
]);
const intendedRecipient = seq([
  opt('intendedRecipientPerson', person),
  opt('espIdentifier', XS_STRING),
  opt('espService', XS_STRING),
  opt('compromisedAccount', XS_BOOLEAN),
  opt('screenName', screenName),
  many('displayName', XS_STRING),
  many('profileUrl', XS_STRING),
  opt('profileBio', text),
  many('ipCaptureEvent', ipCaptureEvent),
  many('deviceId', deviceId),
  many('priorCTReports', XS_LONG),
  opt('groupIdentifier', XS_STRING),
  opt('accountTemporarilyDisabled', accountTemporarilyDisabled),
  opt('accountPermanentlyDisabled', accountPermanentlyDisabled),
  opt('estimatedLocation', estimatedLocation),
  opt('allEmailsReported', XS_BOOLEAN),
  many('additionalInfo', text),
]);
const victim = seq([
  req('victimPerson', person),
  opt('espIdentifier', XS_STRING),
  opt('espService', XS_STRING),
  opt('compromisedAccount', XS_BOOLEAN),
  opt('screenName', screenName),
  many('displayName', XS_STRING),
  many('profileUrl', XS_STRING),
  opt('profileBio', text),
  many('ipCaptureEvent', ipCaptureEvent),
  many('deviceId', deviceId),
  opt('schoolName', XS_STRING),
  many('priorCTReports', XS_LONG),
  opt('accountTemporarilyDisabled', accountTemporarilyDisabled),
  opt('accountPermanentlyDisabled', accountPermanentlyDisabled),
  opt('estimatedLocation', estimatedLocation),
  opt('allEmailsReported', XS_BOOLEAN),
  many('associatedAccount', associatedAccount),
  opt('additionalInfo', text),
]);

export const REPORT: ElementDecl = req(
  'report',
  seq([
    opt('batchedReport', batchedReport),
    req('incidentSummary', incidentSummary),
    many('internetDetails', internetDetails),
    opt('lawEnforcement', lawEnforcement),
    req('reporter', reporter),
    many('personOrUserReported', personOrUserReported),
    many('intendedRecipient', intendedRecipient),
    many('victim', victim),
    opt('additionalInfo', text),
  ]),
);

export const FILE_DETAILS: ElementDecl = req(
  'fileDetails',
  seq([
    req('reportId', XS_LONG),
    req('fileId', XS_TOKEN),
    opt('fileName', XS_STRING),
    opt('originalFileName', XS_STRING),
    opt('uploadedToEspTimestamp', XS_DATE_TIME),
    opt('locationOfFile', XS_STRING),
    opt('fileViewedByEsp', XS_BOOLEAN),
    opt('exifViewedByEsp', XS_BOOLEAN),
    opt('publiclyAvailable', XS_BOOLEAN),
    opt('fileRelevance', FILE_RELEVANCE),
    {
      kind: 'choice',
      min: 1,
      max: 1,
      options: [opt('potentialMeme', XS_BOOLEAN), opt('fileAnnotations', fileAnnotations)],
    },
    opt('industryClassification', FILE_CLASSIFICATION),
    many('originalFileHash', hash),
    opt('ipCaptureEvent', ipCaptureEvent),
    many('deviceId', deviceId),
    many('details', seq([el('nameValuePair', nameValue, 1, UNBOUNDED)], [attr('type', METADATA_TYPES)])),
    many('additionalInfo', text),
  ]),
);

// ---------------------------------------------------------------------------------------------------
// Problems

/** At most this many problems are reported per submission: enough to fix a document, bounded for hostile input. */
export const MAX_PROBLEMS = 100;

/** Problems of one submission, capped at MAX_PROBLEMS. */
export class Problems {
  readonly items: Problem[] = [];
  full = false;

  add(code: ErrorCode, path: string, message: string): void {
    if (this.full) return;
    if (this.items.length === MAX_PROBLEMS) {
      this.full = true;
      this.items.push(
        problem(code, path, `${message} (further problems not reported: the limit is ${MAX_PROBLEMS})`),
      );
      return;
    }
    this.items.push(problem(code, path, message));
  }
}

// ---------------------------------------------------------------------------------------------------
// Simple values

const INTEGER = /^[+-]?[0-9]+$/;
const DOUBLE = /^(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|-?INF|NaN)$/;
/** What parseInstant lets through but xs:dateTime forbids: year 0000, an offset beyond ±14:00. */
const DATE_TIME_EXTRA = /^-?0000-|[+-]14:(?!00)[0-9][0-9]$/;
const COMMON_DATE_TIME =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,3}))?(?:Z|([+-])([0-9]{2}):([0-9]{2}))?$/;
const DATE_TZ = /(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/;
const LONG_MAX = '9223372036854775807';
const LONG_MIN_ABS = '9223372036854775808';

/** The value of `raw` for type `t`, or undefined when it is not valid. */
export function simpleValue(raw: string, t: SimpleType): Scalar | undefined {
  switch (t.base) {
    case 'string':
      return raw;
    case 'token':
      return xmlTrim(raw);
    case 'enum':
      // Enumerations here derive from xs:string: no white-space collapsing, the match is exact.
      return t.values?.has(raw) ? raw : undefined;
    case 'pattern':
      return t.pattern?.test(raw) ? raw : undefined;
    case 'boolean': {
      const v = xmlTrim(raw);
      return v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : undefined;
    }
    case 'flag': {
      // An empty element takes the fixed value; otherwise the value must equal `true` (so `1` too).
      if (raw === '') return true;
      const v = xmlTrim(raw);
      return v === 'true' || v === '1' ? true : undefined;
    }
    case 'int': {
      const v = xmlTrim(raw);
      if (!INTEGER.test(v)) return undefined;
      const n = Number(v);
      return n >= -2147483648 && n <= 2147483647 ? n : undefined;
    }
    case 'long':
      return longValue(xmlTrim(raw));
    case 'double': {
      const v = xmlTrim(raw);
      if (!DOUBLE.test(v)) return undefined;
      return v === 'INF' ? Infinity : v === '-INF' ? -Infinity : Number(v);
    }
    case 'dateTime':
      return dateTimeValue(xmlTrim(raw));
    case 'date': {
      const v = xmlTrim(raw);
      const tz = DATE_TZ.exec(v);
      const day = tz ? v.slice(0, tz.index) : v;
      return day.startsWith('0000') ? undefined : parseDate(day);
    }
  }
}

/**
 * An xs:dateTime as an Instant string: the same result as parseInstant (the test compares them), but the
 * common shape (4-digit year, up to millisecond precision, hour below 24) is converted without
 * Date.parse, which made parseInstant the largest single cost of a report. Other shapes go to parseInstant.
 */
export function dateTimeValue(v: string): string | undefined {
  const m = COMMON_DATE_TIME.exec(v);
  if (m === null || v.charCodeAt(0) === 0x30 || (v.charCodeAt(11) === 0x32 && v.charCodeAt(12) === 0x34)) {
    return DATE_TIME_EXTRA.test(v) ? undefined : parseInstant(v);
  }
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const f = m[7];
  const sign = m[8];
  if (sign === undefined) {
    // UTC already: the ISO form is the input's own digits (what toISOString would print, much cheaper).
    const frac = f === undefined ? '.000' : f.length === 3 ? `.${f}` : f.length === 2 ? `.${f}0` : `.${f}00`;
    return `${v.slice(0, 19)}${frac}Z`;
  }
  const oh = Number(m[9]);
  const om = Number(m[10]);
  if (oh > 14 || om > 59 || (oh === 14 && om !== 0)) return undefined;
  const ms = f === undefined ? 0 : Number(f) * (f.length === 3 ? 1 : f.length === 2 ? 10 : 100);
  const offset = (sign === '-' ? -1 : 1) * (oh * 60 + om) * 60000;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset).toISOString();
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** An xs:long in canonical form (no `+`, no leading zeros), kept as text: it may exceed 2^53. */
function longValue(v: string): string | undefined {
  if (!INTEGER.test(v)) return undefined;
  const negative = v.charCodeAt(0) === 0x2d;
  let i = negative || v.charCodeAt(0) === 0x2b ? 1 : 0;
  while (i < v.length - 1 && v.charCodeAt(i) === 0x30) i++;
  const digits = v.slice(i);
  if (digits.length > 19) return undefined;
  if (digits.length === 19 && digits > (negative ? LONG_MIN_ABS : LONG_MAX)) return undefined;
  return negative && digits !== '0' ? `-${digits}` : digits;
}

function expected(t: SimpleType): string {
  switch (t.base) {
    case 'string':
    case 'token':
      return 'text';
    case 'boolean':
      return 'true or false';
    case 'flag':
      return 'empty (or "true"): it is a presence flag';
    case 'int':
      return 'a whole number (xs:int)';
    case 'long':
      return 'a whole number (xs:long)';
    case 'double':
      return 'a decimal number';
    case 'dateTime':
      return 'a valid date and time such as 2025-06-14T19:37:05Z';
    case 'date':
      return 'a valid date such as 2011-04-30';
    case 'pattern':
      return t.name === 'phoneCountryCallingCode' ? '"+" and 1 to 3 digits' : 'digits only';
    case 'enum':
      if (t.name === 'country') return 'an ISO 3166-1 alpha-2 country code';
      if (t.name === 'state') return 'a US state or territory code (use nonUsaState elsewhere)';
      return `one of ${[...(t.values ?? [])].map((v) => JSON.stringify(v)).join(', ')}`;
  }
}

/** The offending value for the message; never a date, which here can only be someone's date of birth. */
function got(raw: string, t: SimpleType): string {
  return t.base === 'date' ? '' : `, got ${quoted(raw)}`;
}

function quoted(raw: string): string {
  return JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
}

// ---------------------------------------------------------------------------------------------------
// The walk

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

interface NsScope {
  readonly prefix: string;
  readonly uri: string;
  readonly parent: NsScope | undefined;
  /** Declarations in scope, this one included. */
  readonly count: number;
}

const MAX_NAMESPACES = 64;

interface Walk {
  readonly problems: Problems;
  /** Line numbers in the document, for messages. */
  readonly lines: Lines;
}

/**
 * Checks a document read by `readXml` against the XSD declaration for `kind`, adding every problem
 * found (not only the first) under `path`, and stores converted simple values on the nodes.
 */
export function checkDocument(
  root: XmlElement,
  kind: 'report' | 'fileDetails',
  path: string,
  source: string,
  problems: Problems,
): void {
  const walk: Walk = { problems, lines: new Lines(source) };
  if (root.name !== kind) {
    problems.add('schema_violation', path, `the root element must be <${kind}>, found <${root.name}>`);
    return;
  }
  checkElement(root, kind === 'report' ? REPORT : FILE_DETAILS, path, walk, undefined);
}

function at(walk: Walk, n: XmlElement): string {
  return ` (line ${walk.lines.of(n.offset)})`;
}

function checkElement(
  n: XmlElement,
  decl: ElementDecl,
  path: string,
  walk: Walk,
  ns: NsScope | undefined,
): void {
  if (walk.problems.full) return;
  const c = decl.content;
  const scope = n.attrs.length > 0 || c.attrs.length > 0 ? checkAttrs(n, c.attrs, path, walk, ns) : ns;
  switch (c.kind) {
    case 'simple': {
      for (const child of n.children) {
        walk.problems.add(
          'schema_violation',
          `${path}/${child.name}`,
          `<${child.name}> is not allowed inside <${n.name}>, which holds a value${at(walk, child)}`,
        );
      }
      if (n.children.length > 0) return; // its text is not collected: the children are the problem
      const v = simpleValue(n.text, c.type);
      if (v === undefined) {
        walk.problems.add(
          c.type.base === 'dateTime' || c.type.base === 'date' ? 'invalid_date' : 'invalid_value',
          path,
          `<${n.name}> must be ${expected(c.type)}${got(n.text, c.type)}${at(walk, n)}`,
        );
      }
      n.value = v;
      return;
    }
    case 'empty':
      for (const child of n.children) {
        walk.problems.add(
          'schema_violation',
          `${path}/${child.name}`,
          `<${child.name}> is not allowed inside <${n.name}>, which must be empty${at(walk, child)}`,
        );
      }
      if (n.text !== '' || n.mixed)
        walk.problems.add('schema_violation', path, `<${n.name}> must be empty${at(walk, n)}`);
      return;
    case 'sequence':
    case 'choice':
    case 'all':
      if (n.mixed || hasText(n.text)) {
        walk.problems.add(
          'schema_violation',
          path,
          `<${n.name}> may contain only elements, not text${at(walk, n)}`,
        );
      }
      if (c.kind === 'sequence') checkSequence(n, c, path, walk, scope);
      else if (c.kind === 'choice') checkChoice(n, c, path, walk, scope);
      else checkAll(n, c, path, walk, scope);
  }
}

type ModelContent = Extract<Content, { readonly particles: readonly Particle[] }>;

function checkSequence(
  n: XmlElement,
  c: ModelContent,
  path: string,
  walk: Walk,
  ns: NsScope | undefined,
): void {
  const kids = n.children;
  let pos = 0; // the particle the last in-order child matched
  let count = 0; // how many children matched it
  let last = ''; // that child's name, for out-of-order messages
  for (let i = 0; i < kids.length && !walk.problems.full; i++) {
    const child = kids[i] as XmlElement;
    const slot = findForward(c, pos, child.name) ?? c.index.get(child.name);
    if (slot === undefined) {
      unknownChild(n, child, i, path, walk);
      continue;
    }
    if (slot.at < pos) {
      child.index = occurrence(kids, i);
      const p = childPath(path, child.name, child.index, slot.decl.max);
      walk.problems.add(
        'schema_violation',
        p,
        `<${child.name}> is out of order in <${n.name}>: it must come before <${last}>${at(walk, child)}`,
      );
      checkElement(child, slot.decl, p, walk, ns);
      continue;
    }
    if (slot.at > pos) {
      missing(n, c, pos, count, slot.at, path, walk);
      pos = slot.at;
      count = 0;
    }
    count++;
    last = child.name;
    child.index = c.particles[pos]?.kind === 'element' ? count - 1 : occurrence(kids, i);
    const p = childPath(path, child.name, child.index, slot.decl.max);
    const max = c.maxs[pos] ?? 1;
    if (count > max) {
      walk.problems.add(
        'schema_violation',
        p,
        max === 1
          ? `<${n.name}> may hold only one <${groupName(c, pos)}>${at(walk, child)}`
          : `<${n.name}> may hold at most ${max} <${child.name}>${at(walk, child)}`,
      );
    }
    checkElement(child, slot.decl, p, walk, ns);
  }
  missing(n, c, pos, count, c.particles.length, path, walk);
}

/**
 * The slot of `name` at or after particle `from`. Children usually come in order, so a short forward
 * scan with string compares beats hashing every freshly read name for a map lookup.
 */
function findForward(c: ModelContent, from: number, name: string): Slot | undefined {
  const ps = c.particles;
  for (let j = from; j < ps.length; j++) {
    const p = ps[j] as Particle;
    if (p.kind === 'element') {
      if (p.name === name) return c.slots[j];
    } else {
      for (const o of p.options) if (o.name === name) return c.index.get(name);
    }
  }
  return undefined;
}

/** Reports required particles in [from, to) that did not occur (`from` occurred `count` times). */
function missing(
  n: XmlElement,
  c: ModelContent,
  from: number,
  count: number,
  to: number,
  path: string,
  walk: Walk,
): void {
  for (let j = from; j < to; j++) {
    const min = c.mins[j] ?? 0;
    if ((j === from ? count : 0) < min) {
      const name = groupName(c, j);
      walk.problems.add(
        'schema_violation',
        `${path}/${name}`,
        `required element <${name}> is missing from <${n.name}>${at(walk, n)}`,
      );
    }
  }
}

function groupName(c: ModelContent, j: number): string {
  const p = c.particles[j];
  if (p === undefined) return '';
  return p.kind === 'element' ? p.name : p.options.map((o) => o.name).join('> or <');
}

function checkChoice(
  n: XmlElement,
  c: ModelContent,
  path: string,
  walk: Walk,
  ns: NsScope | undefined,
): void {
  let chosen = '';
  for (let i = 0; i < n.children.length && !walk.problems.full; i++) {
    const child = n.children[i] as XmlElement;
    const slot = c.index.get(child.name);
    if (slot === undefined) {
      unknownChild(n, child, i, path, walk);
      continue;
    }
    child.index = occurrence(n.children, i);
    const p = childPath(path, child.name, child.index, 1);
    if (chosen !== '') {
      walk.problems.add(
        'schema_violation',
        p,
        `<${n.name}> must hold exactly one element; found <${chosen}> and <${child.name}>${at(walk, child)}`,
      );
    } else {
      chosen = child.name;
    }
    checkElement(child, slot.decl, p, walk, ns);
  }
  if (chosen === '') {
    const names = c.particles.map((p) => (p.kind === 'element' ? p.name : '')).join(', ');
    walk.problems.add('schema_violation', path, `<${n.name}> must hold one of: ${names}${at(walk, n)}`);
  }
}

function checkAll(n: XmlElement, c: ModelContent, path: string, walk: Walk, ns: NsScope | undefined): void {
  let seen = 0;
  for (let i = 0; i < n.children.length && !walk.problems.full; i++) {
    const child = n.children[i] as XmlElement;
    const slot = c.index.get(child.name);
    if (slot === undefined) {
      unknownChild(n, child, i, path, walk);
      continue;
    }
    const bit = 1 << slot.at;
    child.index = occurrence(n.children, i);
    const p = childPath(path, child.name, child.index, 1);
    if (seen & bit) {
      walk.problems.add(
        'schema_violation',
        p,
        `<${n.name}> may hold only one <${child.name}>${at(walk, child)}`,
      );
    }
    seen |= bit;
    checkElement(child, slot.decl, p, walk, ns);
  }
  for (let j = 0; j < c.particles.length; j++) {
    const p = c.particles[j] as Particle;
    if ((c.mins[j] ?? 0) > 0 && !(seen & (1 << j)) && p.kind === 'element') {
      walk.problems.add(
        'schema_violation',
        `${path}/${p.name}`,
        `required element <${p.name}> is missing from <${n.name}>`,
      );
    }
  }
}

function unknownChild(n: XmlElement, child: XmlElement, i: number, path: string, walk: Walk): void {
  walk.problems.add(
    'schema_violation',
    childPath(path, child.name, occurrence(n.children, i), 1),
    `<${child.name}> is not an element of <${n.name}> in the CyberTipline schema${at(walk, child)}`,
  );
}

function checkAttrs(
  n: XmlElement,
  decls: readonly AttrDecl[],
  path: string,
  walk: Walk,
  ns: NsScope | undefined,
): NsScope | undefined {
  let scope = ns;
  let xsi = 0;
  // Namespace declarations first: they apply to the element's own attributes.
  for (const a of n.attrs) {
    if (a.name === 'xmlns') {
      if (a.value !== '') {
        walk.problems.add(
          'schema_violation',
          path,
          `<${n.name}> is in namespace ${quoted(a.value)}; CyberTipline elements have no namespace${at(walk, n)}`,
        );
      }
    } else if (a.name.startsWith('xmlns:')) {
      const count = (scope?.count ?? 0) + 1;
      // Real documents declare one or two prefixes; a bound keeps prefix lookups cheap on hostile input.
      if (count > MAX_NAMESPACES) {
        walk.problems.add(
          'too_large',
          `${path}/@${a.name}`,
          `more than ${MAX_NAMESPACES} namespace prefixes`,
        );
      } else {
        scope = { prefix: a.name.slice(6), uri: a.value, parent: scope, count };
      }
    }
  }
  for (const a of n.attrs) {
    if (walk.problems.full) break; // hostile input: stop before resolving thousands of prefixes
    const colon = a.name.indexOf(':');
    if (colon >= 0) {
      const prefix = a.name.slice(0, colon);
      if (prefix === 'xmlns') continue;
      const local = a.name.slice(colon + 1);
      const hint = local === 'noNamespaceSchemaLocation' ? 1 : local === 'schemaLocation' ? 2 : 0;
      // The schema-location hints are allowed anywhere (and ignored), once each.
      if (hint !== 0 && (xsi & hint) === 0 && resolve(scope, prefix) === XSI) {
        xsi |= hint;
        continue;
      }
      attrProblem(n, a, path, walk);
      continue;
    }
    if (a.name === 'xmlns') continue;
    const d = findAttr(decls, a.name);
    if (d === undefined) {
      attrProblem(n, a, path, walk);
      continue;
    }
    const v = simpleValue(a.value, d.type);
    if (v === undefined) {
      walk.problems.add(
        d.type.base === 'dateTime' ? 'invalid_date' : 'invalid_value',
        `${path}/@${a.name}`,
        `attribute ${a.name} of <${n.name}> must be ${expected(d.type)}${got(a.value, d.type)}${at(walk, n)}`,
      );
    }
    a.typed = v;
  }
  for (const d of decls) {
    if (d.required && !hasAttr(n, d.name)) {
      walk.problems.add(
        'schema_violation',
        `${path}/@${d.name}`,
        `<${n.name}> requires attribute ${d.name}${at(walk, n)}`,
      );
    }
  }
  return scope;
}

function attrProblem(n: XmlElement, a: XmlAttr, path: string, walk: Walk): void {
  walk.problems.add(
    'schema_violation',
    `${path}/@${a.name}`,
    `attribute ${a.name} is not allowed on <${n.name}>${at(walk, n)}`,
  );
}

function hasAttr(n: XmlElement, name: string): boolean {
  for (const a of n.attrs) if (a.name === name) return true;
  return false;
}

function findAttr(decls: readonly AttrDecl[], name: string): AttrDecl | undefined {
  for (const d of decls) if (d.name === name) return d;
  return undefined;
}

function resolve(scope: NsScope | undefined, prefix: string): string | undefined {
  if (prefix === 'xml') return XML_NS;
  for (let s = scope; s !== undefined; s = s.parent) if (s.prefix === prefix) return s.uri;
  return undefined;
}

function hasText(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) return true;
  }
  return false;
}

/** How many earlier siblings share the name of `kids[i]` (error paths, and the small choice/all groups). */
function occurrence(kids: readonly XmlElement[], i: number): number {
  const name = (kids[i] as XmlElement).name;
  let k = 0;
  for (let j = 0; j < i; j++) if ((kids[j] as XmlElement).name === name) k++;
  return k;
}

/** `/name[i]` for repeatable elements, `/name` for single ones (a surplus single one gets its index). */
function childPath(path: string, name: string, index: number, max: number): string {
  return max > 1 || index > 0 ? `${path}/${name}[${index}]` : `${path}/${name}`;
}
