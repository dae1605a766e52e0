import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import type { Account, IpEvent, ReferralDocument } from '../domain/referral.ts';
import { DEFAULT_NOW, scenario, scenarioReports } from './scenario.ts';
import type { GeneratedReport, PersonTruth, ScenarioEvent, Truth } from './truth.ts';
import { buildTruth } from './truth.ts';

function run(reports: number, seed: string | number, now?: Date): { events: ScenarioEvent[]; truth: Truth } {
  const events = [...scenario({ reports, seed, now })];
  return { events, truth: buildTruth(events) };
}

function reportsOf(events: readonly ScenarioEvent[]): GeneratedReport[] {
  return events.filter((e): e is GeneratedReport => e.kind === 'report');
}

const { events, truth } = run(600, 'scenario-test');
const reports = reportsOf(events);
const byStem = new Map(reports.map((r) => [r.stem, r]));

/** Every account block of a document with the truth person it belongs to (via the report's `persons`). */
function accountsOf(r: GeneratedReport): { person: string; account: Account }[] {
  return r.doc.reportedPersons.map((account, i) => ({ person: r.persons[i] ?? '', account }));
}

/** Every IP event of a report with its owner: reported accounts' own events and their files' upload events. */
function ipEventsOf(r: GeneratedReport): { person: string; event: IpEvent }[] {
  const out = accountsOf(r).flatMap(({ person, account }) =>
    account.ipEvents.map((event) => ({ person, event })),
  );
  // File upload events belong to the (first) reported person of the report.
  for (const f of r.doc.files) if (f.ipEvent) out.push({ person: r.persons[0] ?? '', event: f.ipEvent });
  return out;
}

function allStrings(x: unknown, out: string[] = []): string[] {
  if (typeof x === 'string') out.push(x);
  else if (Array.isArray(x)) for (const v of x) allStrings(v, out);
  else if (typeof x === 'object' && x !== null) for (const v of Object.values(x)) allStrings(v, out);
  return out;
}

