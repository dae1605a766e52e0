import type {
  Classification,
  IndicatorField,
  IndicatorHit,
  Priority,
  PriorityFactor,
  PriorityLevel,
} from '../../domain/decision.ts';
import { PRIORITY_LEVELS } from '../../domain/decision.ts';
import type { Account, IncidentType, ReferralDocument } from '../../domain/referral.ts';
import type { StageResult } from '../../domain/result.ts';
import type { Ports } from '../ports.ts';
import type { LexiconMatcher } from '../priority/lexicon.ts';
import {
  LEXICON_FACTOR,
  REASON_PLACEHOLDERS,
  type PriorityRules,
  type ReasonPlaceholder,
  type When,
} from '../priority/rules.ts';
import type { PipelineState } from '../state.ts';

/**
 * Scores the referral against the priority rules in force and classifies it actionable or
 * informational. Every factor that fired is listed with its points and reason, and every indicator
 * term with its list and field (never the text it was found in). See priority/rules.ts for the predicates.
 */
export function prioritiseStage(ports: Pick<Ports, 'rules'>) {
  return function prioritise(state: PipelineState): StageResult<PipelineState> {
    const rules = ports.rules();
    const { priority, classification } = evaluatePriority(state, rules.priority, rules.lexicon);
    return { kind: 'ok', value: { ...state, priority, classification } };
  };
}

/** The stage's arithmetic, for callers that hold the rules themselves (tests, "what if" previews). */
export function evaluatePriority(
  state: Pick<PipelineState, 'document' | 'matches' | 'media' | 'identifiers' | 'receivedAt' | 'prior'>,
  rules: PriorityRules,
  lexicon: LexiconMatcher,
): { priority: Priority; classification: Classification } {
  const indicators = lexicon.lists.length === 0 ? [] : lexicon.match(textsOf(state.document));
  const facts = factsOf(state, indicators);

  const factors: PriorityFactor[] = [];
  let score = 0;
  for (const f of rules.factors) {
    if (!holds(f.when, facts)) continue;
    score += f.points;
    factors.push({
      factor: f.id,
      points: f.points,
      ...(f.floor === undefined ? {} : { floor: f.floor }),
      reason: fill(f.reason, facts, f.when),
    });
  }
  if (facts.lexiconWeight > 0) {
    const points = round(Math.min(rules.lexicon.cap, facts.lexiconWeight * rules.lexicon.pointsPerWeight));
    if (points > 0) {
      score += points;
      const lists = [...new Set(indicators.map((h) => h.list))].join(', ');
      factors.push({
        factor: LEXICON_FACTOR,
        points,
        reason: `${indicators.length} indicator term${indicators.length === 1 ? '' : 's'} (${lists}), weight ${round(facts.lexiconWeight)}`,
      });
    }
  }
  score = round(score);
  let level = levelOf(score, rules.levels);
  for (const f of factors) if (f.floor !== undefined) level = higher(level, f.floor);

  const informational = rules.informational.filter((r) => holds(r.when, facts));
  let classification: Classification;
  if (informational.length === 0) classification = { kind: 'actionable', reasons: [] };
  else if (level === 'E')
    classification = {
      kind: 'actionable',
      reasons: [
        `priority E is never informational (${informational.map((r) => r.id).join(', ')} would apply)`,
      ],
    };
  else
    classification = {
      kind: 'informational',
      reasons: informational.map((r) => fill(r.reason, facts, r.when)),
    };

  return {
    priority: { level, score, factors, indicators, rulesVersion: rules.version },
    classification,
  };
}

// ---------------------------------------------------------------------------------------------------
// Facts: everything a predicate asks, computed once per referral.

interface Facts {
  readonly doc: ReferralDocument;
  readonly matches: PipelineState['matches'];
  /** Indexes of the Reported files (not Supplemental Reported). */
  readonly reported: readonly number[];
  /** Reported files no hash list knows. */
  readonly fresh: readonly number[];
  /** Per file index: it has a positive (not negative-list) match. */
  readonly known: readonly boolean[];
  readonly ages: readonly number[];
  readonly contact: boolean;
  readonly group: boolean;
  readonly handsOn: boolean;
  readonly noIdentifiers: boolean;
  /** The link stage found prior-records register entries for the reported persons. */
  readonly prior: boolean;
  /** Days from the incident to receipt (0 when the incident is dated after receipt); NaN if unknown. */
  days(): number;
  readonly lexiconWeight: number;
}

const CONTACT_TYPES: readonly IncidentType[] = [
  'Online Enticement of Children for Sexual Acts',
  'Child Sex Trafficking',
  'Child Sex Tourism',
  'Child Sexual Molestation',
];
const DAY_MS = 86_400_000;

