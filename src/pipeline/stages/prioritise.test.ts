import { describe, expect, it } from 'vitest';
import { canonicalReferral } from '../../../test/support/fixtures.ts';
import { instantOf, type Instant, type OrganisationId } from '../../domain/ids.ts';
import type { HashMatch, ListRef } from '../../domain/media.ts';
import type { Organisation } from '../../domain/organisation.ts';
import type { ReferralDocument } from '../../domain/referral.ts';
import { scenario } from '../../generate/scenario.ts';
import { buildTruth, type GeneratedReport } from '../../generate/truth.ts';
import { parseCanonical } from '../../intake/formats/canonical.ts';
import type { HashIndexPort, RulesSnapshot } from '../ports.ts';
import { compileLexicons, EMPTY_LEXICON, type LexiconMatcher } from '../priority/lexicon.ts';
import { loadDefaultPriorityRules, type PriorityRules, type When } from '../priority/rules.ts';
import { loadDefaultRoutingRules } from '../../rules/routing-rules.ts';
import { initialState, type PipelineState } from '../state.ts';
import { matchStage } from './match.ts';
import { normaliseStage } from './normalise.ts';
import { evaluatePriority, prioritiseStage } from './prioritise.ts';

const source: Organisation = {
  id: '0190a3c2-0000-7000-8000-000000000010' as OrganisationId,
  slug: 'esp',
  name: 'ESP',
  kind: 'provider',
  country: null,
  parentId: null,
  covers: [],
};
const defaults = loadDefaultPriorityRules();
const routing = loadDefaultRoutingRules();
const RECEIVED = instantOf(new Date('2025-06-16T10:00:00Z'));
const knownList: ListRef = { id: 'l1', name: 'known', version: 1, negative: false };
const benignList: ListRef = { id: 'l2', name: 'benign', version: 1, negative: true };

function documentOf(overrides: Record<string, unknown> = {}): ReferralDocument {
  const parsed = parseCanonical(canonicalReferral('prio-1', overrides));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.value;
}

const match = (
  file: number,
  list: ListRef = knownList,
  category: HashMatch['category'] = 'illegal',
): HashMatch => ({
  list,
  entry: 'e1',
  category,
  sourceScheme: 'vics-us',
  sourceCode: '1',
  series: null,
  victimIdentified: null,
  file,
  kind: 'md5',
  distance: 0,
});

/** A hand-built state as the earlier stages would leave it: identifiers, and the files' matches. */
function stateOf(
  doc: ReferralDocument,
  matches: readonly HashMatch[] = [],
  receivedAt: Instant = RECEIVED,
): PipelineState {
  const base = initialState(doc, source, receivedAt);
  const normalised = normaliseStage()(base);
  const identifiers = normalised.kind === 'ok' ? normalised.value.identifiers : [];
  const positive = new Set(matches.filter((m) => !m.list.negative).map((m) => m.file));
  const anyMatch = new Set(matches.map((m) => m.file));
  return {
    ...base,
    identifiers,
    matches,
    media: {
      files: doc.files.length,
      matched: positive.size,
      byCategory: {},
      unknown: doc.files.map((_, i) => i).filter((i) => !anyMatch.has(i)),
      lowQualityPdq: [],
      suppressed: [...anyMatch].filter((i) => !positive.has(i)),
    },
  };
}

function snapshot(priority: PriorityRules, lexicon: LexiconMatcher = EMPTY_LEXICON): RulesSnapshot {
  return { routing, priority, lexicon };
}

function run(state: PipelineState, rules: PriorityRules = defaults, lexicon: LexiconMatcher = EMPTY_LEXICON) {
  const r = prioritiseStage({ rules: () => snapshot(rules, lexicon) })(state);
  if (r.kind !== 'ok') throw new Error('expected ok');
  const { priority, classification } = r.value;
  if (!priority || !classification) throw new Error('expected a priority and a classification');
  return { priority, classification };
}

