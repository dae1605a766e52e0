/**
 * The answer key of a synthetic scenario (truth.json): which referrals belong to which person, each
 * person's true country, accounts and identifiers, the group chats ("communities"), the IPv4 addresses
 * that unrelated persons shared, the circulating files, and the priority each referral should get.
 * Linking, routing and prioritisation are evaluated against it.
 */
import type { ReferralDocument } from '../domain/referral.ts';
import type { Difficulty } from './difficulty.ts';
import type { NickTransform } from './nicknames.ts';
import type { PriorityLevel } from './priority.ts';

export interface AccountTruth {
  readonly service: string;
  readonly espIdentifier: string;
  readonly screenName: string;
  /** How the screen name was derived from the person's nickname ([] = the plain nickname). */
  readonly transforms: readonly NickTransform[];
}

export interface PersonTruth {
  readonly id: string;
  /** The base nickname all of the person's screen names are variants of. */
  readonly nickname: string;
  readonly trueCountry: string;
  /** `collector` (material), `groomer` (contact with children), `sharer` (one-off viral/meme share). */
  readonly profile: PersonProfile;
  /** Only accounts that appear in a referral (as reported user or associated account). */
  readonly accounts: readonly AccountTruth[];
  /** Only identifiers that appear in the person's referrals. Phones in E.164. */
  readonly identifiers: {
    readonly emails: readonly string[];
    readonly phones: readonly string[];
    readonly devices: readonly string[];
    readonly ips: readonly string[];
  };
  readonly communities: readonly string[];
  /** Stems of the referrals in which the person is a reported user, in order. */
  readonly referrals: readonly string[];
}

export type PersonProfile = 'collector' | 'groomer' | 'sharer';

export interface CommunityTruth {
  readonly groupId: string;
  readonly service: string;
  readonly persons: readonly string[];
}

/** An IPv4 address seen in the referrals of more than one person (CGNAT gateway or reassigned line). */
export interface SharedIpTruth {
  readonly ip: string;
  readonly persons: readonly string[];
}

/** A known item circulating between persons (the same hashes in several referrals). */
export interface CirculatingFileTruth {
  readonly md5: string;
  readonly sha1: string;
  readonly sha256: string;
  readonly pdq?: string;
  readonly classification?: string;
  readonly viral: boolean;
  readonly referrals: number;
}

export interface Truth {
  readonly seed: string | number;
  readonly reports: number;
  readonly now: string;
  /** Present only for a scenario that is not easy (easy truth.json stays as it always was). */
  readonly difficulty?: Difficulty;
  /** In the order persons were completed (their last referral generated), not by id. */
  readonly persons: readonly PersonTruth[];
  readonly communities: readonly CommunityTruth[];
  readonly sharedCgnat: readonly SharedIpTruth[];
  readonly circulatingFiles: readonly CirculatingFileTruth[];
  readonly expectedPriority: Readonly<Record<string, PriorityLevel>>;
}

/** One referral of the scenario. */
export interface GeneratedReport {
  readonly kind: 'report';
  /** 0-based position; also orders `incident.occurredAt`. */
  readonly index: number;
  readonly stem: string;
  /** The numeric CyberTipline report id the fileDetails documents refer to. */
  readonly reportId: number;
  readonly doc: ReferralDocument;
  readonly expectedPriority: PriorityLevel;
  /** Truth ids of the reported persons, in `doc.reportedPersons` order. */
  readonly persons: readonly string[];
}

/** A person whose referrals are all out: their truth is final and can be written and forgotten. */
export interface CompletedPerson {
  readonly kind: 'person';
  readonly person: PersonTruth;
}

/** The last event: everything in truth.json that is only known at the end. */
export interface ScenarioEnd {
  readonly kind: 'end';
  readonly seed: string | number;
  readonly reports: number;
  readonly now: string;
  /** Present only for a scenario that is not easy. */
  readonly difficulty?: Difficulty;
  readonly communities: readonly CommunityTruth[];
  readonly sharedCgnat: readonly SharedIpTruth[];
  readonly circulatingFiles: readonly CirculatingFileTruth[];
}

