import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Linker, subjectIdOf } from './engine.ts';
import type { LinkKey, Mention } from './keys.ts';
import { describeKey } from './keys.ts';
import type { LinkRules } from './rules.ts';
import { linkScenario, pairCounts, quality } from './quality.ts';
import { loadDefaultLinkRules } from './rules.ts';

const rules: LinkRules = {
  version: 'test',
  ipv6WindowHours: 720,
  ipv4WindowHours: 1,
  caps: { account: 20, device: 8, email: 8, phone: 8, ip: 6, nickname: 3 },
  excluded: new Set(),
};

const strong = (key: string): LinkKey => ({
  key,
  kind: key.startsWith('d|') ? 'device' : 'account',
  strong: true,
});
const weak = (kind: 'email' | 'ip' | 'nickname' | 'phone', value: string): LinkKey => ({
  key: `${kind === 'email' ? 'e' : kind === 'ip' ? 'i' : kind === 'phone' ? 'p' : 'n'}|${value}`,
  kind,
  strong: false,
});

let n = 0;
/** Adds a mention and answers the subject it is now in. */
function add(l: Linker, m: Mention): string {
  l.add(m);
  return l.subjectOf(`${m.referralId}.${m.slot}`) ?? '';
}
function mention(account: string, keys: LinkKey[], referral = `r${++n}`): Mention {
  return {
    referralId: referral,
    at: '2026-01-01T00:00:00Z',
    slot: 0,
    account,
    keys,
    groups: [],
    unlinkable: [],
  };
}