/** Rules with one factor, to test a predicate alone. */
function only(when: When, extra: Partial<PriorityRules> = {}): PriorityRules {
  return {
    format: 'conduit.priority-rules/1',
    version: 'test.1',
    levels: { E: 100, '1': 60, '2': 30 },
    factors: [{ id: 'p', when, points: 7, reason: 'count {count}' }],
    lexicon: { pointsPerWeight: 0, cap: 0 },
    informational: [],
    ...extra,
  };
}
const fires = (when: When, state: PipelineState): boolean =>
  run(state, only(when)).priority.factors.some((f) => f.factor === 'p');

const file = (f: Record<string, unknown> = {}) => ({
  hashes: { md5: 'bb'.repeat(16) },
  relevance: 'Reported',
  ...f,
});
const material = {
  type: 'Child Pornography (possession, manufacture, and distribution)',
  occurredAt: '2025-06-14T21:37:05+02:00',
  annotations: [],
} as const;

describe('prioritise stage', () => {
  it('scores the canonical referral: contact floors it at 1, every factor explained, rules version kept', () => {
    const state = stateOf(documentOf());
    const { priority, classification } = run(state);
    expect(priority.level).toBe('1');
    expect(priority.rulesVersion).toBe(defaults.version);
    expect(priority.factors.map((f) => f.factor)).toEqual([
      'contact',
      'new-material',
      'sextortion',
      'recent',
    ]);
    expect(priority.factors[0]).toEqual({
      factor: 'contact',
      points: 40,
      floor: '1',
      reason: 'contact with a child: Online Enticement of Children for Sexual Acts',
    });
    expect(priority.factors[1]?.reason).toBe('1 Reported file(s) no hash list knows');
    expect(priority.factors[3]?.reason).toBe('incident 1 day(s) before receipt');
    expect(priority.score).toBe(40 + 15 + 15 + 5);
    expect(priority.indicators).toEqual([]);
    expect(classification).toEqual({ kind: 'actionable', reasons: [] });
  });

  it('is pure: returns a new state and leaves the input untouched', () => {
    const state = stateOf(documentOf());
    const before = JSON.stringify(state);
    const r = prioritiseStage({ rules: () => snapshot(defaults) })(state);
    expect(JSON.stringify(state)).toBe(before);
    expect(r.kind === 'ok' && r.value).not.toBe(state);
    expect(prioritiseStage({ rules: () => snapshot(defaults) }).name).toBe('prioritise');
    expect(prioritiseStage({ rules: () => snapshot(defaults) })(state)).toEqual(r);
  });

  it('an escalation is E whatever the score, its text in the reason', () => {
    const doc = documentOf({
      incident: { ...material, escalation: 'provider says urgent' },
      victims: [],
      files: [],
    });
    const { priority } = run(stateOf(doc));
    expect(priority.level).toBe('E');
    expect(priority.factors[0]).toEqual({
      factor: 'escalated',
      points: 100,
      floor: 'E',
      reason: 'escalated by the provider: provider says urgent',
    });
  });

  it('contact with a child under 13 is E; the same contact with a 13-year-old is 1', () => {
    expect(run(stateOf(documentOf({ victims: [{ age: 12 }] }))).priority.level).toBe('E');
    expect(run(stateOf(documentOf({ victims: [{ age: 13 }] }))).priority.level).toBe('1');
  });

  it('reproduces the default ladder: new severe material 1, new material / group / unsolicited 2, known only 3', () => {
    const level = (doc: ReferralDocument, matches: HashMatch[] = []) =>
      run(stateOf(doc, matches)).priority.level;
    const m = (f: Record<string, unknown>[], extra: Record<string, unknown> = {}) =>
      documentOf({ incident: material, victims: [], files: f, ...extra });
    expect(level(m([file({ industryClassification: 'A1' })]))).toBe('1');
    expect(level(m([file({ annotations: ['infant'] })]))).toBe('1');
    expect(level(m([file({ industryClassification: 'A1' })]), [match(0)])).toBe('3');
    expect(level(m([file()]))).toBe('2');
    expect(level(m([file()]), [match(0)])).toBe('3');
    expect(level(m([file({ relevance: 'Supplemental Reported' })]))).toBe('3');
    expect(
      level(
        m([], {
          reportedPersons: [{ espIdentifier: 'u1', screenName: 'placeholder', groupIdentifier: 'grp_01' }],
        }),
      ),
    ).toBe('2');
    expect(
      level(m([], { incident: { ...material, type: 'Unsolicited Obscene Material Sent to a Child' } })),
    ).toBe('2');
    // A file matched only on a negative (benign) list is not new, nor known material.
    expect(level(m([file()]), [match(0, benignList)])).toBe('3');
  });

  it('takes the higher of the score level and every floor', () => {
    const rules = (points: number, floor?: 'E' | '1' | '2'): PriorityRules => ({
      ...only({ escalated: false }),
      factors: [{ id: 'p', when: { escalated: false }, points, ...(floor ? { floor } : {}), reason: 'r' }],
    });
    const state = stateOf(documentOf({ incident: material, victims: [], files: [] }));
    expect(run(state, rules(0)).priority.level).toBe('3');
    expect(run(state, rules(30)).priority.level).toBe('2');
    expect(run(state, rules(60)).priority.level).toBe('1');
    expect(run(state, rules(100)).priority.level).toBe('E');
    expect(run(state, rules(0, '1')).priority.level).toBe('1');
    expect(run(state, rules(100, '2')).priority.level).toBe('E');
    expect(run(state, rules(0, 'E')).priority).toMatchObject({ level: 'E', score: 0 });
  });
});

