import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDefaultPriorityRules, parsePriorityRules, PRIORITY_RULES_FORMAT } from './rules.ts';

const shipped = (): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL('../../../config/priority.rules.json', import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;

const minimal = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  format: PRIORITY_RULES_FORMAT,
  version: 'test.1',
  levels: { E: 100, '1': 60, '2': 30 },
  factors: [{ id: 'escalated', when: { escalated: true }, points: 100, floor: 'E', reason: 'escalated' }],
  lexicon: { pointsPerWeight: 1, cap: 10 },
  informational: [],
  ...overrides,
});

function problemsOf(input: unknown) {
  const r = parsePriorityRules(input);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.problems;
}

describe('priority rules', () => {
  it('ships default rules that parse, with a version', () => {
    const rules = loadDefaultPriorityRules();
    expect(rules.format).toBe(PRIORITY_RULES_FORMAT);
    expect(rules.version).toMatch(/^\d{4}-\d{2}-\d{2}\.\d+$/);
    expect(rules.factors.length).toBeGreaterThan(5);
    expect(parsePriorityRules(shipped()).ok).toBe(true);
  });

  it('accepts a minimal rules file and returns it unchanged', () => {
    const input = minimal();
    const r = parsePriorityRules(input);
    expect(r).toEqual({ ok: true, value: input });
  });

  it('rejects an unknown or missing format naming /format', () => {
    expect(problemsOf(minimal({ format: 'conduit.priority-rules/2' }))).toEqual([
      expect.objectContaining({ code: 'unsupported_format', path: '/format' }),
    ]);
    const { format: _format, ...rest } = minimal();
    expect(problemsOf(rest)[0]).toMatchObject({ path: '/format' });
    expect(problemsOf([])[0]).toMatchObject({ path: '/' });
  });

  it('rejects an unknown predicate naming its path and listing the known ones', () => {
    const p = problemsOf(
      minimal({ factors: [{ id: 'x', when: { escalated: true, bogus: 1 }, points: 1, reason: 'r' }] }),
    );
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ code: 'schema_violation', path: '/factors/0/when/bogus' });
    expect(p[0]?.message).toContain('unknown predicate "bogus"');
    expect(p[0]?.message).toContain('contactWithChild');
  });

  it('rejects an incident type that is not a CyberTipline type, naming the item', () => {
    const p = problemsOf(
      minimal({
        factors: [{ id: 'x', when: { incidentType: ['Nothing Like It'] }, points: 1, reason: 'r' }],
      }),
    );
    expect(p[0]).toMatchObject({ code: 'invalid_value', path: '/factors/0/when/incidentType/0' });
    expect(p[0]?.message).toContain('Online Enticement of Children for Sexual Acts');
  });

  it('rejects thresholds that are not ordered E > 1 > 2', () => {
    expect(problemsOf(minimal({ levels: { E: 50, '1': 60, '2': 30 } }))).toEqual([
      expect.objectContaining({ path: '/levels/E' }),
    ]);
    expect(problemsOf(minimal({ levels: { E: 100, '1': 30, '2': 30 } }))).toEqual([
      expect.objectContaining({ path: '/levels/1' }),
    ]);
  });

  it('rejects unknown fields anywhere, naming them', () => {
    expect(problemsOf(minimal({ extra: true }))[0]).toMatchObject({ path: '/extra' });
    expect(
      problemsOf(
        minimal({ factors: [{ id: 'x', when: { escalated: true }, points: 1, reason: 'r', weight: 2 }] }),
      )[0],
    ).toMatchObject({ path: '/factors/0/weight' });
    expect(
      problemsOf(
        minimal({
          factors: [
            { id: 'x', when: { newMaterial: { industryClass: ['A1'], colour: 1 } }, points: 1, reason: 'r' },
          ],
        }),
      )[0],
    ).toMatchObject({ path: '/factors/0/when/newMaterial/colour' });
  });

  it('rejects wrong values naming the field: a floor, points, an empty when, a bad file annotation', () => {
    const one = (f: Record<string, unknown>) =>
      problemsOf(
        minimal({ factors: [{ id: 'x', when: { escalated: true }, points: 1, reason: 'r', ...f }] }),
      );
    expect(one({ floor: '3' })[0]).toMatchObject({ path: '/factors/0/floor' });
    expect(one({ points: 'many' })[0]).toMatchObject({ path: '/factors/0/points' });
    expect(one({ when: {} })[0]).toMatchObject({ path: '/factors/0/when' });
    expect(one({ when: { fileAnnotation: ['glitter'] } })[0]).toMatchObject({
      path: '/factors/0/when/fileAnnotation/0',
    });
    expect(one({ when: { victimAgeBelow: 2.5 } })[0]).toMatchObject({
      path: '/factors/0/when/victimAgeBelow',
    });
    expect(one({ when: { newMaterial: 'yes' } })[0]).toMatchObject({ path: '/factors/0/when/newMaterial' });
    expect(problemsOf(minimal({ version: '' }))[0]).toMatchObject({ path: '/version' });
  });

  it('rejects repeated ids, the reserved lexicon id and unknown reason placeholders', () => {
    const f = { when: { escalated: true }, points: 1, reason: 'r' };
    expect(
      problemsOf(
        minimal({
          factors: [
            { id: 'a', ...f },
            { id: 'a', ...f },
          ],
        }),
      ),
    ).toEqual([expect.objectContaining({ path: '/factors/1/id' })]);
    expect(problemsOf(minimal({ factors: [{ id: 'lexicon', ...f }] }))).toEqual([
      expect.objectContaining({ path: '/factors/0/id' }),
    ]);
    const p = problemsOf(minimal({ factors: [{ id: 'a', ...f, reason: '{count} and {victimName}' }] }));
    expect(p).toEqual([expect.objectContaining({ path: '/factors/0/reason' })]);
    expect(p[0]?.message).toContain('{victimName}');
    expect(
      problemsOf(minimal({ informational: [{ id: 'i', when: { batchedViral: true }, reason: '{nope}' }] })),
    ).toEqual([expect.objectContaining({ path: '/informational/0/reason' })]);
  });

  it('accepts priorRecords and every documented predicate', () => {
    const when = {
      escalated: false,
      incidentType: ['Child Sex Trafficking'],
      reportAnnotation: ['sextortion'],
      fileAnnotation: ['infant'],
      industryClass: ['A1', 'B2'],
      matchCategory: ['illegal'],
      victimAgeBelow: 13,
      victimAgeBand: ['infant-toddler', 'prepubescent', 'pubescent'],
      newMaterial: { industryClass: ['A1'], fileAnnotation: ['physicalHarm'] },
      groupAccount: true,
      contactWithChild: true,
      handsOn: true,
      lexiconWeightAtLeast: 2.5,
      filesAtLeast: 3,
      incidentWithinDays: 30,
      priorRecords: true,
      batchedViral: false,
      allFilesViralOrMeme: false,
      noReportedPersonIdentifiers: false,
      allMaterialKnown: false,
    };
    expect(parsePriorityRules(minimal({ factors: [{ id: 'all', when, points: 1, reason: 'r' }] })).ok).toBe(
      true,
    );
  });
});