export type ScenarioEvent = GeneratedReport | CompletedPerson | ScenarioEnd;

/** The whole truth in memory, from a scenario's events (for tests and small scenarios). */
export function buildTruth(events: Iterable<ScenarioEvent>): Truth {
  const persons: PersonTruth[] = [];
  const expected: Record<string, PriorityLevel> = {};
  for (const e of events) {
    switch (e.kind) {
      case 'report':
        expected[e.stem] = e.expectedPriority;
        break;
      case 'person':
        persons.push(e.person);
        break;
      case 'end':
        return {
          seed: e.seed,
          reports: e.reports,
          now: e.now,
          ...(e.difficulty === undefined ? {} : { difficulty: e.difficulty }),
          persons,
          communities: e.communities,
          sharedCgnat: e.sharedCgnat,
          circulatingFiles: e.circulatingFiles,
          expectedPriority: expected,
        };
    }
  }
  throw new Error('buildTruth: the scenario ended without its end event');
}

/**
 * truth.json as a sequence of text chunks, fed one event at a time so that a million-report scenario
 * never holds its persons in memory (only one priority byte per referral until the end). Parsing the
 * concatenated chunks gives exactly `buildTruth` of the same events.
 */
export class TruthText {
  private readonly levels: Uint8Array;
  private count = 0;
  private persons = 0;

  constructor(
    reports: number,
    private readonly width: number,
  ) {
    this.levels = new Uint8Array(reports);
  }

  /** The opening of the document; `difficulty` is written only when given and not easy. */
  start(seed: string | number, reports: number, now: string, difficulty?: Difficulty): string {
    const level = difficulty === undefined || difficulty === 'easy' ? '' : `,"difficulty":"${difficulty}"`;
    return `{"seed":${JSON.stringify(seed)},"reports":${reports},"now":${JSON.stringify(now)}${level},"persons":[`;
  }

  /** Text to append for a report or person event ('' when the event only needs remembering). */
  add(e: GeneratedReport | CompletedPerson): string {
    switch (e.kind) {
      case 'report':
        this.levels[e.index] = LEVEL_CODE[e.expectedPriority];
        this.count = Math.max(this.count, e.index + 1);
        return '';
      case 'person':
        return `${this.persons++ === 0 ? '\n' : ',\n'}${JSON.stringify(e.person)}`;
    }
  }

  /** The rest of the document, in chunks of bounded size. */
  *finish(e: ScenarioEnd): Generator<string> {
    const list = (items: readonly unknown[]): string => items.map((x) => `\n${JSON.stringify(x)}`).join(',');
    yield `\n],"communities":[${list(e.communities)}\n],"sharedCgnat":[${list(e.sharedCgnat)}\n],`;
    yield `"circulatingFiles":[${list(e.circulatingFiles)}\n],"expectedPriority":{`;
    let s = '';
    for (let i = 0; i < this.count; i++) {
      s += `${i === 0 ? '' : ','}\n"${stemOf(i, this.width)}":"${LEVELS[this.levels[i] ?? 3] ?? '3'}"`;
      if (s.length > 1 << 20) {
        yield s;
        s = '';
      }
    }
    yield `${s}\n}}\n`;
  }
}

const LEVELS: readonly PriorityLevel[] = ['E', '1', '2', '3'];
const LEVEL_CODE: Readonly<Record<PriorityLevel, number>> = { E: 0, '1': 1, '2': 2, '3': 3 };

export const STEM_PREFIX = 'ctr-';

/** `ctr-000001`: 1-based, zero-padded to `width` digits so that stems sort like report order. */
export function stemOf(index: number, width: number): string {
  return STEM_PREFIX + String(index + 1).padStart(width, '0');
}

/** Digits in a scenario's stems: at least 6, more when the scenario is larger. */
export function stemWidth(reports: number): number {
  return Math.max(6, String(reports).length);
}