describe('priority predicates', () => {
  const plain = stateOf(documentOf({ incident: material, victims: [], files: [] }));
  const withDoc = (o: Record<string, unknown>, matches: HashMatch[] = [], receivedAt?: Instant) =>
    stateOf(documentOf({ incident: material, victims: [], files: [], ...o }), matches, receivedAt);

  it('escalated', () => {
    expect(fires({ escalated: true }, withDoc({ incident: { ...material, escalation: 'x' } }))).toBe(true);
    expect(fires({ escalated: true }, plain)).toBe(false);
    expect(fires({ escalated: false }, plain)).toBe(true);
  });

  it('incidentType and reportAnnotation', () => {
    expect(fires({ incidentType: ['Child Sex Trafficking', 'Child Sex Tourism'] }, plain)).toBe(false);
    expect(fires({ incidentType: [material.type] }, plain)).toBe(true);
    const annotated = withDoc({ incident: { ...material, annotations: ['csamSolicitation'] } });
    expect(fires({ reportAnnotation: ['sextortion', 'csamSolicitation'] }, annotated)).toBe(true);
    expect(fires({ reportAnnotation: ['sextortion'] }, annotated)).toBe(false);
  });

  it('fileAnnotation, industryClass and matchCategory look at any file', () => {
    const s = withDoc(
      {
        files: [
          file(),
          file({
            annotations: ['generativeAi'],
            industryClassification: 'B2',
            relevance: 'Supplemental Reported',
          }),
        ],
      },
      [match(0, knownList, 'exploitive')],
    );
    expect(fires({ fileAnnotation: ['generativeAi'] }, s)).toBe(true);
    expect(fires({ fileAnnotation: ['infant'] }, s)).toBe(false);
    expect(fires({ industryClass: ['B2'] }, s)).toBe(true);
    expect(fires({ industryClass: ['A1'] }, s)).toBe(false);
    expect(fires({ matchCategory: ['exploitive'] }, s)).toBe(true);
    expect(fires({ matchCategory: ['illegal'] }, s)).toBe(false);
    expect(fires({ matchCategory: ['illegal'] }, withDoc({ files: [file()] }, [match(0, benignList)]))).toBe(
      false,
    );
  });

  it('victimAgeBelow and victimAgeBand (infant-toddler 0–2, prepubescent 3–12, pubescent 13–17)', () => {
    const aged = (...ages: (number | undefined)[]) =>
      withDoc({ victims: ages.map((age) => (age === undefined ? {} : { age })) });
    expect(fires({ victimAgeBelow: 13 }, aged(15, 12))).toBe(true);
    expect(fires({ victimAgeBelow: 13 }, aged(13, undefined))).toBe(false);
    expect(fires({ victimAgeBand: ['infant-toddler'] }, aged(2))).toBe(true);
    expect(fires({ victimAgeBand: ['infant-toddler'] }, aged(3))).toBe(false);
    expect(fires({ victimAgeBand: ['prepubescent'] }, aged(3))).toBe(true);
    expect(fires({ victimAgeBand: ['prepubescent'] }, aged(13))).toBe(false);
    expect(fires({ victimAgeBand: ['pubescent'] }, aged(17))).toBe(true);
    expect(fires({ victimAgeBand: ['pubescent'] }, aged(undefined))).toBe(false);
  });

  it('newMaterial: a Reported file no list knows, optionally of a class or with an annotation; {count} counts them', () => {
    const s = withDoc(
      {
        files: [
          file({ industryClassification: 'A1' }),
          file({ annotations: ['infant'] }),
          file(),
          file({ relevance: 'Supplemental Reported', industryClassification: 'A1' }),
        ],
      },
      [match(0)],
    );
    expect(fires({ newMaterial: true }, s)).toBe(true);
    const severe = run(
      s,
      only({ newMaterial: { industryClass: ['A1'], fileAnnotation: ['infant'] } }),
    ).priority;
    expect(severe.factors[0]?.reason).toBe('count 1');
    expect(fires({ newMaterial: { industryClass: ['A1'] } }, s)).toBe(false);
    expect(fires({ newMaterial: false }, s)).toBe(false);
    expect(fires({ newMaterial: true }, withDoc({ files: [file()] }, [match(0)]))).toBe(false);
    // Without the match stage's summary, an unmatched file counts as new.
    expect(fires({ newMaterial: true }, { ...withDoc({ files: [file()] }), media: null })).toBe(true);
  });

  it('groupAccount', () => {
    const grouped = withDoc({ reportedPersons: [{ espIdentifier: 'u1', groupIdentifier: 'grp_01' }] });
    expect(fires({ groupAccount: true }, grouped)).toBe(true);
    expect(fires({ groupAccount: true }, plain)).toBe(false);
  });

  it('contactWithChild: a contact type, sextortion, or a victim with an account', () => {
    expect(fires({ contactWithChild: true }, plain)).toBe(false);
    expect(
      fires(
        { contactWithChild: true },
        withDoc({ incident: { ...material, type: 'Child Sexual Molestation' } }),
      ),
    ).toBe(true);
    expect(
      fires({ contactWithChild: true }, withDoc({ incident: { ...material, annotations: ['sextortion'] } })),
    ).toBe(true);
    expect(
      fires(
        { contactWithChild: true },
        withDoc({ victims: [{ age: 14, espIdentifier: 'v1', espService: 'ExampleChat' }] }),
      ),
    ).toBe(true);
    expect(fires({ contactWithChild: true }, withDoc({ victims: [{ age: 14 }] }))).toBe(false);
  });

  it('handsOn: molestation, or new material flagged physical harm or live streaming (not known files, not self-production)', () => {
    expect(
      fires({ handsOn: true }, withDoc({ incident: { ...material, type: 'Child Sexual Molestation' } })),
    ).toBe(true);
    expect(fires({ handsOn: true }, withDoc({ files: [file({ annotations: ['liveStreaming'] })] }))).toBe(
      true,
    );
    expect(
      fires({ handsOn: true }, withDoc({ files: [file({ annotations: ['physicalHarm'] })] }, [match(0)])),
    ).toBe(false);
    expect(
      fires({ handsOn: true }, withDoc({ files: [file({ annotations: ['possibleSelfProduction'] })] })),
    ).toBe(false);
  });

  it('filesAtLeast counts Reported files; incidentWithinDays measures to receipt', () => {
    const three = withDoc({ files: [file(), file(), file({ relevance: 'Supplemental Reported' })] });
    expect(fires({ filesAtLeast: 2 }, three)).toBe(true);
    expect(fires({ filesAtLeast: 3 }, three)).toBe(false);
    expect(fires({ incidentWithinDays: 2 }, plain)).toBe(true);
    expect(fires({ incidentWithinDays: 1 }, plain)).toBe(false);
    const late = withDoc({}, [], instantOf(new Date('2025-09-01T00:00:00Z')));
    expect(
      run(
        late,
        only(
          { incidentWithinDays: 365 },
          { factors: [{ id: 'p', when: { incidentWithinDays: 365 }, points: 1, reason: '{days} days' }] },
        ),
      ).priority.factors[0]?.reason,
    ).toBe('78 days');
    // An incident dated after receipt (a skewed clock) counts as recent.
    expect(
      fires({ incidentWithinDays: 1 }, withDoc({}, [], instantOf(new Date('2025-06-01T00:00:00Z')))),
    ).toBe(true);
  });

  it('priorRecords holds when the link stage found register entries', () => {
    expect(fires({ priorRecords: true }, plain)).toBe(false);
    expect(fires({ priorRecords: false }, plain)).toBe(true);
    const known = {
      ...plain,
      prior: [
        {
          register: 'r',
          reference: 'ref-1',
          label: null,
          since: null,
          kind: 'email',
          value: 'a@example.com',
          reason: 'same email a@example.com',
        },
      ],
    };
    expect(fires({ priorRecords: true }, known)).toBe(true);
    expect(fires({ priorRecords: false }, known)).toBe(false);
  });

  it('lexiconWeightAtLeast, and the lexicon factor with its cap', () => {
    const lex = compileLexicons([
      {
        name: 'agency-list',
        terms: [
          { term: 'tokenalpha', weight: 4 },
          { term: 'zeta-term', weight: 3 },
        ],
      },
    ]);
    const s = withDoc({ additionalInfo: 'note about t0k3nalpha and zeta term' });
    const rules = only({ lexiconWeightAtLeast: 7 }, { lexicon: { pointsPerWeight: 2, cap: 10 } });
    const { priority } = run(s, rules, lex);
    expect(priority.factors.map((f) => [f.factor, f.points])).toEqual([
      ['p', 7],
      ['lexicon', 10],
    ]);
    expect(priority.factors[1]?.reason).toBe('2 indicator terms (agency-list), weight 7');
    expect(priority.score).toBe(17);
    expect(run(s, only({ lexiconWeightAtLeast: 8 }), lex).priority.factors).toEqual([]);
  });
});