function factsOf(
  state: Pick<PipelineState, 'document' | 'matches' | 'media' | 'identifiers' | 'receivedAt' | 'prior'>,
  indicators: readonly IndicatorHit[],
): Facts {
  const doc = state.document;
  const files = doc.files;
  const known: boolean[] = new Array<boolean>(files.length).fill(false);
  const matched: boolean[] = new Array<boolean>(files.length).fill(false);
  for (const m of state.matches) {
    matched[m.file] = true;
    if (!m.list.negative) known[m.file] = true;
  }
  // Without the match stage's summary, a file nothing matched is as new as the match stage would call it.
  const unknown = state.media?.unknown;
  const reported: number[] = [];
  const fresh: number[] = [];
  let handsOn = doc.incident.type === 'Child Sexual Molestation';
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    if (f?.relevance !== 'Reported') continue;
    reported.push(i);
    if (unknown ? !unknown.includes(i) : matched[i] === true) continue;
    fresh.push(i);
    handsOn ||= f.annotations.includes('physicalHarm') || f.annotations.includes('liveStreaming');
  }
  const ages: number[] = [];
  let victimAccount = false;
  for (const v of doc.victims) {
    if (v.age !== undefined) ages.push(v.age);
    if (v.espIdentifier !== undefined || v.screenName !== undefined) victimAccount = true;
  }
  const inc = doc.incident;
  let group = false;
  for (const a of doc.reportedPersons)
    if (a.groupIdentifier !== undefined && a.groupIdentifier.trim() !== '') group = true;
  let noIdentifiers = true;
  for (const x of state.identifiers)
    if (x.role === 'reported' || x.role === 'associated') noIdentifiers = false;
  // Parsing two dates costs more than the rest: only when a rule asks.
  let days: number | undefined;
  let lexiconWeight = 0;
  for (const h of indicators) lexiconWeight += h.weight;
  return {
    doc,
    matches: state.matches,
    reported,
    fresh,
    known,
    ages,
    contact: CONTACT_TYPES.includes(inc.type) || inc.annotations.includes('sextortion') || victimAccount,
    group,
    handsOn,
    noIdentifiers,
    prior: state.prior.length > 0,
    days: () => (days ??= Math.max(0, (Date.parse(state.receivedAt) - Date.parse(inc.occurredAt)) / DAY_MS)),
    lexiconWeight,
  };
}

const BANDS = {
  'infant-toddler': [0, 2],
  prepubescent: [3, 12],
  pubescent: [13, 17],
} as const;

/** Every predicate given must hold. */
function holds(w: When, f: Facts): boolean {
  const doc = f.doc;
  const inc = doc.incident;
  if (w.escalated !== undefined && w.escalated !== (inc.escalation !== undefined)) return false;
  if (w.incidentType && !w.incidentType.includes(inc.type)) return false;
  if (w.reportAnnotation && !w.reportAnnotation.some((a) => inc.annotations.includes(a))) return false;
  if (w.batchedViral !== undefined && w.batchedViral !== (inc.batchedReason === 'VIRAL_POTENTIAL_MEME'))
    return false;
  if (w.contactWithChild !== undefined && w.contactWithChild !== f.contact) return false;
  if (w.groupAccount !== undefined && w.groupAccount !== f.group) return false;
  if (w.handsOn !== undefined && w.handsOn !== f.handsOn) return false;
  if (w.priorRecords !== undefined && w.priorRecords !== f.prior) return false;
  if (w.noReportedPersonIdentifiers !== undefined && w.noReportedPersonIdentifiers !== f.noIdentifiers)
    return false;
  if (w.victimAgeBelow !== undefined) {
    const below = w.victimAgeBelow;
    if (!f.ages.some((a) => a < below)) return false;
  }
  if (w.victimAgeBand) {
    const bands = w.victimAgeBand;
    if (!f.ages.some((a) => bands.some((b) => a >= BANDS[b][0] && a <= BANDS[b][1]))) return false;
  }
  if (w.filesAtLeast !== undefined && f.reported.length < w.filesAtLeast) return false;
  if (w.incidentWithinDays !== undefined && !(f.days() <= w.incidentWithinDays)) return false;
  if (w.lexiconWeightAtLeast !== undefined && f.lexiconWeight < w.lexiconWeightAtLeast) return false;
  if (w.newMaterial !== undefined && w.newMaterial !== false && countNew(w.newMaterial, f) === 0)
    return false;
  if (w.newMaterial === false && f.fresh.length > 0) return false;
  if (w.fileAnnotation && countAnnotated(w.fileAnnotation, f) === 0) return false;
  if (w.industryClass && countClassed(w.industryClass, f) === 0) return false;
  if (w.matchCategory && countCategorised(w.matchCategory, f) === 0) return false;
  if (w.allFilesViralOrMeme !== undefined && w.allFilesViralOrMeme !== allViral(doc)) return false;
  if (w.allMaterialKnown !== undefined && w.allMaterialKnown !== allKnown(f)) return false;
  return true;
}

function countNew(filter: NonNullable<When['newMaterial']>, f: Facts): number {
  if (filter === true) return f.fresh.length;
  if (filter === false) return 0;
  let n = 0;
  for (const i of f.fresh) {
    const file = f.doc.files[i];
    if (!file) continue;
    const cls = file.industryClassification;
    if (
      (cls !== undefined && filter.industryClass?.includes(cls) === true) ||
      (filter.fileAnnotation?.some((a) => file.annotations.includes(a)) ?? false)
    )
      n++;
  }
  return n;
}

