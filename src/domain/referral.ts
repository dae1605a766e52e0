import type {
  CountryCode,
  Instant,
  Md5Hex,
  OrganisationId,
  PdqHex,
  ReferralId,
  Sha1Hex,
  Sha256Hex,
} from './ids.ts';

/**
 * The canonical form of a referral (`conduit.referral/1`): what every input format is parsed into,
 * what the pipeline reads, and what the JSON API and NDJSON accept. CyberTipline fields that are not
 * mapped here stay in the verbatim raw record (see docs/cybertipline-mapping.md).
 */
export interface ReferralDocument {
  /** The source's own reference (CyberTipline report id, a file stem, or absent: then the content hash is used). */
  readonly sourceRef?: string;
  /** The source's own view of the country concerned (a referring centre's routing): one location signal. */
  readonly countryHint?: CountryCode;
  readonly incident: Incident;
  readonly internet: readonly InternetDetail[];
  readonly lawEnforcement?: LawEnforcement;
  readonly reporter: Reporter;
  readonly reportedPersons: readonly Account[];
  readonly intendedRecipients: readonly Account[];
  readonly victims: readonly Victim[];
  readonly files: readonly MediaFile[];
  readonly additionalInfo?: string;
}

export const INCIDENT_TYPES = [
  'Child Pornography (possession, manufacture, and distribution)',
  'Child Sex Trafficking',
  'Child Sex Tourism',
  'Child Sexual Molestation',
  'Misleading Domain Name',
  'Misleading Words or Digital Images on the Internet',
  'Online Enticement of Children for Sexual Acts',
  'Unsolicited Obscene Material Sent to a Child',
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

export const REPORT_ANNOTATIONS = [
  'sextortion',
  'csamSolicitation',
  'minorToMinorInteraction',
  'spam',
  'sadisticOnlineExploitation',
] as const;
export type ReportAnnotation = (typeof REPORT_ANNOTATIONS)[number];

export const FILE_ANNOTATIONS = [
  'animeDrawingVirtualHentai',
  'potentialMeme',
  'viral',
  'possibleSelfProduction',
  'physicalHarm',
  'violenceGore',
  'bestiality',
  'liveStreaming',
  'infant',
  'generativeAi',
] as const;
export type FileAnnotation = (typeof FILE_ANNOTATIONS)[number];

export const INDUSTRY_CLASSES = ['A1', 'A2', 'B1', 'B2'] as const;
export type IndustryClass = (typeof INDUSTRY_CLASSES)[number];

export const CAPTURE_EVENTS = ['Login', 'Registration', 'Purchase', 'Upload', 'Other', 'Unknown'] as const;
export type CaptureEvent = (typeof CAPTURE_EVENTS)[number];

export interface Incident {
  readonly type: IncidentType;
  readonly occurredAt: Instant;
  readonly occurredAtDescription?: string;
  readonly platform?: string;
  /** The provider's reason for escalating; present means "escalate". */
  readonly escalation?: string;
  readonly annotations: readonly ReportAnnotation[];
  /** CyberTipline `batchedReport/@reason` (bundled viral/meme reports). */
  readonly batchedReason?: 'VIRAL_POTENTIAL_MEME';
}

export const INTERNET_KINDS = [
  'webPage',
  'email',
  'newsgroup',
  'chatIm',
  'onlineGaming',
  'cellPhone',
  'nonInternet',
  'peer2peer',
] as const;
export type InternetKind = (typeof INTERNET_KINDS)[number];

/** One `internetDetails` entry; which fields are set depends on `kind`. */
export interface InternetDetail {
  readonly kind: InternetKind;
  readonly urls?: readonly string[];
  readonly thirdPartyHostedContent?: boolean;
  readonly emails?: readonly Email[];
  /** Newsgroup name, chat room name, game name, P2P client, location name: the incident's "where". */
  readonly name?: string;
  /** Chat client, game console. */
  readonly client?: string;
  readonly content?: string;
  readonly phone?: Phone;
  readonly latitude?: number;
  readonly longitude?: number;
  readonly addresses?: readonly Address[];
  readonly ipEvents?: readonly IpEvent[];
  readonly fileNames?: string;
  readonly additionalInfo?: string;
}

export interface LawEnforcement {
  readonly agencyName: string;
  readonly caseNumber?: string;
  readonly officer?: Person;
  readonly reportedToLe?: boolean;
  readonly servedLegalProcessDomestic?: boolean;
  readonly servedLegalProcessInternational?: boolean;
  readonly servedLegalProcessCountry?: CountryCode;
}

export interface Reporter {
  readonly person: Person;
  readonly contact?: Person;
  readonly companyTemplate?: string;
  readonly termsOfService?: string;
  readonly legalUrl?: string;
}

export interface Person {
  readonly firstName?: string;
  readonly lastName?: string;
  readonly phones: readonly Phone[];
  readonly emails: readonly Email[];
  readonly addresses: readonly Address[];
  readonly age?: number;
  readonly dateOfBirth?: string;
}

export interface Phone {
  /** As given (digits and punctuation); normalisation to E.164 is a pipeline stage. */
  readonly number: string;
  readonly countryCallingCode?: string;
  readonly extension?: string;
  readonly type?: string;
  readonly verified?: boolean;
  readonly verifiedAt?: Instant;
}

export interface Email {
  readonly address: string;
  readonly type?: string;
  readonly verified?: boolean;
  readonly verifiedAt?: Instant;
}

export interface Address {
  readonly type?: string;
  readonly street?: string;
  readonly city?: string;
  readonly zipCode?: string;
  readonly state?: string;
  readonly nonUsaState?: string;
  readonly country?: string;
}

export interface IpEvent {
  /** Canonical text form (IPv4-mapped IPv6 unwrapped, IPv6 compressed). */
  readonly address: string;
  readonly event?: CaptureEvent;
  readonly at?: Instant;
  readonly possibleProxy?: boolean;
  readonly port?: number;
}

export interface Device {
  readonly idType: string;
  readonly idValue: string;
  readonly event?: CaptureEvent;
  readonly at?: Instant;
}

export interface EstimatedLocation {
  readonly city?: string;
  readonly region?: string;
  readonly countryCode?: CountryCode;
  readonly verified?: boolean;
  readonly at?: Instant;
}

/** A reported person/user, an intended recipient or an associated account: an account on a service. */
export interface Account {
  readonly person?: Person;
  readonly espIdentifier?: string;
  readonly espService?: string;
  readonly screenName?: string;
  readonly displayNames: readonly string[];
  readonly profileUrls: readonly string[];
  readonly profileBio?: string;
  readonly ipEvents: readonly IpEvent[];
  readonly devices: readonly Device[];
  readonly groupIdentifier?: string;
  readonly priorReports: readonly string[];
  readonly compromised?: boolean;
  readonly thirdParty?: boolean;
  readonly temporarilyDisabled?: boolean;
  readonly permanentlyDisabled?: boolean;
  readonly estimatedLocation?: EstimatedLocation;
  readonly associatedAccounts: readonly AssociatedAccount[];
  readonly vehicleDescription?: string;
  readonly additionalInfo?: string;
}

export interface AssociatedAccount extends Account {
  /** CyberTipline `associatedAccount/@type`: Billing, Linked, Business, Creator, Parent/Guardian, Other. */
  readonly type: string;
  readonly platform?: string;
}

/** A victim: only the age is kept in the parsed form (names and contact stay in the raw record). */
export interface Victim {
  readonly age?: number;
  readonly espIdentifier?: string;
  readonly espService?: string;
  readonly screenName?: string;
  readonly ipEvents: readonly IpEvent[];
  readonly estimatedLocation?: EstimatedLocation;
  readonly additionalInfo?: string;
}

export interface FileHashes {
  readonly md5?: Md5Hex;
  readonly sha1?: Sha1Hex;
  readonly sha256?: Sha256Hex;
  readonly pdq?: PdqHex;
  /** The PDQ hash's quality (0–100) where the source gave it; below 50 it is kept but not matched. */
  readonly pdqQuality?: number;
  /** Hashes of other types, as given (`hashType` upper-cased). */
  readonly other: readonly { readonly type: string; readonly value: string }[];
}

export interface MediaFile {
  /** The provider's file id (CyberTipline `fileId`). */
  readonly fileId?: string;
  readonly fileName?: string;
  readonly originalFileName?: string;
  readonly uploadedAt?: Instant;
  readonly location?: string;
  readonly viewedByEsp?: boolean;
  readonly exifViewedByEsp?: boolean;
  readonly publiclyAvailable?: boolean;
  readonly relevance: 'Reported' | 'Supplemental Reported';
  readonly annotations: readonly FileAnnotation[];
  readonly industryClassification?: IndustryClass;
  readonly hashes: FileHashes;
  /** Hashes Conduit computed itself from bytes it received (upload path); never the bytes. */
  readonly computed?: {
    readonly md5: Md5Hex;
    readonly sha1: Sha1Hex;
    readonly sha256: Sha256Hex;
    readonly size: number;
  };
  readonly ipEvent?: IpEvent;
  readonly devices: readonly Device[];
  readonly details: readonly {
    readonly type?: 'EXIF' | 'HASH';
    readonly pairs: readonly { readonly name: string; readonly value: string }[];
  }[];
  readonly additionalInfo: readonly string[];
}

/** A referral as stored: immutable once accepted. */
export interface Referral {
  readonly id: ReferralId;
  readonly sourceOrgId: OrganisationId;
  readonly sourceRef: string;
  readonly contentSha256: Sha256Hex;
  readonly format: InputFormat;
  readonly receivedAt: Instant;
  readonly status: ReferralStatus;
  readonly recipientOrgId: OrganisationId | null;
  readonly document: ReferralDocument;
}

export type InputFormat = 'cybertipline-xml' | 'conduit-json';
export type ReferralStatus = 'routed' | 'held';

/** The hashes to trust for a file: those Conduit computed from received bytes, else those declared. */
export function effectiveHashes(f: MediaFile): {
  md5: Md5Hex | null;
  sha1: Sha1Hex | null;
  sha256: Sha256Hex | null;
  pdq: PdqHex | null;
} {
  return {
    md5: f.computed?.md5 ?? f.hashes.md5 ?? null,
    sha1: f.computed?.sha1 ?? f.hashes.sha1 ?? null,
    sha256: f.computed?.sha256 ?? f.hashes.sha256 ?? null,
    pdq: f.hashes.pdq ?? null,
  };
}