describe('lexicon indicators in the stage', () => {
  const lex = compileLexicons([
    {
      name: 'agency-list',
      terms: [
        { term: 'tokenalpha', weight: 1 },
        { term: 'zeta-term', weight: 2 },
        { term: 'placeholder one', weight: 3 },
        { term: 'gammaword', weight: 1 },
        { term: 'deltaword', weight: 1 },
        { term: 'omegaword', weight: 1 },
      ],
    },
  ]);

  it('searches each kind of field and names it, never quoting the text', () => {
    const doc = documentOf({
      additionalInfo: 'private words and tokenalpha',
      reportedPersons: [
        {
          espIdentifier: 'u1',
          screenName: 'Zeta_Term',
          displayNames: ['someone'],
          groupIdentifier: 'gammaword',
        },
      ],
      internet: [{ kind: 'chatIm', content: 'hello placeholder one', name: 'room' }],
      files: [file({ fileName: 'deltaword.jpg' })],
      victims: [{ age: 14, additionalInfo: 'omegaword' }],
    });
    const { priority } = run(stateOf(doc), defaults, lex);
    expect(priority.indicators).toEqual([
      { list: 'agency-list', term: 'tokenalpha', weight: 1, field: 'text' },
      { list: 'agency-list', term: 'zeta-term', weight: 2, field: 'screen-name' },
      { list: 'agency-list', term: 'gammaword', weight: 1, field: 'group-name' },
      { list: 'agency-list', term: 'omegaword', weight: 1, field: 'text' },
      { list: 'agency-list', term: 'deltaword', weight: 1, field: 'file-name' },
      { list: 'agency-list', term: 'placeholder one', weight: 3, field: 'chat' },
    ]);
    expect(JSON.stringify(priority)).not.toContain('private');
    const lexFactor = priority.factors.find((f) => f.factor === 'lexicon');
    expect(lexFactor).toEqual({
      factor: 'lexicon',
      points: 18,
      reason: '6 indicator terms (agency-list), weight 9',
    });
  });
});

