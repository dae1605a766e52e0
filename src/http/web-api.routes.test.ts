import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../test/support/databases.ts';
import { canonicalReferral } from '../../test/support/fixtures.ts';
import { OPERATOR, startTestServer, type TestServer } from '../../test/support/server.ts';

/** The routes the web application added: raw document, live arrivals count, dashboard. */
describe.each(DIALECTS)('web application routes (%s)', (dialect) => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function setup() {
    t = await startTestServer(dialect);
    const ncc = await t.app.organisations.add(
      { slug: 'ncc-it', kind: 'national-centre', parent: 'hub', covers: ['IT'] },
      OPERATOR,
    );
    if (!ncc.ok) throw new Error(JSON.stringify(ncc.problems));
    await t.org('ncc-fr', 'national-centre', 'hub');
    await t.org('esp', 'provider');
    const key = await t.apiKey('esp', ['submit']);
    const file = async (ref: string) => {
      const r = await t!.http.inject({
        method: 'POST',
        url: '/api/v1/referrals',
        headers: key.headers,
        payload: canonicalReferral(ref),
      });
      expect(r.statusCode).toBe(201);
      return r.json<{ id: string }>().id;
    };
    return { t, file };
  }

  it('answers the submitted document as text to whoever may read the referral, and nothing to others', async () => {
    const { t, file } = await setup();
    const id = await file('raw-1');
    const analyst = await t.signIn('analyst', 'ncc-it');
    const r = await t.http.inject({
      method: 'GET',
      url: `/api/v1/referrals/${id}/raw`,
      headers: analyst.headers,
    });
    expect(r.statusCode).toBe(200);
    const raw = r.json<{ mediaType: string; size: number; sha256: string; text: string }>();
    expect(raw.mediaType).toBe('application/json');
    expect(JSON.parse(raw.text)).toMatchObject({ sourceRef: 'raw-1' });
    expect(raw.size).toBe(Buffer.byteLength(raw.text));
    const other = await t.signIn('analyst', 'ncc-fr');
    const refused = await t.http.inject({
      method: 'GET',
      url: `/api/v1/referrals/${id}/raw`,
      headers: other.headers,
    });
    expect(refused.statusCode).toBe(404);
    const audit = await t.app.audit.search({ action: 'referral.raw', limit: 10 }, OPERATOR);
    expect(audit.ok && audit.items.map((e) => e.outcome).sort()).toEqual(['denied', 'ok']);
  });

  it('counts the queue’s new arrivals after a moment, for its own organisation only', async () => {
    const { t, file } = await setup();
    await file('a-1');
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await file('a-2');
    await file('a-3');
    const analyst = await t.signIn('analyst', 'ncc-it');
    const count = (who: typeof analyst, q: string) =>
      t.http.inject({ method: 'GET', url: `/api/v1/queue/arrivals?${q}`, headers: who.headers });
    const r = await count(analyst, `since=${encodeURIComponent(since)}`);
    expect(r.statusCode).toBe(200);
    expect(r.json<{ count: number; latest: string }>().count).toBe(2);
    const before = await count(analyst, `since=2000-01-01T00:00:00Z`);
    expect(before.json<{ count: number }>().count).toBe(3);
    const bad = await count(analyst, 'since=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { problems: { path: string }[] } }>().error.problems[0]?.path).toBe('since');
    const other = await t.signIn('analyst', 'ncc-fr');
    expect((await count(other, `since=${since}&org=ncc-it`)).statusCode).toBe(422);
    expect((await count(other, `since=${since}`)).json<{ count: number }>().count).toBe(0);
  });

  it('counts the dashboard over the referrals in reach only', async () => {
    const { t, file } = await setup();
    for (const ref of ['d-1', 'd-2', 'd-3']) await file(ref);
    const analyst = await t.signIn('analyst', 'ncc-it');
    const r = await t.http.inject({
      method: 'GET',
      url: '/api/v1/dashboard?days=7',
      headers: analyst.headers,
    });
    expect(r.statusCode).toBe(200);
    const d = r.json<{
      total: number;
      receivedPerDay: { day: string; count: number }[];
      byCountry: { country: string | null; count: number }[];
      byLevel: { level: string | null; count: number }[];
      routing: { decided: number; medianSeconds: number | null };
      held: { backlog: number };
    }>();
    expect(d.total).toBe(3);
    expect(d.receivedPerDay).toHaveLength(7);
    expect(d.receivedPerDay.at(-1)).toEqual({ day: new Date().toISOString().slice(0, 10), count: 3 });
    expect(d.byCountry).toEqual([{ country: 'IT', count: 3 }]);
    expect(d.byLevel.reduce((s, l) => s + l.count, 0)).toBe(3);
    expect(d.routing.decided).toBe(3);
    expect(d.routing.medianSeconds).toBeGreaterThanOrEqual(0);
    const other = await t.signIn('analyst', 'ncc-fr');
    const theirs = await t.http.inject({ method: 'GET', url: '/api/v1/dashboard', headers: other.headers });
    expect(theirs.json<{ total: number }>().total).toBe(0);
    const bad = await t.http.inject({
      method: 'GET',
      url: '/api/v1/dashboard?days=0',
      headers: analyst.headers,
    });
    expect(bad.statusCode).toBe(400);
    const auditor = await t.signIn('auditor');
    expect(
      (await t.http.inject({ method: 'GET', url: '/api/v1/dashboard', headers: auditor.headers })).statusCode,
    ).toBe(403);
  });
});