describe('scenario', () => {
  it('is deterministic: the same seed gives the same events, another seed different ones', () => {
    const digest = (e: readonly ScenarioEvent[]) =>
      createHash('sha256').update(JSON.stringify(e)).digest('hex');
    expect(digest(run(600, 'scenario-test').events)).toBe(digest(events));
    expect(digest(run(600, 'another-seed').events)).not.toBe(digest(events));
    // A number and its string form are the same seed (only the echoed seed in the end event differs).
    expect(digest(reportsOf(run(50, 7).events))).toBe(digest(reportsOf(run(50, '7').events)));
  });

  it('yields one report per index with sortable stems, sourceRef = stem and numeric report ids', () => {
    expect(reports.map((r) => r.index)).toEqual(Array.from({ length: 600 }, (_, i) => i));
    expect(reports[0]?.stem).toBe('ctr-000001');
    expect(reports.map((r) => r.stem)).toEqual(reports.map((r) => r.stem).sort());
    for (const r of reports) {
      expect(r.doc.sourceRef).toBe(r.stem);
      expect(Number.isSafeInteger(r.reportId)).toBe(true);
    }
    expect(new Set(reports.map((r) => r.reportId)).size).toBe(600);
    expect(events.at(-1)?.kind).toBe('end');
  });

  it('accounts for every referral in truth: each report belongs to its persons and each person to its reports', () => {
    const personById = new Map(truth.persons.map((p) => [p.id, p]));
    expect(personById.size).toBe(truth.persons.length);
    const referralsSeen = new Set<string>();
    for (const p of truth.persons) {
      expect(p.referrals.length).toBeGreaterThan(0);
      for (const stem of p.referrals) {
        const r = byStem.get(stem);
        expect(r, `${p.id} → ${stem}`).toBeDefined();
        expect(r?.persons).toContain(p.id);
        referralsSeen.add(stem);
      }
    }
    expect(referralsSeen.size).toBe(reports.length);
    for (const r of reports) {
      for (const id of r.persons) expect(personById.get(id)?.referrals).toContain(r.stem);
      expect(Object.keys(truth.expectedPriority)).toContain(r.stem);
    }
  });

  it('lists accounts and identifiers that really appear in the person’s own referrals', () => {
    for (const p of truth.persons) {
      const docs = p.referrals.map((s) => byStem.get(s)).filter((r): r is GeneratedReport => r !== undefined);
      const text = docs.map((r) => JSON.stringify(r.doc)).join('\n');
      const mine = docs.flatMap((r) =>
        accountsOf(r)
          .filter((a) => a.person === p.id)
          .map((a) => a.account),
      );
      const ids = new Set(
        mine.flatMap((a) => [a.espIdentifier, ...a.associatedAccounts.map((x) => x.espIdentifier)]),
      );
      expect(p.accounts.length).toBeGreaterThan(0);
      for (const a of p.accounts) expect(ids, `${p.id} ${a.espIdentifier}`).toContain(a.espIdentifier);
      for (const e of p.identifiers.emails) expect(text).toContain(JSON.stringify(e));
      for (const d of p.identifiers.devices) expect(text).toContain(JSON.stringify(d));
      const ips = new Set(
        docs.flatMap((r) =>
          ipEventsOf(r)
            .filter((x) => x.person === p.id)
            .map((x) => x.event.address),
        ),
      );
      expect([...ips].sort()).toEqual([...p.identifiers.ips].sort());
      // Phones are given nationally in the documents and as E.164 in truth.
      for (const a of mine) {
        for (const ph of a.person?.phones ?? []) {
          const national = ph.number.replace(/\D/g, '').replace(/^0/, '');
          expect(
            p.identifiers.phones.some(
              (e) => e.startsWith(ph.countryCallingCode ?? '?') && e.endsWith(national),
            ),
          ).toBe(true);
        }
      }
    }
  });

  it('gives every identifier to one person only, except shared IPv4 lines, all of which truth lists', () => {
    const owners = new Map<string, Set<string>>();
    for (const p of truth.persons) {
      const { emails, phones, devices, ips } = p.identifiers;
      for (const v of [...emails, ...phones, ...devices, ...ips, ...p.accounts.map((a) => a.espIdentifier)]) {
        const set = owners.get(v) ?? new Set<string>();
        set.add(p.id);
        owners.set(v, set);
      }
    }
    const shared = [...owners].filter(([, s]) => s.size > 1);
    const listed = new Map(truth.sharedCgnat.map((s) => [s.ip, new Set(s.persons)]));
    for (const [value, persons] of shared) {
      expect(value, 'only IPv4 addresses are shared').toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(listed.get(value)).toEqual(persons);
    }
    expect(truth.sharedCgnat.length).toBe(shared.length);
    expect(truth.sharedCgnat.length).toBeGreaterThan(0);
  });

  it('puts unrelated persons behind one shared IP with different ports (CGNAT), some minutes apart', () => {
    let closeInTime = 0;
    for (const { ip, persons } of truth.sharedCgnat) {
      expect(new Set(persons).size).toBe(persons.length);
      expect(persons.length).toBeGreaterThan(1);
      const uses = reports.flatMap((r) => ipEventsOf(r)).filter((x) => x.event.address === ip);
      expect(new Set(uses.map((u) => u.person))).toEqual(new Set(persons));
      for (const a of uses) {
        expect(a.event.port).toBeGreaterThanOrEqual(1024);
        for (const b of uses) {
          if (a.person === b.person) continue;
          expect(a.event.port, `${ip} ${a.person} vs ${b.person}`).not.toBe(b.event.port);
          const gap = Math.abs(Date.parse(a.event.at ?? '') - Date.parse(b.event.at ?? ''));
          if (gap <= 15 * 60 * 1000) closeInTime++;
        }
      }
    }
    expect(closeInTime).toBeGreaterThan(0);
  });

  it('shares group identifiers between the members of a community', () => {
    const multi = truth.communities.filter((c) => c.persons.length > 1);
    expect(multi.length).toBeGreaterThan(0);
    for (const c of truth.communities) {
      for (const id of c.persons) {
        const p = truth.persons.find((x) => x.id === id);
        expect(p?.communities).toContain(c.groupId);
        const withGroup = (p?.referrals ?? [])
          .map((s) => byStem.get(s))
          .some((r) =>
            r?.doc.reportedPersons.some((a) => a.groupIdentifier === c.groupId && a.espService === c.service),
          );
        expect(withGroup, `${id} in ${c.groupId}`).toBe(true);
      }
    }
  });

  it('derives screen names from the nickname, including leetspeak and Unicode look-alikes', () => {
    const accounts = truth.persons.flatMap((p) => p.accounts.map((a) => ({ p, a })));
    const cyrillic = accounts.filter(({ a }) => /[\u0430\u0435\u043e\u0440\u0441]/.test(a.screenName));
    const fullwidth = accounts.filter(({ a }) => /[\uff10-\uff5a]/.test(a.screenName));
    const unleet = (s: string) =>
      s
        .toLowerCase()
        .replace(/[01345]/g, (c) => ({ '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's' })[c] ?? c);
    const leet = accounts.filter(({ p, a }) => {
      const words = p.nickname.replace(/\d+$/, '');
      return (
        a.transforms.includes('leet') &&
        a.screenName !== p.nickname &&
        unleet(a.screenName.replace(/[_.-]/g, '')).startsWith(words)
      );
    });
    expect(cyrillic.length).toBeGreaterThan(0);
    expect(fullwidth.length).toBeGreaterThan(0);
    expect(leet.length).toBeGreaterThan(0);
    expect(accounts.some(({ a }) => a.transforms.includes('separator') && /[_.-]/.test(a.screenName))).toBe(
      true,
    );
    expect(accounts.some(({ a }) => a.transforms.length === 0)).toBe(true);
    for (const { a } of [...cyrillic, ...fullwidth]) {
      expect(a.transforms.some((t) => t === 'cyrillic' || t === 'fullwidth')).toBe(true);
    }
    // Several accounts of one person, under different names, is the point of the exercise.
    expect(truth.persons.some((p) => new Set(p.accounts.map((a) => a.screenName)).size > 1)).toBe(true);
  });

  it('uses only documentation IP ranges, example.* domains and placeholder free text', () => {
    const ipv4 = /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}$/;
    for (const r of reports) {
      for (const { event } of ipEventsOf(r)) {
        expect(ipv4.test(event.address) || event.address.startsWith('2001:db8:'), event.address).toBe(true);
      }
      for (const s of allStrings(r.doc)) {
        for (const m of s.matchAll(/[\w.+-]+@([\w.-]+)/g))
          expect(m[1]).toMatch(/(^|\.)example\.(com|net|org)$/);
        for (const m of s.matchAll(/https?:\/\/([^/]+)/g))
          expect(m[1]).toMatch(/(^|\.)example\.(com|net|org)$/);
        for (const m of s.matchAll(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g)) expect(m[0]).toMatch(ipv4);
      }
      for (const text of [
        r.doc.additionalInfo,
        r.doc.incident.escalation,
        ...r.doc.files.flatMap((f) => f.additionalInfo),
      ]) {
        if (text !== undefined) expect(text).toMatch(/^\[synthetic placeholder\]/);
      }
    }
  });

  it('dates every incident in the past, as canonical instants', () => {
    const now = DEFAULT_NOW.getTime();
    for (const r of reports) {
      expect(Date.parse(r.doc.incident.occurredAt)).toBeLessThan(now - 86_400_000 + 1);
      for (const s of allStrings(r.doc).filter((x) => /^\d{4}-\d\d-\d\dT/.test(x))) {
        expect(new Date(s).toISOString()).toBe(s);
        expect(Date.parse(s)).toBeLessThan(now);
      }
    }
    const later = reportsOf(run(20, 'x', new Date('2024-05-01T12:34:56.789Z')).events);
    for (const r of later) expect(r.doc.incident.occurredAt < '2024-05-01').toBe(true);
  });

  it('files carry MD5/SHA-1/SHA-256 of random bytes, known items recur across persons, PDQ travels as a HASH detail', () => {
    const files = reports.flatMap((r) => r.doc.files.map((f) => ({ r, f })));
    for (const { f } of files) {
      expect(f.fileId).toMatch(/^[0-9a-f]{32}$/);
      expect(f.hashes.sha256 ?? f.hashes.md5).toBeDefined();
      if (f.hashes.pdq !== undefined) {
        expect(f.details).toContainEqual({ type: 'HASH', pairs: [{ name: 'PDQ', value: f.hashes.pdq }] });
      }
      if (f.relevance === 'Supplemental Reported') expect(f.industryClassification).toBeUndefined();
      if (f.ipEvent) expect(f.ipEvent).toMatchObject({ event: 'Upload', at: f.uploadedAt });
    }
    for (const c of truth.circulatingFiles) {
      const holders = files.filter(({ f }) => f.hashes.md5 === c.md5);
      expect(holders.length).toBe(c.referrals);
      expect(holders.every(({ f }) => f.hashes.sha1 === c.sha1)).toBe(true);
    }
    const spread = truth.circulatingFiles.filter((c) => {
      const persons = new Set(files.filter(({ f }) => f.hashes.md5 === c.md5).flatMap(({ r }) => r.persons));
      return persons.size > 1;
    });
    expect(spread.length).toBeGreaterThan(0);
    expect(files.some(({ f }) => f.industryClassification !== undefined)).toBe(true);
    expect(files.some(({ f }) => f.annotations.length > 0)).toBe(true);
  });

  it('mixes incident types, escalations, age-only victims and viral bundles like a real intake', () => {
    const docs: ReferralDocument[] = reports.map((r) => r.doc);
    const types = new Map<string, number>();
    for (const d of docs) types.set(d.incident.type, (types.get(d.incident.type) ?? 0) + 1);
    const cp = types.get('Child Pornography (possession, manufacture, and distribution)') ?? 0;
    expect(cp / docs.length).toBeGreaterThan(0.75);
    expect(types.get('Online Enticement of Children for Sexual Acts') ?? 0).toBeGreaterThan(0);
    expect(docs.some((d) => d.incident.annotations.includes('sextortion'))).toBe(true);
    expect(docs.some((d) => d.incident.escalation === '[synthetic placeholder] escalation reason')).toBe(
      true,
    );
    expect(
      docs.some((d) =>
        d.victims.some((v) => v.age !== undefined && Object.keys(v).join() === 'age,ipEvents'),
      ),
    ).toBe(true);
    const bundles = docs.filter((d) => d.incident.batchedReason === 'VIRAL_POTENTIAL_MEME');
    expect(bundles.length).toBeGreaterThan(0);
    for (const b of bundles) {
      expect(b.reportedPersons.length).toBeGreaterThan(1);
      expect(
        b.files.every((f) => f.annotations.includes('potentialMeme') && f.annotations.includes('viral')),
      ).toBe(true);
    }
  });

  it('follows the documented priority rule', () => {
    const levels = new Set(Object.values(truth.expectedPriority));
    expect(levels).toEqual(new Set(['E', '1', '2', '3']));
    for (const r of reports) {
      const inc = r.doc.incident;
      if (inc.escalation !== undefined) expect(r.expectedPriority).toBe('E');
      if (inc.batchedReason !== undefined) expect(r.expectedPriority).toBe('3');
      if (inc.type === 'Online Enticement of Children for Sexual Acts')
        expect(['E', '1']).toContain(r.expectedPriority);
      if (
        r.doc.files.length === 0 &&
        inc.escalation === undefined &&
        inc.type.startsWith('Child Pornography')
      ) {
        expect(['1', '2', '3']).toContain(r.expectedPriority);
      }
    }
  });

  it('has persons with several accounts and several referrals, and a true country each', () => {
    const countries = new Set(truth.persons.map((p: PersonTruth) => p.trueCountry));
    expect(countries.size).toBeGreaterThan(4);
    expect(truth.persons.some((p) => p.accounts.length > 1)).toBe(true);
    expect(truth.persons.some((p) => p.referrals.length > 3)).toBe(true);
    const located = reports
      .flatMap((r) => accountsOf(r))
      .filter((a) => a.account.estimatedLocation !== undefined);
    const right = located.filter(
      (a) =>
        a.account.estimatedLocation?.countryCode ===
        truth.persons.find((p) => p.id === a.person)?.trueCountry,
    );
    expect(right.length / located.length).toBeGreaterThan(0.7);
    expect(right.length).toBeLessThan(located.length);
  });

  it('offers the referrals alone', () => {
    expect([...scenarioReports({ reports: 600, seed: 'scenario-test' })]).toEqual(reports);
  });

  it('handles an empty scenario', () => {
    const t = run(0, 'empty').truth;
    expect(t.persons).toEqual([]);
    expect(t.expectedPriority).toEqual({});
  });
});