describe('classification', () => {
  const viralFile = file({ annotations: ['potentialMeme', 'viral'] });
  const bundle = (extra: Record<string, unknown> = {}) =>
    documentOf({
      incident: { ...material, batchedReason: 'VIRAL_POTENTIAL_MEME', ...extra },
      victims: [],
      files: [viralFile],
    });

  it('a viral/meme bundle of known material is informational, with the reason', () => {
    const { priority, classification } = run(stateOf(bundle(), [match(0)]));
    expect(priority.level).toBe('3');
    expect(classification.kind).toBe('informational');
    expect(classification.reasons).toEqual([
      'provider bundle of viral / meme shares',
      'every file is flagged viral or meme',
    ]);
  });

  it('all files viral or meme, unbundled, is informational unless one of them is new', () => {
    const doc = documentOf({ incident: material, victims: [], files: [viralFile] });
    expect(run(stateOf(doc, [match(0)])).classification.kind).toBe('informational');
    expect(run(stateOf(doc)).classification.kind).toBe('actionable');
  });

  it('known material with nothing identifying a person is informational; with an identifier it is actionable', () => {
    const anonymous = documentOf({ incident: material, victims: [], files: [file()], reportedPersons: [{}] });
    expect(run(stateOf(anonymous, [match(0)])).classification).toEqual({
      kind: 'informational',
      reasons: ['known material only and nothing that identifies a person'],
    });
    const named = documentOf({ incident: material, victims: [], files: [file()] });
    expect(run(stateOf(named, [match(0)])).classification.kind).toBe('actionable');
  });

  it('E is never informational', () => {
    const { priority, classification } = run(stateOf(bundle({ escalation: 'urgent' }), [match(0)]));
    expect(priority.level).toBe('E');
    expect(classification.kind).toBe('actionable');
    expect(classification.reasons[0]).toContain('never informational');
  });
});

