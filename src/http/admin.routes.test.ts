import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS, type TestDialect } from '../../test/support/databases.ts';
import { canonicalReferral } from '../../test/support/fixtures.ts';
import { startTestServer, TEST_PASSWORD, type Headers, type TestServer } from '../../test/support/server.ts';

interface ErrorJson {
  error: { code: string; message: string; problems: { code: string; path: string; message: string }[] };
}
interface AuditItem {
  seq: number;
  at: string;
  actor: string;
  organisation: string | null;
  action: string;
  objectId: string | null;
  outcome: string;
  details: unknown;
}
interface AuditPage {
  items: AuditItem[];
  next: number | null;
}

const pathsOf = (body: ErrorJson) => body.error.problems.map((p) => p.path).sort();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DIALECTS)('HTTP administration API on %s', (dialect: TestDialect) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup.length = 0;
  });
  /** A server with two sibling national centres below the receiving hub. */
  async function server(): Promise<TestServer> {
    const t = await startTestServer(dialect);
    cleanup.push(() => t.close());
    await t.org('nc-a', 'national-centre', 'hub');
    await t.org('nc-b', 'national-centre', 'hub');
    return t;
  }
  const post = (t: TestServer, url: string, headers: Headers, payload?: object) =>
    t.http.inject({ method: 'POST', url, headers, ...(payload && { payload }) });
  const get = (t: TestServer, url: string, headers: Headers) =>
    t.http.inject({ method: 'GET', url, headers });

  describe('organisations', () => {
    it('adds an organisation below the admin’s own and lists the tree', async () => {
      const t = await server();
      const admin = await t.signIn('admin');
      const res = await post(t, '/api/v1/organisations', admin.headers, {
        slug: 'nc-it',
        kind: 'national-centre',
        name: 'Centro nazionale',
        country: 'it',
        covers: ['IT', 'SM'],
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        slug: 'nc-it',
        kind: 'national-centre',
        country: 'IT',
        covers: ['IT', 'SM'],
        parentId: t.app.receiving.id,
      });
      const unit = await post(t, '/api/v1/organisations', admin.headers, {
        slug: 'it-unit',
        kind: 'unit',
        parent: 'nc-it',
      });
      expect(unit.statusCode).toBe(201);
      const list = await get(t, '/api/v1/organisations', (await t.signIn('investigator')).headers);
      expect(list.statusCode).toBe(200);
      expect(list.json<{ items: { slug: string }[] }>().items.map((o) => o.slug)).toEqual(
        expect.arrayContaining(['hub', 'nc-a', 'nc-b', 'nc-it', 'it-unit']),
      );
    });

    it('names each wrong field of an organisation (422), a duplicate (409) and an unknown property (422)', async () => {
      const t = await server();
      const admin = await t.signIn('admin');
      const bad = await post(t, '/api/v1/organisations', admin.headers, {
        slug: 'Not A Slug',
        kind: 'castle',
        country: '1',
        covers: ['IT', 'nope'],
      });
      expect(bad.statusCode).toBe(422);
      expect(pathsOf(bad.json<ErrorJson>())).toEqual(['/country', '/covers/1', '/kind', '/slug']);
      const extra = await post(t, '/api/v1/organisations', admin.headers, {
        slug: 'fine',
        kind: 'unit',
        colour: 'red',
      });
      expect(extra.statusCode).toBe(422);
      expect(extra.json<ErrorJson>().error.problems[0]?.path).toBe('/colour');
      const missing = await post(t, '/api/v1/organisations', admin.headers, { kind: 'unit' });
      expect(missing.statusCode).toBe(422);
      expect(pathsOf(missing.json<ErrorJson>())).toContain('/slug');
      const dup = await post(t, '/api/v1/organisations', admin.headers, { slug: 'nc-a', kind: 'unit' });
      expect(dup.statusCode).toBe(409);
      expect(dup.json<ErrorJson>().error).toMatchObject({ code: 'conflict', problems: [{ path: '/slug' }] });
    });

    it('lets an admin add only below their own branch (422 unknown_organisation), and nobody else at all (403)', async () => {
      const t = await server();
      const admin = await t.signIn('admin', 'nc-a');
      const own = await post(t, '/api/v1/organisations', admin.headers, { slug: 'a-unit', kind: 'unit' });
      expect(own.statusCode).toBe(201);
      expect(own.json()).toMatchObject({ parentId: (await t.app.organisations.bySlug('nc-a'))?.id });
      for (const parent of ['nc-b', 'hub', 'no-such-org']) {
        const res = await post(t, '/api/v1/organisations', admin.headers, {
          slug: `x-${parent}`,
          kind: 'unit',
          parent,
        });
        expect(res.statusCode, parent).toBe(422);
        expect(res.json<ErrorJson>().error).toMatchObject({
          code: 'unknown_organisation',
          problems: [{ path: '/parent' }],
        });
      }
      for (const role of ['supervisor', 'analyst', 'investigator', 'auditor'] as const) {
        const { headers } = await t.signIn(role);
        const res = await post(t, '/api/v1/organisations', headers, { slug: `by-${role}`, kind: 'unit' });
        expect(res.statusCode, role).toBe(403);
      }
      expect(await t.app.organisations.bySlug('by-supervisor')).toBeUndefined();
    });
  });

  describe('users', () => {
    it('adds a person and never shows a password hash or second-factor secret', async () => {
      const t = await server();
      const admin = await t.signIn('admin', 'nc-a');
      const res = await post(t, '/api/v1/users', admin.headers, {
        org: 'nc-a',
        email: 'New.Analyst@NC-A.example.org',
        role: 'analyst',
        password: TEST_PASSWORD,
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        email: 'new.analyst@nc-a.example.org',
        role: 'analyst',
        organisation: 'nc-a',
        disabled: false,
        totp: false,
      });
      const list = await get(t, '/api/v1/users', admin.headers);
      expect(list.statusCode).toBe(200);
      expect(list.body).not.toMatch(/scrypt|password|totp_secret|hash/i);
      // The new person can sign in.
      const signIn = await t.http.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email: 'new.analyst@nc-a.example.org', password: TEST_PASSWORD },
        remoteAddress: '10.3.0.1',
      });
      expect(signIn.statusCode).toBe(201);
    });

    it('names each wrong field of a person (422) and refuses a duplicate (409)', async () => {
      const t = await server();
      const admin = await t.signIn('admin');
      const bad = await post(t, '/api/v1/users', admin.headers, {
        org: 'hub',
        email: 'not an address',
        role: 'wizard',
        password: 'short',
      });
      expect(bad.statusCode).toBe(422);
      expect(pathsOf(bad.json<ErrorJson>())).toEqual(['/email', '/password', '/role']);
      const missing = await post(t, '/api/v1/users', admin.headers, { org: 'hub', role: 'analyst' });
      expect(missing.statusCode).toBe(422);
      expect(pathsOf(missing.json<ErrorJson>())).toEqual(expect.arrayContaining(['/email', '/password']));
      const dup = await post(t, '/api/v1/users', admin.headers, {
        org: 'hub',
        email: admin.email,
        role: 'analyst',
        password: TEST_PASSWORD,
      });
      expect(dup.statusCode).toBe(409);
      expect(dup.json<ErrorJson>().error.problems[0]?.path).toBe('/email');
    });

    it('keeps an admin to their own branch: other branches’ people are unknown (422 / 404) and unlisted', async () => {
      const t = await server();
      const adminA = await t.signIn('admin', 'nc-a');
      const analystA = await t.signIn('analyst', 'nc-a');
      const analystB = await t.signIn('analyst', 'nc-b');
      const hubPerson = await t.signIn('supervisor');
      for (const org of ['nc-b', 'hub']) {
        const res = await post(t, '/api/v1/users', adminA.headers, {
          org,
          email: `intruder@${org}.example.org`,
          role: 'admin',
          password: TEST_PASSWORD,
        });
        expect(res.statusCode, org).toBe(422);
        expect(res.json<ErrorJson>().error).toMatchObject({
          code: 'unknown_organisation',
          problems: [{ path: '/org' }],
        });
      }
      for (const email of [analystB.email, hubPerson.email, 'nobody@nowhere.example.org']) {
        const res = await post(t, `/api/v1/users/${encodeURIComponent(email)}/disable`, adminA.headers);
        expect(res.statusCode, email).toBe(404);
        expect(res.json<ErrorJson>().error.code).toBe('not_found');
      }
      // Still working: nothing was disabled.
      for (const h of [analystB.headers, hubPerson.headers])
        expect((await get(t, '/api/v1/session', h)).statusCode).toBe(200);
      const listA = await get(t, '/api/v1/users', adminA.headers);
      const emails = listA.json<{ items: { email: string }[] }>().items.map((u) => u.email);
      expect(emails).toEqual(expect.arrayContaining([adminA.email, analystA.email]));
      expect(listA.body).not.toContain(analystB.email);
      expect(listA.body).not.toContain(hubPerson.email);
      // An admin higher up manages the branch below.
      const adminHub = await t.signIn('admin');
      const disabled = await post(
        t,
        `/api/v1/users/${encodeURIComponent(analystB.email)}/disable`,
        adminHub.headers,
      );
      expect(disabled.statusCode).toBe(200);
      expect((await get(t, '/api/v1/session', analystB.headers)).statusCode).toBe(401);
      const listHub = await get(t, '/api/v1/users', adminHub.headers);
      expect(listHub.body).toContain(analystB.email);
    });
  });

  describe('API keys', () => {
    it('shows a created key once; the list never shows secrets; the key works until revoked', async () => {
      const t = await server();
      const admin = await t.signIn('admin', 'nc-a');
      const res = await post(t, '/api/v1/apikeys', admin.headers, {
        org: 'nc-a',
        scopes: ['submit'],
        name: 'provider upload',
      });
      expect(res.statusCode).toBe(201);
      const created = res.json<{ key: string; apiKey: { id: string; scopes: string[]; name: string } }>();
      expect(created.key).toMatch(/^cdk_[0-9a-f-]{36}_[A-Za-z0-9_-]{43}$/);
      expect(created.apiKey).toMatchObject({
        organisation: 'nc-a',
        scopes: ['submit'],
        name: 'provider upload',
      });
      const secret = created.key.split('_').slice(2).join('_');
      const list = await get(t, '/api/v1/apikeys', admin.headers);
      expect(list.statusCode).toBe(200);
      expect(list.json<{ items: { id: string }[] }>().items.map((k) => k.id)).toContain(created.apiKey.id);
      expect(list.body).not.toContain(secret);
      expect(list.body).not.toMatch(/"key"|secret/i);
      // Nor does the audit trail hold it.
      const events = await t.app.database.db.selectFrom('audit_events').select('details').execute();
      expect(JSON.stringify(events)).not.toContain(secret);

      const bearer = { authorization: `Bearer ${created.key}` };
      const filed = await post(t, '/api/v1/referrals', bearer, canonicalReferral('key-1'));
      expect(filed.statusCode).toBe(201);
      const revoked = await t.http.inject({
        method: 'DELETE',
        url: `/api/v1/apikeys/${created.apiKey.id}`,
        headers: admin.headers,
      });
      expect(revoked.statusCode).toBe(200);
      expect((await post(t, '/api/v1/referrals', bearer, canonicalReferral('key-2'))).statusCode).toBe(401);
      const after = await get(t, '/api/v1/apikeys', admin.headers);
      expect(
        after
          .json<{ items: { id: string; revokedAt: string | null }[] }>()
          .items.find((k) => k.id === created.apiKey.id)?.revokedAt,
      ).toBeTruthy();
    });

    it('names wrong fields of a key (scopes, org) and keeps an admin to their branch', async () => {
      const t = await server();
      const admin = await t.signIn('admin', 'nc-a');
      const bad = await post(t, '/api/v1/apikeys', admin.headers, {
        org: 'nc-a',
        scopes: ['submit', 'root'],
      });
      expect(bad.statusCode).toBe(422);
      expect(bad.json<ErrorJson>().error.problems).toEqual([
        expect.objectContaining({ code: 'invalid_value', path: '/scopes/1' }),
      ]);
      const none = await post(t, '/api/v1/apikeys', admin.headers, { org: 'nc-a', scopes: [] });
      expect(none.statusCode).toBe(422);
      expect(none.json<ErrorJson>().error.problems[0]?.path).toBe('/scopes');
      const other = await post(t, '/api/v1/apikeys', admin.headers, { org: 'nc-b', scopes: ['read'] });
      expect(other.statusCode).toBe(422);
      expect(other.json<ErrorJson>().error).toMatchObject({
        code: 'unknown_organisation',
        problems: [{ path: '/org' }],
      });
      const keyB = await t.apiKey('nc-b', ['read']);
      for (const id of [keyB.keyId, 'not-a-key-id', '0190a3c2-0000-7000-8000-000000000000']) {
        const res = await t.http.inject({
          method: 'DELETE',
          url: `/api/v1/apikeys/${id}`,
          headers: admin.headers,
        });
        expect(res.statusCode, id).toBe(404);
      }
      expect((await get(t, '/api/v1/referrals', keyB.headers)).statusCode).toBe(200);
      expect((await get(t, '/api/v1/apikeys', admin.headers)).body).not.toContain(keyB.keyId);
    });
  });

  describe('audit trail', () => {
    /** Activity in both branches: nc-a's analyst files and reads; nc-b's does the same. */
    async function activity(t: TestServer) {
      const a = await t.signIn('analyst', 'nc-a');
      const b = await t.signIn('analyst', 'nc-b');
      const ids: Record<'a' | 'b', string[]> = { a: [], b: [] };
      for (const [side, who] of [
        ['a', a],
        ['b', b],
      ] as const) {
        for (let i = 0; i < 3; i++) {
          const filed = await post(t, '/api/v1/referrals', who.headers, canonicalReferral(`${side}-${i}`));
          expect(filed.statusCode).toBe(201);
          const id = filed.json<{ id: string }>().id;
          ids[side].push(id);
          expect((await get(t, `/api/v1/referrals/${id}`, who.headers)).statusCode).toBe(200);
        }
      }
      return { a, b, ids };
    }

    it('lets an auditor search their branch’s trail by actor, object and action; other branches do not exist for them', async () => {
      const t = await server();
      const { a, b, ids } = await activity(t);
      const auditor = await t.signIn('auditor', 'nc-a');
      const all = await get(t, '/api/v1/audit?limit=500', auditor.headers);
      expect(all.statusCode).toBe(200);
      const items = all.json<AuditPage>().items;
      expect(items.length).toBeGreaterThan(0);
      expect(new Set(items.map((e) => e.organisation))).toEqual(new Set(['nc-a']));
      expect(all.body).not.toContain(b.email);
      for (const id of ids.b) expect(all.body).not.toContain(id);

      const byActor = (
        await get(t, `/api/v1/audit?actor=user:${a.email}`, auditor.headers)
      ).json<AuditPage>();
      expect(byActor.items.length).toBeGreaterThanOrEqual(7); // sign-in, 3 × (file + read)
      expect(byActor.items.every((e) => e.actor === `user:${a.email}`)).toBe(true);
      const otherActor = await get(t, `/api/v1/audit?actor=user:${b.email}`, auditor.headers);
      expect(otherActor.statusCode).toBe(200);
      expect(otherActor.json()).toEqual({ items: [], next: null });

      const byObject = (
        await get(t, `/api/v1/audit?objectId=${ids.a[1]}`, auditor.headers)
      ).json<AuditPage>();
      expect(byObject.items.map((e) => e.action).sort()).toEqual(['referral.receive', 'referral.status']);
      expect(byObject.items.every((e) => e.objectId === ids.a[1])).toBe(true);
      const otherObject = await get(t, `/api/v1/audit?objectId=${ids.b[1]}`, auditor.headers);
      expect(otherObject.json()).toEqual({ items: [], next: null });

      const byAction = (
        await get(t, '/api/v1/audit?action=referral.status&objectType=referral', auditor.headers)
      ).json<AuditPage>();
      expect(byAction.items.map((e) => e.objectId)).toEqual([...ids.a].reverse());

      // An auditor of the hub sees both branches, and the instance's own events.
      const hubAuditor = await t.signIn('auditor');
      const hub = (await get(t, '/api/v1/audit?limit=500', hubAuditor.headers)).json<AuditPage>();
      const orgs = new Set(hub.items.map((e) => e.organisation));
      expect(orgs).toEqual(new Set(['nc-a', 'nc-b', 'hub', null]));
    });

    it('filters by a time window (from inclusive, to exclusive)', async () => {
      const t = await server();
      const auditor = await t.signIn('auditor', 'nc-a');
      const analyst = await t.signIn('analyst', 'nc-a');
      await pause(5);
      const t0 = new Date().toISOString();
      await pause(5);
      for (let i = 0; i < 2; i++)
        await post(t, '/api/v1/referrals', analyst.headers, canonicalReferral(`w-${i}`));
      await pause(5);
      const t1 = new Date().toISOString();
      const q = `actor=user:${analyst.email}`;
      const before = (await get(t, `/api/v1/audit?${q}&to=${t0}`, auditor.headers)).json<AuditPage>();
      expect(before.items.map((e) => e.action)).toEqual(['session.create']);
      const during = (
        await get(t, `/api/v1/audit?${q}&from=${t0}&to=${t1}`, auditor.headers)
      ).json<AuditPage>();
      expect(during.items.map((e) => e.action)).toEqual(['referral.receive', 'referral.receive']);
      expect(during.items.every((e) => e.at >= t0 && e.at < t1)).toBe(true);
      const after = (await get(t, `/api/v1/audit?${q}&from=${t1}`, auditor.headers)).json<AuditPage>();
      expect(after.items).toEqual([]);
      // In another time zone notation, the same instant.
      const local = t0.replace('Z', '+00:00');
      const same = await get(t, `/api/v1/audit?${q}&to=${encodeURIComponent(local)}`, auditor.headers);
      expect(same.json<AuditPage>().items.map((e) => e.action)).toEqual(['session.create']);
      const bad = await get(t, '/api/v1/audit?from=2025-02-30T00:00:00Z&to=yesterday', auditor.headers);
      expect(bad.statusCode).toBe(422);
      expect(pathsOf(bad.json<ErrorJson>())).toEqual(['from', 'to']);
      const badLimit = await get(t, '/api/v1/audit?limit=lots', auditor.headers);
      expect(badLimit.statusCode).toBe(400);
      expect(badLimit.json<ErrorJson>().error).toMatchObject({
        code: 'bad_request',
        problems: [{ path: 'limit' }],
      });
    });

    it('pages newest first with a keyset cursor, without gaps or repeats', async () => {
      const t = await server();
      const { a } = await activity(t);
      const auditor = await t.signIn('auditor', 'nc-a');
      const q = `actor=user:${a.email}`;
      const whole = (await get(t, `/api/v1/audit?${q}&limit=500`, auditor.headers)).json<AuditPage>();
      expect(whole.next).toBeNull();
      const seen: number[] = [];
      let cursor: number | null = null;
      for (let pages = 0; pages < 20; pages++) {
        const url: string = `/api/v1/audit?${q}&limit=2${cursor === null ? '' : `&before=${cursor}`}`;
        const page = (await get(t, url, auditor.headers)).json<AuditPage>();
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((e) => e.seq));
        cursor = page.next;
        if (cursor === null) break;
      }
      expect(seen).toEqual(whole.items.map((e) => e.seq));
      expect(seen).toEqual([...seen].sort((x, y) => y - x));
    });

    it('records the search itself, and refuses everyone but auditors (403)', async () => {
      const t = await server();
      const auditor = await t.signIn('auditor', 'nc-a');
      const res = await get(t, '/api/v1/audit?action=user.add&limit=7', auditor.headers);
      expect(res.statusCode).toBe(200);
      const searches = (
        await get(t, `/api/v1/audit?action=audit.search&actor=user:${auditor.email}`, auditor.headers)
      ).json<AuditPage>();
      expect(searches.items).toHaveLength(1);
      expect(searches.items[0]).toMatchObject({
        organisation: 'nc-a',
        outcome: 'ok',
        details: { query: { action: 'user.add', limit: 7 } },
      });
      for (const role of ['admin', 'supervisor', 'analyst', 'investigator'] as const) {
        const { headers } = await t.signIn(role, 'nc-a');
        for (const url of ['/api/v1/audit', '/api/v1/audit/verify']) {
          const r = await get(t, url, headers);
          expect(r.statusCode, `${role} ${url}`).toBe(403);
          expect(r.json<ErrorJson>().error.code).toBe('forbidden');
        }
      }
      for (const scope of ['submit', 'read'] as const) {
        const key = await t.apiKey('nc-a', [scope]);
        expect((await get(t, '/api/v1/audit', key.headers)).statusCode, scope).toBe(403);
      }
      expect((await get(t, '/api/v1/audit', {})).statusCode).toBe(401);
      const verify = await get(t, '/api/v1/audit/verify', auditor.headers);
      expect(verify.statusCode).toBe(200);
      expect(verify.json()).toMatchObject({ ok: true });
    });
  });
});