describe('linking engine', () => {
  it('joins on one strong key and keeps the evidence', () => {
    const l = new Linker(rules);
    const a = add(l, mention('s|a', [strong('a|s|a'), strong('d|dev1')], 'r-a'));
    const b = add(l, mention('s|b', [strong('a|s|b'), strong('d|dev1')], 'r-b'));
    expect(b).toBe(a);
    const s = l.subject(a);
    expect(a).toBe(subjectIdOf('r-a.0'));
    expect(a).not.toContain('r-a');
    expect(s?.mentions).toEqual(['r-a.0', 'r-b.0']);
    expect(s?.evidence).toEqual([{ from: 'r-b.0', to: 'r-a.0', rule: 'strong', keys: ['d|dev1'] }]);
    expect(describeKey('d|dev1')).toBe('same device dev1');
  });

  it('never joins on one weak coincidence, joins on two of different kinds', () => {
    const l = new Linker(rules);
    const a = add(l, mention('s|a', [weak('nickname', 'owl'), weak('ip', '2001:db8::1|5')]));
    const b = add(l, mention('s|b', [weak('nickname', 'owl')]));
    expect(b).not.toBe(a);
    const c = add(l, mention('s|c', [weak('ip', '2001:db8::1|5')]));
    expect(c).not.toBe(a);
    const d = add(l, mention('s|d', [weak('nickname', 'owl'), weak('ip', '2001:db8::1|5')]));
    expect(d).toBe(a);
    expect(l.subject(a)?.evidence.at(-1)?.rule).toBe('weak-corroborated');
  });

  it('a value seen with more accounts than its cap stops linking, is reported, and its joins are undone', () => {
    const l = new Linker({ ...rules, caps: { ...rules.caps, device: 2 } });
    const a = add(l, mention('s|a', [strong('d|shared')]));
    expect(add(l, mention('s|b', [strong('d|shared')]))).toBe(a);
    // A third account: the device is now too common; the first two are no longer one subject.
    const c = add(l, mention('s|c', [strong('d|shared')]));
    expect(l.commonValues()).toEqual([{ kind: 'device', key: 'd|shared', accounts: 3 }]);
    const subjects = [...l.subjects()].map((s) => s.id);
    expect(subjects).toHaveLength(3);
    expect(c).not.toBe(a);
  });

  it('a common nickname still corroborates an IP match found on its own', () => {
    const l = new Linker(rules);
    for (const acc of ['x', 'y', 'z', 'w']) add(l, mention(`s|${acc}`, [weak('nickname', 'popular')]));
    expect(l.commonValues().map((c) => c.key)).toEqual(['n|popular']);
    const a = add(l, mention('s|a', [weak('nickname', 'popular'), weak('ip', '2001:db8::9|1')]));
    const b = add(l, mention('s|b', [weak('nickname', 'popular'), weak('ip', '2001:db8::9|1')]));
    expect(b).toBe(a);
  });

  it('an analyst split keeps the sides apart, now and for later mentions; a merge joins', () => {
    const l = new Linker(rules);
    const a = add(l, mention('s|a', [strong('d|one')], 'ra'));
    add(l, mention('s|b', [strong('d|one')], 'rb'));
    const made = l.split({ id: 'd1', side: ['s|b'], other: ['s|a'] });
    expect(made.map((s) => s.id).sort()).toEqual([subjectIdOf('ra.0'), subjectIdOf('rb.0')].sort());
    expect(add(l, mention('s|b', [strong('d|one')], 'rc'))).toBe(subjectIdOf('rb.0'));
    expect(l.subjectOf('ra.0')).toBe(a);
    // A merge across the split is refused; a merge of unrelated subjects is kept for later mentions too.
    expect(l.merge({ id: 'm1', accounts: ['s|a', 's|b'] })).toBeUndefined();
    const e = add(l, mention('s|e', [], 're'));
    expect(l.merge({ id: 'm2', accounts: ['s|a', 's|e'] })?.id).toBe(a);
    expect(l.subjectOf('re.0')).toBe(a);
    expect(e).toBe(subjectIdOf('re.0'));
    expect(add(l, mention('s|e', [], 'rf'))).toBe(a);
  });

  it('replaying the same mentions in the same order gives the same subjects (property)', () => {
    const keyArb = fc.oneof(
      fc.integer({ min: 0, max: 6 }).map((i) => strong(`d|${i}`)),
      fc.integer({ min: 0, max: 4 }).map((i) => weak('nickname', `n${i}`)),
      fc.integer({ min: 0, max: 4 }).map((i) => weak('ip', `ip${i}`)),
      fc.integer({ min: 0, max: 4 }).map((i) => weak('email', `e${i}`)),
    );
    const mentionArb = fc.record({
      account: fc.integer({ min: 0, max: 12 }),
      keys: fc.array(keyArb, { maxLength: 4 }),
    });
    fc.assert(
      fc.property(fc.array(mentionArb, { maxLength: 40 }), (ms) => {
        const run = () => {
          const l = new Linker(rules);
          ms.forEach((m, i) => l.add(mention(`s|${m.account}`, m.keys, `r${i}`)));
          return [...l.subjects()].map((s) => `${s.id}:${s.mentions.join(',')}`).sort();
        };
        expect(run()).toEqual(run());
      }),
    );
  });

  it('links a generated scenario with no false merge and high recall (easy, geolocating IPs)', () => {
    const r = linkScenario({ reports: 3000, seed: 'engine-test', geoIps: true }, loadDefaultLinkRules());
    expect(r.quality.precision).toBeGreaterThanOrEqual(0.995);
    expect(r.quality.recall).toBeGreaterThan(0.95);
    expect(r.subjects).toBeLessThan(r.mentions);
  });
});

describe('pairwise quality', () => {
  it('counts pairs from labels', () => {
    const q = quality(
      pairCounts([
        ['s1', 'p1'],
        ['s1', 'p1'],
        ['s1', 'p2'],
        ['s2', 'p2'],
      ]),
    );
    // True pairs: p1 (1) + p2 (1) = 2; predicted: s1 (3); correct: (s1,p1) 1.
    expect(q).toMatchObject({ truePairs: 2, predictedPairs: 3, correctPairs: 1 });
    expect(q.precision).toBeCloseTo(1 / 3);
    expect(q.recall).toBeCloseTo(1 / 2);
  });
});