describe('agreement with the synthetic scenario', () => {
  it('agrees with truth.expectedPriority on at least 95 % of generated referrals', () => {
    const events = [...scenario({ reports: 3000, seed: 'prioritise-agreement' })];
    const truth = buildTruth(events);
    // A hash list holding the scenario's circulating files, as an agency would have loaded.
    const lists = new Map<string, HashMatch['category']>();
    for (const c of truth.circulatingFiles)
      for (const h of [c.md5, c.sha1, c.sha256]) lists.set(h, 'illegal');
    const index: HashIndexPort = {
      exact: (_kind, hex) => {
        const category = lists.get(hex);
        return category === undefined
          ? []
          : [
              {
                list: knownList,
                entry: hex,
                category,
                sourceScheme: 'test',
                sourceCode: null,
                series: null,
                victimIdentified: null,
              },
            ];
      },
      pdq: () => [],
      pdqRadius: 31,
      pdqMinQuality: 50,
    };
    const stages = [
      normaliseStage(),
      matchStage({ hashes: index }),
      prioritiseStage({ rules: () => snapshot(defaults) }),
    ];
    const receivedAt = instantOf(new Date(truth.now));
    let agree = 0;
    let total = 0;
    const confusion: Record<string, number> = {};
    for (const e of events) {
      if (e.kind !== 'report') continue;
      const report: GeneratedReport = e;
      let state = initialState(report.doc, source, receivedAt);
      for (const stage of stages) {
        const r = stage(state);
        if (r.kind === 'reject') throw new Error('rejected');
        state = r.value;
      }
      const level = state.priority?.level;
      total++;
      if (level === report.expectedPriority) agree++;
      else
        confusion[`${report.expectedPriority}→${level}`] =
          (confusion[`${report.expectedPriority}→${level}`] ?? 0) + 1;
    }
    const agreement = agree / total;
    console.info(`priority agreement ${agree}/${total} = ${agreement.toFixed(4)}`, confusion);
    expect(agreement).toBeGreaterThanOrEqual(0.95);
    // Disagreements only ever raise the level: a victim with an account counts as contact here (the
    // generator only counts contact incident types and sextortion), and modest factors add up.
    const rank = { E: 0, '1': 1, '2': 2, '3': 3 } as const;
    for (const k of Object.keys(confusion)) {
      const [expected, got] = k.split('→') as [keyof typeof rank, keyof typeof rank];
      expect(rank[got]).toBeLessThan(rank[expected]);
    }
  });

  it('is deterministic and reads evaluatePriority the same way as the stage', () => {
    const doc = documentOf();
    const state = stateOf(doc);
    expect(evaluatePriority(state, defaults, EMPTY_LEXICON)).toEqual(run(state));
  });
});
