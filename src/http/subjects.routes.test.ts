import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../test/support/databases.ts';
import { canonicalReferral } from '../../test/support/fixtures.ts';
import { OPERATOR, startTestServer, type Headers, type TestServer } from '../../test/support/server.ts';

interface ErrorJson {
  error: { code: string; message: string; problems: { code: string; path: string }[] };
}
interface Summary {
  id: string;
  referrals: number;
  accounts: string[];
  prior: { register: string; reference: string; reason: string }[];
  confirmed: boolean;
}
interface SubjectJson extends Summary {
  referralsVisible: { id: string; account: string }[];
  evidence: { from: string | null; to: string | null; rule: string; reasons: string[] }[];
  decisions: { kind: string; reason: string }[];
}

/** A reported person of ExampleChat (synthetic values only). */
const person = (user: string, extra: Record<string, unknown> = {}) => ({
  espIdentifier: user,
  espService: 'ExampleChat',
  ...extra,
});

describe.each(DIALECTS)('subjects over HTTP (%s)', (dialect) => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function setup() {
    const s = await startTestServer(dialect);
    t = s;
    await s.org('esp', 'provider');
    const key = await s.apiKey('esp', ['submit']);
    let n = 0;
    /** Files a referral of these reported persons (routed to the receiving hub); its id. */
    const file = async (...persons: Record<string, unknown>[]) => {
      const r = await s.http.inject({
        method: 'POST',
        url: '/api/v1/referrals',
        headers: key.headers,
        payload: canonicalReferral(`subj-${++n}`, { reportedPersons: persons }),
      });
      expect(r.statusCode, r.body).toBe(201);
      return r.json<{ id: string }>().id;
    };
    const analyst = await s.signIn('analyst');
    const get = async (url: string, headers: Headers = analyst.headers) =>
      s.http.inject({ method: 'GET', url: `/api/v1${url}`, headers });
    const send = async (
      method: 'POST' | 'PUT',
      url: string,
      payload: object | string,
      headers: Headers = analyst.headers,
    ) => s.http.inject({ method, url: `/api/v1${url}`, headers, payload });
    /** The subject a referral's first reported person belongs to. */
    const subjectOf = async (referral: string) => {
      const r = await get(`/referrals/${referral}/links`);
      expect(r.statusCode, r.body).toBe(200);
      const id = r.json<{ mentions: { subject: Summary | null }[] }>().mentions[0]?.subject?.id;
      if (id === undefined) throw new Error(`${referral} is in no subject: ${r.body}`);
      return id;
    };
    return { t: s, file, analyst, get, send, subjectOf };
  }

  it('links referrals of one account into a subject: its referrals, evidence, links and graph', async () => {
    const { t, file, get, subjectOf } = await setup();
    const a = await file(person('u-100', { screenName: 'Moon_Walker' }));
    const b = await file(person('u-100'));
    await t.app.link.catchUp();
    const id = await subjectOf(a);
    expect(await subjectOf(b)).toBe(id);

    const list = await get('/subjects');
    expect(list.statusCode).toBe(200);
    expect(list.json<{ items: Summary[]; next: string | null }>()).toMatchObject({
      items: [{ id, referrals: 2, accounts: ['ExampleChat|u-100'] }],
      next: null,
    });

    const res = await get(`/subjects/${id}`);
    expect(res.statusCode).toBe(200);
    const s = res.json<SubjectJson>();
    expect(s.referralsVisible.map((r) => r.id).sort()).toEqual([a, b].sort());
    expect(s.evidence.length).toBeGreaterThan(0);
    expect(s.evidence.flatMap((e) => e.reasons).join(' ')).toContain('same account u-100 on ExampleChat');

    const links = await get(`/referrals/${b}/links`);
    expect(links.json<{ referral: string; mentions: { slot: number; subject: Summary }[] }>()).toMatchObject({
      referral: b,
      mentions: [{ slot: 0, subject: { id } }],
    });

    const ml = await get(`/subjects/${id}/graph?format=graphml`);
    expect(ml.statusCode).toBe(200);
    expect(ml.headers['content-type']).toBe('application/graphml+xml; charset=utf-8');
    expect(ml.headers['content-disposition']).toBe(`attachment; filename="subject-${id}.graphml"`);
    expect(XMLValidator.validate(ml.body)).toBe(true);
    const doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      isArray: (_n, _p, _leaf, attribute) => !attribute,
    }).parse(ml.body) as { graphml: { graph: { node: { '@id': string }[] }[] }[] };
    const nodes = doc.graphml[0]?.graph[0]?.node.map((x) => x['@id']) ?? [];
    expect(nodes).toEqual(expect.arrayContaining([`subject:${id}`, `referral:${a}`, `referral:${b}`]));

    for (const url of [`/subjects/${id}/graph`, `/subjects/${id}/graph?format=json`]) {
      const js = await get(url);
      expect(js.statusCode).toBe(200);
      expect(js.headers['content-type']).toBe('application/json; charset=utf-8');
      // One encoding: an object of Cytoscape elements, not a string holding one.
      const g = js.json<{ nodes: { data: { id: string } }[]; edges: { data: { source: string } }[] }>();
      expect(g.nodes.map((x) => x.data.id)).toEqual(
        expect.arrayContaining([`referral:${a}`, `referral:${b}`]),
      );
      expect(g.edges.length).toBeGreaterThan(0);
    }
    expect((await get(`/subjects/${id}/graph?format=dot`)).statusCode).toBe(400);
  });

  it('shows another organisation’s people nothing of a subject outside their reach', async () => {
    const { t, file, get, subjectOf } = await setup();
    const a = await file(person('u-200'));
    await file(person('u-200'));
    const id = await subjectOf(a);
    await t.org('nc-x', 'national-centre', 'hub');
    await t.org('hub-2', 'hub');
    for (const org of ['nc-x', 'hub-2']) {
      const { headers } = await t.signIn('analyst', org);
      for (const url of [
        `/subjects/${id}`,
        `/subjects/${id}/graph`,
        `/subjects/${id}/graph?format=graphml`,
      ]) {
        const r = await get(url, headers);
        expect(r.statusCode, `${org} ${url}`).toBe(404);
        expect(r.json<ErrorJson>().error.code).toBe('not_found');
        // As an absent subject is answered: nothing tells it exists.
        const ghost = await get(url.replace(id, `${id}9`), headers);
        expect(r.body.split(id).join(`${id}9`)).toBe(ghost.body);
      }
      expect((await get(`/referrals/${a}/links`, headers)).statusCode).toBe(404);
      const list = await get('/subjects', headers);
      expect(list.statusCode).toBe(200);
      expect(list.json()).toEqual({ items: [], next: null });
      const split = await t.http.inject({
        method: 'POST',
        url: `/api/v1/subjects/${id}/split`,
        headers,
        payload: { accounts: ['ExampleChat|u-200'], reason: 'not mine to split' },
      });
      expect(split.statusCode).toBe(404);
    }
    // A role without the permission is refused before anything is looked up.
    const auditor = await t.signIn('auditor');
    expect((await get(`/subjects/${id}`, auditor.headers)).statusCode).toBe(403);
  });

  it('splits, merges and confirms subjects with a reason, and refuses bad decisions naming the field', async () => {
    const { t, file, get, send, subjectOf } = await setup();
    // u-300 names u-301 as its own other account, so the two are one subject until split.
    const a = await file(
      person('u-300', { associatedAccounts: [{ type: 'alternate', ...person('u-301') }] }),
    );
    const b = await file(person('u-301'));
    const c = await file(person('u-302'));
    const id = await subjectOf(a);
    expect(await subjectOf(b)).toBe(id);
    const other = await subjectOf(c);
    expect(other).not.toBe(id);

    const unknown = await send('POST', `/subjects/${id}/split`, {
      accounts: ['ExampleChat|u-999'],
      reason: 'two people',
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json<ErrorJson>().error).toMatchObject({
      code: 'invalid_value',
      problems: [{ path: 'accounts' }],
    });
    const noReason = await send('POST', `/subjects/${id}/split`, { accounts: ['ExampleChat|u-301'] });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json<ErrorJson>().error.problems[0]?.path).toBe('/reason');
    const none = await send('POST', `/subjects/${id}/split`, { accounts: [], reason: 'x' });
    expect(none.statusCode).toBe(422);
    expect(none.json<ErrorJson>().error.problems[0]?.path).toBe('/accounts');
    const blank = await send('POST', `/subjects/${id}/split`, {
      accounts: ['ExampleChat|u-301'],
      reason: ' ',
    });
    expect(blank.json<ErrorJson>().error.problems[0]?.path).toBe('reason');
    const investigator = await t.signIn('investigator');
    const refused = await send(
      'POST',
      `/subjects/${id}/split`,
      { accounts: ['ExampleChat|u-301'], reason: 'two people' },
      investigator.headers,
    );
    expect(refused.statusCode).toBe(403);
    expect((await get(`/subjects/${id}`)).json<SubjectJson>().decisions).toEqual([]);

    const split = await send('POST', `/subjects/${id}/split`, {
      accounts: ['ExampleChat|u-301'],
      reason: 'shared device, two people',
    });
    expect(split.statusCode, split.body).toBe(200);
    const produced = split.json<{ subjects: string[] }>().subjects;
    expect(produced).toHaveLength(2);
    const [sa, sb] = [await subjectOf(a), await subjectOf(b)];
    expect(sa).not.toBe(sb);
    expect([sa, sb].sort()).toEqual([...produced].sort());

    const tooFew = await send('POST', '/subjects/merge', { subjects: [sb], reason: 'same person' });
    expect(tooFew.statusCode).toBe(422);
    expect(tooFew.json<ErrorJson>().error.problems[0]?.path).toBe('/subjects');
    const merged = await send('POST', '/subjects/merge', { subjects: [sb, other], reason: 'same person' });
    expect(merged.statusCode, merged.body).toBe(200);
    const one = merged.json<{ subject: string }>().subject;
    expect(await subjectOf(b)).toBe(one);
    expect(await subjectOf(c)).toBe(one);
    const view = (await get(`/subjects/${one}`)).json<SubjectJson>();
    expect(view.referralsVisible.map((r) => r.id).sort()).toEqual([b, c].sort());
    expect(view.accounts.sort()).toEqual(['ExampleChat|u-301', 'ExampleChat|u-302']);
    const ids = (await get('/subjects')).json<{ items: Summary[] }>().items.map((s) => s.id);
    expect(ids.sort()).toEqual([sa, one].sort());

    const confirmed = await send('POST', `/subjects/${sa}/confirm`, { reason: 'checked by hand' });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json()).toEqual({ subject: sa });
    const after = (await get(`/subjects/${sa}`)).json<SubjectJson>();
    expect(after.confirmed).toBe(true);
    expect(after.decisions.map((d) => d.kind)).toEqual(['split', 'confirm']);
    expect((await send('POST', `/subjects/${sa}/confirm`, {})).statusCode).toBe(422);
  });

  it('loads a prior-records register and shows its hits on subjects; refuses a malformed one naming the row', async () => {
    const { t, file, get, send, subjectOf } = await setup();
    const a = await file(person('u-400', { person: { emails: [{ address: 'moon.walker@example.com' }] } }));
    await file(person('u-401'));
    const id = await subjectOf(a);
    const supervisor = await t.signIn('supervisor');
    const csv = (body: string, headers: Headers = supervisor.headers) =>
      t.http.inject({
        method: 'PUT',
        url: '/api/v1/registers/test-register',
        headers: { ...headers, 'content-type': 'text/csv' },
        payload: body,
      });

    expect((await get('/subjects?withPrior=true')).json()).toEqual({ items: [], next: null });
    const loaded = await csv(
      'reference,kind,value,service\nREF-1,email,Moon.Walker@example.com,\nREF-2,phone,+39 06 0000 0199,\n',
    );
    expect(loaded.statusCode, loaded.body).toBe(200);
    expect(loaded.json()).toEqual({ name: 'test-register', entries: 2, subjectsMatched: 1 });

    const prior = (await get('/subjects?withPrior=true')).json<{ items: Summary[] }>().items;
    expect(prior.map((s) => s.id)).toEqual([id]);
    const s = (await get(`/subjects/${id}`)).json<SubjectJson>();
    expect(s.prior).toMatchObject([{ register: 'test-register', reference: 'REF-1' }]);
    const registers = await get('/registers', supervisor.headers);
    expect(registers.json<{ items: { name: string; entries: number }[] }>().items).toMatchObject([
      { name: 'test-register', entries: 2 },
    ]);

    // A row of the wrong width and a value that is no e-mail: each named by its row, nothing replaced.
    const bad = await csv(
      'reference,kind,value,service\nREF-1,email,a@example.com,\nREF-2,email\nREF-3,email,nope,\n',
    );
    expect(bad.statusCode).toBe(422);
    expect(bad.json<ErrorJson>().error.problems.map((p) => p.path)).toEqual(['row 3', 'row 4/value']);
    const broken = await csv('reference,kind,value\nREF-1,email,"a@example.com\n');
    expect(broken.statusCode).toBe(400);
    expect(broken.json<ErrorJson>().error).toMatchObject({ code: 'malformed_input' });
    expect(broken.json<ErrorJson>().error.message).toContain('line 2');
    expect((await get(`/subjects/${id}`)).json<SubjectJson>().prior).toHaveLength(1);

    // The format is the body's media type; JSON registers load the same way.
    const asJson = await send(
      'PUT',
      '/registers/json-register',
      {
        format: 'conduit.register/1',
        entries: [{ reference: 'J-1', kind: 'service-user-id', value: 'u-401', service: 'ExampleChat' }],
      },
      supervisor.headers,
    );
    expect(asJson.statusCode, asJson.body).toBe(200);
    expect(asJson.json()).toMatchObject({ name: 'json-register', entries: 1 });
    const xml = await t.http.inject({
      method: 'PUT',
      url: '/api/v1/registers/test-register',
      headers: { ...supervisor.headers, 'content-type': 'application/xml' },
      payload: '<register/>',
    });
    expect(xml.statusCode).toBe(415);
    expect((await csv('reference,kind,value\n', (await t.signIn('analyst')).headers)).statusCode).toBe(403);
    expect(
      (
        await t.http.inject({
          method: 'PUT',
          url: '/api/v1/registers/Bad%20Name',
          headers: { ...supervisor.headers, 'content-type': 'text/csv' },
          payload: 'reference,kind,value\n',
        })
      ).json<ErrorJson>().error.problems[0]?.path,
    ).toBe('name');
  });

  it('traces a screen name to look-alikes in referrals in reach, and needs a name to trace', async () => {
    const { t, file, get } = await setup();
    const a = await file(person('u-500', { screenName: 'Dark_Knight_77' }));
    const b = await file(person('u-501', { screenName: 'DarkKn1ght77' }));
    await t.app.link.catchUp();
    const r = await get('/nicknames?q=Dark_Knight_77');
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json<{ query: string; suggestions: { name: string; reason: string; refs: string[] }[] }>();
    expect(body.query).toBe('Dark_Knight_77');
    // The name itself first (with its own referrals), then its look-alikes.
    expect(body.suggestions).toMatchObject([
      { name: 'Dark_Knight_77', refs: [a] },
      { name: 'DarkKn1ght77', reason: 'same-letters', refs: [b] },
    ]);
    const missing = await get('/nicknames');
    expect(missing.statusCode).toBe(400);
    expect(missing.json<ErrorJson>().error.problems[0]?.path).toBe('q');
    expect((await get('/nicknames?q=x&limit=101')).statusCode).toBe(400);
    // Out of reach: nothing found.
    await t.org('nc-y', 'national-centre', 'hub');
    const outsider = await t.signIn('analyst', 'nc-y');
    expect((await get('/nicknames?q=Dark_Knight_77', outsider.headers)).json()).toEqual({
      query: 'Dark_Knight_77',
      suggestions: [],
    });
  });

  it('lists a group shared by two accounts as one community of two subjects', async () => {
    const { file, get } = await setup();
    await file(person('u-600', { groupIdentifier: 'grp-9001' }));
    await file(person('u-601', { groupIdentifier: 'grp-9001' }));
    await file(person('u-602', { groupIdentifier: 'grp-lonely' }));
    const r = await get('/communities');
    expect(r.statusCode).toBe(200);
    const items = r.json<{ items: { id: string; group: string; subjects: number }[] }>().items;
    expect(items).toMatchObject([{ group: 'grp-9001', service: 'ExampleChat', subjects: 2 }]);
    const id = items[0]?.id ?? '';
    const one = await get(`/communities/${id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json<{ id: string; members: unknown[] }>()).toMatchObject({ id, subjects: 2 });
    expect(one.json<{ members: unknown[] }>().members).toHaveLength(2);
    const ghost = await get(`/communities/${Buffer.from('ExampleChat|grp-none').toString('base64url')}`);
    expect(ghost.statusCode).toBe(404);
    expect((await get('/communities/not%20an%20id')).statusCode).toBe(400);
  });

  it('tells the holder and the newcomer of a subject about each other, each with only their own referral', async () => {
    const { t, file, get, subjectOf } = await setup();
    await t.org('nc-z', 'national-centre', 'hub');
    const held = await file(person('u-700'));
    await t.app.link.catchUp();
    const moved = await t.app.triage.reassign(held, 'nc-z', 'their case', OPERATOR);
    expect(moved.ok).toBe(true);
    expect((await t.app.triage.accept(held, OPERATOR)).ok).toBe(true);
    const fresh = await file(person('u-700'));
    const id = await subjectOf(fresh);

    const hub = await get('/deconfliction');
    expect(hub.statusCode).toBe(200);
    expect(hub.json<{ items: unknown[] }>().items).toMatchObject([
      { side: 'newcomer', subject: id, otherOrganisation: 'nc-z', referral: fresh },
    ]);
    const holder = await t.signIn('analyst', 'nc-z');
    const theirs = await get('/deconfliction', holder.headers);
    expect(theirs.json<{ items: unknown[] }>().items).toMatchObject([
      { side: 'holder', subject: id, otherOrganisation: 'hub', referral: null },
    ]);
    expect(theirs.body).not.toContain(fresh);
  });
});