function countAnnotated(annotations: NonNullable<When['fileAnnotation']>, f: Facts): number {
  return f.doc.files.filter((file) => annotations.some((a) => file.annotations.includes(a))).length;
}

function countClassed(classes: NonNullable<When['industryClass']>, f: Facts): number {
  return f.doc.files.filter(
    (file) => file.industryClassification !== undefined && classes.includes(file.industryClassification),
  ).length;
}

function countCategorised(wanted: NonNullable<When['matchCategory']>, f: Facts): number {
  const files = new Set<number>();
  for (const m of f.matches) if (!m.list.negative && wanted.includes(m.category)) files.add(m.file);
  return files.size;
}

function allViral(doc: ReferralDocument): boolean {
  return (
    doc.files.length > 0 &&
    doc.files.every(
      (file) => file.annotations.includes('viral') || file.annotations.includes('potentialMeme'),
    )
  );
}

function allKnown(f: Facts): boolean {
  return f.reported.length > 0 && f.reported.every((i) => f.known[i] === true);
}

// ---------------------------------------------------------------------------------------------------
// Reasons, levels

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;
const ESCALATION_SHOWN = 160;

function fill(reason: string, f: Facts, w: When): string {
  if (!reason.includes('{')) return reason;
  // A stored rules file was validated on the way in; an unknown name is left as written.
  return reason.replace(PLACEHOLDER, (whole, name: string) =>
    isPlaceholder(name) ? placeholder(name, f, w) : whole,
  );
}

function isPlaceholder(name: string): name is ReasonPlaceholder {
  return (REASON_PLACEHOLDERS as readonly string[]).includes(name);
}

function placeholder(name: ReasonPlaceholder, f: Facts, w: When): string {
  switch (name) {
    case 'escalation': {
      const text = (f.doc.incident.escalation ?? '').replace(/\s+/g, ' ').trim();
      return text.length > ESCALATION_SHOWN ? `${text.slice(0, ESCALATION_SHOWN - 1)}…` : text;
    }
    case 'incidentType':
      return f.doc.incident.type;
    case 'count':
      return String(
        w.newMaterial !== undefined && w.newMaterial !== false
          ? countNew(w.newMaterial, f)
          : w.fileAnnotation
            ? countAnnotated(w.fileAnnotation, f)
            : w.industryClass
              ? countClassed(w.industryClass, f)
              : w.matchCategory
                ? countCategorised(w.matchCategory, f)
                : f.reported.length,
      );
    case 'files':
      return String(f.reported.length);
    case 'newFiles':
      return String(f.fresh.length);
    case 'youngestVictim':
      return f.ages.length === 0 ? 'unknown' : String(Math.min(...f.ages));
    case 'days':
      return Number.isNaN(f.days()) ? 'unknown' : String(Math.floor(f.days()));
    case 'lexiconWeight':
      return String(round(f.lexiconWeight));
  }
}

function levelOf(score: number, levels: PriorityRules['levels']): PriorityLevel {
  if (score >= levels.E) return 'E';
  if (score >= levels['1']) return '1';
  if (score >= levels['2']) return '2';
  return '3';
}

function higher(a: PriorityLevel, b: PriorityLevel): PriorityLevel {
  return PRIORITY_LEVELS.indexOf(a) <= PRIORITY_LEVELS.indexOf(b) ? a : b;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

// ---------------------------------------------------------------------------------------------------
// Texts for the lexicons, by kind of field.

function textsOf(doc: ReferralDocument): { field: IndicatorField; text: string }[] {
  const out: { field: IndicatorField; text: string }[] = [];
  const add = (field: IndicatorField, text: string | undefined): void => {
    if (text !== undefined && text !== '') out.push({ field, text });
  };
  const inc = doc.incident;
  add('text', doc.additionalInfo);
  add('text', inc.escalation);
  add('text', inc.occurredAtDescription);
  const account = (a: Account): void => {
    add('text', a.profileBio);
    add('text', a.additionalInfo);
    add('screen-name', a.screenName);
    for (const d of a.displayNames) add('screen-name', d);
    add('group-name', a.groupIdentifier);
  };
  for (const a of doc.reportedPersons) {
    account(a);
    for (const assoc of a.associatedAccounts) account(assoc);
  }
  for (const v of doc.victims) add('text', v.additionalInfo);
  for (const f of doc.files) {
    add('file-name', f.fileName);
    add('file-name', f.originalFileName);
    for (const x of f.additionalInfo) add('text', x);
  }
  for (const d of doc.internet) {
    add(d.kind === 'chatIm' ? 'chat' : 'text', d.content);
    add('file-name', d.fileNames);
    add('group-name', d.name);
    add('text', d.additionalInfo);
  }
  return out;
}
