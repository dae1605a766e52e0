import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../test/support/databases.ts';
import { canonicalReferral } from '../../test/support/fixtures.ts';
import { OPERATOR, startTestServer, type TestServer } from '../../test/support/server.ts';
import { loadDefaultRoutingRules } from '../rules/routing-rules.ts';

describe.each(DIALECTS)('triage and rules over HTTP (%s)', (dialect) => {
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
    await t.org('esp', 'provider');
    const key = await t.apiKey('esp', ['submit']);
    const file = async (ref: string, extra: Record<string, unknown> = {}) => {
      const r = await t!.http.inject({
        method: 'POST',
        url: '/api/v1/referrals',
        headers: key.headers,
        payload: canonicalReferral(ref, extra),
      });
      expect(r.statusCode).toBe(201);
      return r.json<{ id: string }>().id;
    };
    return { t, file };
  }

  it('lists the queue of the analyst’s organisation with the decision at a glance, and acts on it', async () => {
    const { t, file } = await setup();
    const id = await file('q-1');
    const analyst = await t.signIn('analyst', 'ncc-it');
    const q = await t.http.inject({ method: 'GET', url: '/api/v1/queue', headers: analyst.headers });
    expect(q.statusCode).toBe(200);
    const body = q.json<{ items: Record<string, unknown>[]; next: string | null }>();
    expect(body.next).toBeNull();
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({
      id,
      recipient: 'ncc-it',
      held: false,
      triage: 'pending',
      classification: 'actionable',
      jurisdiction: { country: 'IT' },
      priority: { overridden: false },
    });
    expect((body.items[0]?.priority as { level: string }).level).toMatch(/^[E123]$/);

    const detail = await t.http.inject({
      method: 'GET',
      url: `/api/v1/referrals/${id}`,
      headers: analyst.headers,
    });
    const decision = detail.json<{
      decision: { jurisdiction: { reasons: string[] }; priority: { factors: unknown[] } };
    }>().decision;
    expect(decision.jurisdiction.reasons[0]).toBe('routed to ncc-it: it covers IT');
    expect(decision.jurisdiction.reasons.join(' ')).toContain('phone numbers in IT');
    expect(decision.priority.factors.length).toBeGreaterThan(0);

    const raised = await t.http.inject({
      method: 'POST',
      url: `/api/v1/referrals/${id}/priority`,
      headers: analyst.headers,
      payload: { level: 'E', reason: 'meeting arranged for tonight' },
    });
    expect(raised.statusCode).toBe(200);
    const exported = await t.http.inject({
      method: 'GET',
      url: `/api/v1/queue?level=E`,
      headers: analyst.headers,
    });
    expect(exported.json<{ items: { id: string }[] }>().items.map((i) => i.id)).toEqual([id]);
  });

  it('refuses malformed queue requests and actions with the field named', async () => {
    const { t, file } = await setup();
    const id = await file('q-2');
    const analyst = await t.signIn('analyst', 'ncc-it');
    const bad = async (method: 'GET' | 'POST', url: string, payload?: object) => {
      const r = await t.http.inject({ method, url, headers: analyst.headers, ...(payload && { payload }) });
      return {
        status: r.statusCode,
        problems: r.json<{ error: { problems: { path: string }[] } }>().error.problems,
      };
    };
    expect(await bad('GET', '/api/v1/queue?level=X')).toMatchObject({ status: 400 });
    // Forged cursors (a fractional rank, a huge one, a NUL in a string) are refused, never a database error.
    for (const forged of [
      [1.5, '2026-01-01T00:00:00.000Z', '0190a3c2-0000-7000-8000-000000000000'],
      [1e300, '2026-01-01T00:00:00.000Z', '0190a3c2-0000-7000-8000-000000000000'],
      [1, '2026\u0000', 'x'],
    ]) {
      const after = Buffer.from(JSON.stringify(forged)).toString('base64url');
      expect(await bad('GET', `/api/v1/queue?after=${after}`)).toMatchObject({
        status: 400,
        problems: [{ path: 'after' }],
      });
    }
    expect(await bad('GET', '/api/v1/queue?after=not-a-cursor')).toMatchObject({
      status: 400,
      problems: [{ path: 'after' }],
    });
    const noReason = await bad('POST', `/api/v1/referrals/${id}/reassign`, { to: 'hub' });
    expect(noReason.status).toBe(422);
    expect(noReason.problems[0]?.path).toBe('/reason');
    expect(await bad('POST', `/api/v1/referrals/${id}/priority`, { level: '9', reason: 'x' })).toMatchObject({
      status: 422,
    });
    // Nothing changed.
    const q = await t.http.inject({ method: 'GET', url: '/api/v1/queue', headers: analyst.headers });
    expect(q.json<{ items: { priority: { overridden: boolean } }[] }>().items[0]?.priority.overridden).toBe(
      false,
    );
  });

  it('lets only the receiving organisation change the rules, and no source read them', async () => {
    const { t } = await setup();
    const provider = await t.signIn('supervisor', 'esp');
    const centre = await t.signIn('supervisor', 'ncc-it');
    const read = (h: Record<string, string>) =>
      t.http.inject({ method: 'GET', url: '/api/v1/rules/priority', headers: h });
    expect((await read(provider.headers)).statusCode).toBe(403);
    expect((await read(centre.headers)).statusCode).toBe(200);
    const load = await t.http.inject({
      method: 'PUT',
      url: '/api/v1/rules/routing',
      headers: centre.headers,
      payload: { ...loadDefaultRoutingRules(), version: 'from-a-centre' },
    });
    expect(load.statusCode).toBe(403);
    const lexicon = await t.http.inject({
      method: 'PUT',
      url: '/api/v1/lexicons/from-a-source',
      headers: provider.headers,
      payload: { format: 'csv', content: 'tokenalpha,1\n' },
    });
    expect(lexicon.statusCode).toBe(403);
    expect(t.app.rules.snapshot().routing.version).not.toBe('from-a-centre');
    // Each refusal is on the record.
    const refused = await t.app.database.db
      .selectFrom('audit_events')
      .select(['action', 'outcome'])
      .where('object_type', '=', 'rule_set')
      .where('outcome', '=', 'denied')
      .execute();
    expect(refused.length).toBe(3);
    expect(t.app.rules.snapshot().lexicon.lists).toEqual([]);
  });

  it('shows, validates and loads rules, and lexicons by name and size only', async () => {
    const { t } = await setup();
    const supervisor = await t.signIn('supervisor');
    const shown = await t.http.inject({
      method: 'GET',
      url: '/api/v1/rules/routing',
      headers: supervisor.headers,
    });
    expect(shown.json()).toMatchObject({ kind: 'routing', source: 'default' });

    const invalid = { ...loadDefaultRoutingRules(), minConfidence: 3 };
    const refused = await t.http.inject({
      method: 'PUT',
      url: '/api/v1/rules/routing',
      headers: supervisor.headers,
      payload: invalid,
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json<{ error: { problems: { path: string }[] } }>().error.problems[0]?.path).toBe(
      '/minConfidence',
    );

    const loaded = await t.http.inject({
      method: 'PUT',
      url: '/api/v1/rules/routing',
      headers: supervisor.headers,
      payload: { ...loadDefaultRoutingRules(), version: 'agency-2' },
    });
    expect(loaded.json()).toMatchObject({ version: 'agency-2', source: 'loaded', revision: 1 });
    expect(t.app.rules.snapshot().routing.version).toBe('agency-2');

    const lex = await t.http.inject({
      method: 'PUT',
      url: '/api/v1/lexicons/agency-terms',
      headers: supervisor.headers,
      payload: { format: 'csv', content: 'term,weight\ntokenalpha,3\nzeta placeholder,1\n' },
    });
    expect(lex.statusCode).toBe(200);
    const list = await t.http.inject({ method: 'GET', url: '/api/v1/lexicons', headers: supervisor.headers });
    expect(list.json()).toMatchObject({ items: [{ name: 'agency-terms', terms: 2 }] });
    expect(list.body).not.toContain('tokenalpha');
  });
});
