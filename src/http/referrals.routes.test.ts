import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../test/support/databases.ts';
import { canonicalReferral } from '../../test/support/fixtures.ts';
import type { App } from '../app.ts';
import { startTestServer, type Headers } from '../../test/support/server.ts';

const EXAMPLE = new URL(
  '../../../shared/reference/cybertipline/examples/example-01-chatim-enticement.report.xml',
  import.meta.url,
);

describe.each(DIALECTS)('HTTP referrals API on %s', (dialect) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup.length = 0;
  });

  /** The server and an analyst of the receiving hub, signed in: what every request here is sent as. */
  async function server(): Promise<{ app: App; http: FastifyInstance; h: Headers }> {
    const t = await startTestServer(dialect);
    cleanup.push(() => t.close());
    return { app: t.app, http: t.http, h: (await t.signIn('analyst')).headers };
  }

  it('accepts one canonical referral with 201, then answers its resubmission with 200 duplicate', async () => {
    const { http, h } = await server();
    const body = canonicalReferral('api-1');
    const first = await http.inject({ headers: h, method: 'POST', url: '/api/v1/referrals', payload: body });
    expect(first.statusCode).toBe(201);
    const again = await http.inject({ headers: h, method: 'POST', url: '/api/v1/referrals', payload: body });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ result: 'duplicate', id: first.json<{ id: string }>().id });
    expect(first.headers['request-id']).toBeTruthy();
  });

  it('rejects an invalid referral with a 422 naming the field, and stores nothing', async () => {
    const { http, h } = await server();
    const body = canonicalReferral('api-bad', { victims: [{ age: 200 }] });
    const res = await http.inject({ headers: h, method: 'POST', url: '/api/v1/referrals', payload: body });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      error: { code: 'invalid_value', problems: [{ path: '/victims/0/age' }] },
    });
    const list = await http.inject({ headers: h, method: 'GET', url: '/api/v1/referrals' });
    expect(list.json()).toEqual({ items: [], next: null });
  });

  it('answers malformed JSON with 400, an oversized body with 413 and an unknown media type with 415', async () => {
    const { http, h } = await server();
    const bad = await http.inject({
      method: 'POST',
      url: '/api/v1/referrals',
      headers: { ...h, 'content-type': 'application/json' },
      payload: '{"incident":',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'malformed_input' } });
    const big = await http.inject({
      headers: h,
      method: 'POST',
      url: '/api/v1/referrals',
      payload: canonicalReferral('big', { additionalInfo: 'x'.repeat(70 * 1024) }),
    });
    expect(big.statusCode).toBe(413);
    const odd = await http.inject({
      method: 'POST',
      url: '/api/v1/referrals',
      headers: { ...h, 'content-type': 'text/csv' },
      payload: 'a,b',
    });
    expect(odd.statusCode).toBe(415);
  });

  it('takes a batch, storing the good and reporting each bad one', async () => {
    const { http, h } = await server();
    const res = await http.inject({
      headers: h,
      method: 'POST',
      url: '/api/v1/referrals',
      payload: [
        canonicalReferral('b-1'),
        canonicalReferral('b-2', { incident: { type: 'nope' } }),
        canonicalReferral('b-3'),
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ results: { result: string }[] }>().results.map((r) => r.result)).toEqual([
      'accepted',
      'rejected',
      'accepted',
    ]);
  });

  it('accepts a CyberTipline report as XML and refuses a DOCTYPE', async () => {
    const { http, h } = await server();
    const xml = readFileSync(EXAMPLE);
    const res = await http.inject({
      method: 'POST',
      url: '/api/v1/referrals',
      headers: { ...h, 'content-type': 'application/xml' },
      payload: xml,
    });
    expect(res.statusCode).toBe(201);
    const bomb = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><report>&a;</report>`;
    const refused = await http.inject({
      method: 'POST',
      url: '/api/v1/referrals',
      headers: { ...h, 'content-type': 'text/xml' },
      payload: bomb,
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: { code: 'doctype_forbidden' } });
  });

  it('pages through referrals newest first with a keyset cursor, and shows one with its decision', async () => {
    const { app, http, h } = await server();
    for (let i = 0; i < 5; i++)
      await http.inject({
        headers: h,
        method: 'POST',
        url: '/api/v1/referrals',
        payload: canonicalReferral(`p-${i}`),
      });
    const page1 = (await http.inject({ headers: h, method: 'GET', url: '/api/v1/referrals?limit=2' })).json<{
      items: { sourceRef: string; id: string }[];
      next: string;
    }>();
    expect(page1.items.map((i) => i.sourceRef)).toEqual(['p-4', 'p-3']);
    const page2 = (
      await http.inject({ headers: h, method: 'GET', url: `/api/v1/referrals?limit=2&after=${page1.next}` })
    ).json<{ items: { sourceRef: string }[] }>();
    expect(page2.items.map((i) => i.sourceRef)).toEqual(['p-2', 'p-1']);
    const one = await http.inject({
      headers: h,
      method: 'GET',
      url: `/api/v1/referrals/${page1.items[0]?.id}`,
    });
    expect(one.json()).toMatchObject({
      sourceRef: 'p-4',
      status: 'routed',
      recipient: 'hub',
      decision: { outcome: 'routed' },
    });
    expect(
      one.json<{ decision: { identifiers: { kind: string; value: string }[] } }>().decision.identifiers,
    ).toContainEqual(expect.objectContaining({ kind: 'service-user-id', value: 'usr_0001' }));
    // Reads are audited, from a list too: the page's event names every referral it showed.
    const listed = await app.database.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'referral.list')
      .orderBy('seq')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(listed.details)).toEqual({ ids: page1.items.map((i) => i.id), statusIds: [] });
    const missing = await http.inject({
      headers: h,
      method: 'GET',
      url: '/api/v1/referrals/0190a3c2-0000-7000-8000-000000000000',
    });
    expect(missing.statusCode).toBe(404);
    const badFilter = await http.inject({
      headers: h,
      method: 'GET',
      url: '/api/v1/referrals?receivedFrom=2025-02-30T00:00:00Z',
    });
    expect(badFilter.statusCode).toBe(422);
  });

  it('serves the OpenAPI document and the referral JSON Schema', async () => {
    const { http, h } = await server();
    const doc = await http.inject({ headers: h, method: 'GET', url: '/api/docs/json' });
    expect(doc.json<{ paths: Record<string, unknown> }>().paths).toHaveProperty('/api/v1/referrals');
    const schema = await http.inject({ headers: h, method: 'GET', url: '/api/v1/schemas/referral' });
    expect(schema.json()).toMatchObject({ title: 'Conduit referral (canonical JSON, v1)' });
  });

  it('lets a person file on behalf of a reporting organisation, never as a sibling branch', async () => {
    const t = await startTestServer(dialect);
    cleanup.push(() => t.close());
    await t.org('centre-x', 'referring-centre');
    await t.org('ncc-a', 'national-centre', 'hub');
    await t.org('ncc-b', 'national-centre', 'hub');
    const hubAnalyst = (await t.signIn('analyst')).headers;
    const paper = await t.http.inject({
      method: 'POST',
      url: '/api/v1/referrals?source=centre-x',
      headers: hubAnalyst,
      payload: canonicalReferral('on-paper-1'),
    });
    expect(paper.statusCode).toBe(201);
    const below = await t.http.inject({
      method: 'POST',
      url: '/api/v1/referrals?source=ncc-a',
      headers: hubAnalyst,
      payload: canonicalReferral('for-ncc-a'),
    });
    expect(below.statusCode).toBe(201);
    const sibling = await t.http.inject({
      method: 'POST',
      url: '/api/v1/referrals?source=ncc-b',
      headers: (await t.signIn('analyst', 'ncc-a')).headers,
      payload: canonicalReferral('as-ncc-b'),
    });
    expect(sibling.statusCode).toBe(403);
    expect(sibling.json()).toMatchObject({ error: { code: 'forbidden', problems: [{ path: 'source' }] } });
    const stored = await t.app.database.db.selectFrom('referrals').select('source_ref').execute();
    expect(stored.map((r) => r.source_ref).sort()).toEqual(['for-ncc-a', 'on-paper-1']);
  });

  it('records a refused request of a known principal in the audit trail, naming the route', async () => {
    const t = await startTestServer(dialect);
    cleanup.push(() => t.close());
    const { email, headers } = await t.signIn('auditor');
    const res = await t.http.inject({ method: 'GET', url: '/api/v1/referrals', headers });
    expect(res.statusCode).toBe(403);
    const noCsrf = await t.http.inject({
      method: 'DELETE',
      url: '/api/v1/session',
      headers: { cookie: headers.cookie ?? '' },
    });
    expect(noCsrf.statusCode).toBe(403);
    const events = await t.app.database.db
      .selectFrom('audit_events')
      .select(['actor', 'action', 'object_id', 'outcome', 'details'])
      .where('action', '=', 'access.denied')
      .orderBy('seq')
      .execute();
    expect(events).toEqual([
      {
        actor: `user:${email}`,
        action: 'access.denied',
        object_id: 'GET /api/v1/referrals',
        outcome: 'denied',
        details: JSON.stringify({ reason: 'forbidden' }),
      },
      {
        actor: `user:${email}`,
        action: 'access.denied',
        object_id: 'DELETE /api/v1/session',
        outcome: 'denied',
        details: JSON.stringify({ reason: 'csrf' }),
      },
    ]);
  });
});
