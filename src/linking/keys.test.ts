import { describe, expect, it } from 'vitest';
import type { Identifier } from '../domain/identifier.ts';
import { describeKey, mentionsOf } from './keys.ts';
import { compileLinkRules, loadDefaultLinkRules, parseLinkRules, type LinkRulesDocument } from './rules.ts';

const rules = loadDefaultLinkRules();
const id = (x: Partial<Identifier> & Pick<Identifier, 'kind' | 'value'>): Identifier => ({
  raw: x.value,
  role: 'reported',
  account: 0,
  ...x,
});
const AT = '2026-01-01T10:00:00Z' as Identifier['at'];

describe('link keys of a mention', () => {
  it('the account, devices and verified selectors are strong; unverified ones and screen names weak', () => {
    const [m] = mentionsOf(
      'r1',
      '2026-01-02T00:00:00Z',
      [
        id({ kind: 'service-user-id', value: 'u1', service: 'ExampleChat' }),
        id({ kind: 'device-id', value: 'IMEI:1' }),
        id({ kind: 'email', value: 'a@example.com', facts: { verified: true } }),
        id({ kind: 'phone', value: '+390600000101' }),
        id({ kind: 'screen-name', value: 'night_0wl77', facts: { skeleton: 'night_owl77' } }),
      ],
      rules,
    );
    expect(m?.account).toBe('ExampleChat|u1');
    expect(m?.keys.map((k) => [k.key, k.strong])).toEqual([
      ['a|ExampleChat|u1', true],
      ['d|IMEI:1', true],
      ['e!a@example.com', true],
      ['e|a@example.com', false],
      ['p|+390600000101', false],
      ['n|night_owl77', false],
      ['v|nightowl', false],
    ]);
    expect(describeKey('e!a@example.com')).toBe('same e-mail a@example.com, verified on both sides');
  });

  it('never links non-public, proxy, untimed or portless IPv4 addresses, and says why', () => {
    const [m] = mentionsOf(
      'r1',
      '',
      [
        id({ kind: 'ip', value: '192.0.2.1', facts: { ipRange: 'documentation' }, at: AT, port: 1 }),
        id({ kind: 'ip', value: '8.8.8.8', facts: { ipRange: 'public', proxy: true }, at: AT, port: 1 }),
        id({ kind: 'ip', value: '2a00:1450::1', facts: { ipRange: 'public' } }),
        id({ kind: 'ip', value: '9.9.9.9', facts: { ipRange: 'public' }, at: AT }),
        id({ kind: 'ip', value: '2a00:1450::2', facts: { ipRange: 'public' }, at: AT }),
      ],
      rules,
    );
    expect(m?.unlinkable.map((u) => u.reason)).toEqual(['non-public', 'proxy', 'no-time', 'no-port']);
    expect(m?.keys).toHaveLength(2);
    expect(describeKey(m?.keys[0]?.key ?? '')).toBe('same IP 2a00:1450::2 within 720 h');
  });

  it('values on the exclusion list are reported, not used', () => {
    const doc: unknown = JSON.parse(
      JSON.stringify({ ...baseDoc(), exclude: [{ kind: 'email', value: 'help@example.com' }] }),
    );
    const parsed = parseLinkRules(doc);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const [m] = mentionsOf('r', '', [id({ kind: 'email', value: 'help@example.com' })], parsed.rules);
    expect(m?.keys).toEqual([]);
    expect(m?.unlinkable).toEqual([{ kind: 'email', shown: 'email help@example.com', reason: 'excluded' }]);
  });

  it('selectors of victims and recipients never describe the reported person; incident ones do when alone', () => {
    const ms = mentionsOf(
      'r',
      '',
      [
        id({ kind: 'service-user-id', value: 'u1', service: 's' }),
        id({ kind: 'service-user-id', value: 'v1', service: 's', role: 'victim' }),
        id({ kind: 'email', value: 'x@example.com', role: 'incident' }),
      ],
      rules,
    );
    expect(ms.flatMap((m) => m.keys.map((k) => k.key))).toEqual(['a|s|u1', 'e|x@example.com']);
  });
});

describe('linking rules', () => {
  it('refuses a bad document naming each path', () => {
    const bad = { ...baseDoc(), maxAccountsPerValue: { ...baseDoc().maxAccountsPerValue, ip: 0 }, extra: 1 };
    const r = parseLinkRules(bad);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['/maxAccountsPerValue/ip']));
  });

  it('compiles the shipped rules', () => {
    expect(compileLinkRules(baseDoc()).caps.nickname).toBe(baseDoc().maxAccountsPerValue.nickname);
  });
});

function baseDoc(): LinkRulesDocument {
  return {
    format: 'conduit.linking-rules/1',
    version: 't',
    ipv6WindowHours: 720,
    ipv4WindowHours: 1,
    maxAccountsPerValue: { account: 20, device: 8, email: 8, phone: 8, ip: 6, nickname: 30 },
    exclude: [],
  };
}
