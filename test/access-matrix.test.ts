import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
/**
 * The access matrix: every route of the server's own route table × every role, API key scope and anonymous
 * caller × an object of the caller's own organisation and one of another's. The expected status comes from
 * the route's declared access, the role/scope → permission tables and the need-to-know rule of
 * src/referrals/referrals.service.ts; every answer is also checked for leaks. A route added without a
 * request template here fails the matrix, so nothing escapes it.
 */
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  can,
  ROLES,
  type ApiKeyId,
  type Permission,
  type Principal,
  type Role,
  type Scope,
  type UserId,
} from '../src/domain/access.ts';
import type { OrganisationId } from '../src/domain/ids.ts';
import type { RouteAccess, RouteEntry } from '../src/http/auth.ts';
import { DIALECTS, type TestDialect } from './support/databases.ts';
import { canonicalReferral, canonicalSubmission } from './support/fixtures.ts';
import { loadDefaultRoutingRules } from '../src/rules/routing-rules.ts';
import { communityId } from '../src/linking/subjects.service.ts';
import { OPERATOR, startTestServer, TEST_PASSWORD, type Headers, type TestServer } from './support/server.ts';

/** The route table of a real server, read once: what the matrix must cover. */
const ROUTES: readonly RouteEntry[] = await (async () => {
  const t = await startTestServer('sqlite');
  try {
    return t.routes;
  } finally {
    await t.close();
  }
})();
/** The OpenAPI viewer's files: public documentation, outside the matrix. */
const isDocs = (r: RouteEntry) => r.url === '/api/docs' || r.url.startsWith('/api/docs/');
const keyOf = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

// ---------------------------------------------------------------------------------------------------------
// The world: a receiving hub with two national centres below it, and a second, separate top-level hub.
// Principals sit at a national centre (their sibling's objects are "another organisation's") and at the
// hub (the other top-level hub's objects are another's). Referrals all go to the receiving hub today.

const TREE = { hub: null, 'hub-2': null, 'nc-a': 'hub', 'nc-b': 'hub' } as const;
type Org = keyof typeof TREE;
const ORGS = Object.keys(TREE) as Org[];
const RECEIVING: Org = 'hub';
const SEATS: readonly { readonly own: Org; readonly other: Org }[] = [
  { own: 'nc-a', other: 'nc-b' },
  { own: 'hub', other: 'hub-2' },
];

/** Whether `org` is `root` or below it: the subtree every need-to-know check is made of. */
function within(org: Org, root: Org): boolean {
  for (let o: Org | null = org; o !== null; o = TREE[o]) if (o === root) return true;
  return false;
}

type Who =
  | { readonly kind: 'none' }
  /** A well-formed API key nobody issued. */
  | { readonly kind: 'bogus' }
  | { readonly kind: 'person'; readonly role: Role }
  | { readonly kind: 'client'; readonly scope: Scope };
const WHO: readonly Who[] = [
  { kind: 'none' },
  { kind: 'bogus' },
  ...ROLES.map((role) => ({ kind: 'person' as const, role })),
  { kind: 'client', scope: 'submit' },
  { kind: 'client', scope: 'read' },
];
const nameOf = (w: Who) =>
  w.kind === 'person' ? w.role : w.kind === 'client' ? `apikey:${w.scope}` : w.kind;

/** The principal the permission tables are asked about (ids do not matter to them). */
function principalOf(w: Who): Principal | undefined {
  switch (w.kind) {
    case 'none':
    case 'bogus':
      return undefined;
    case 'person':
      return {
        kind: 'user',
        id: 'u' as UserId,
        email: 'm@example.org',
        orgId: 'o' as OrganisationId,
        role: w.role,
        sessionId: 's',
      };
    case 'client':
      return { kind: 'client', id: 'k' as ApiKeyId, orgId: 'o' as OrganisationId, scopes: [w.scope] };
  }
}
const permits = (w: Who, permission: Permission) => {
  const p = principalOf(w);
  return p !== undefined && can(p, permission);
};

/** How much of a referral a principal sees (the rule of referrals.service.ts): whole, its status, nothing. */
function referralAccess(w: Who, org: Org, r: { source: Org; recipient: Org }): 'full' | 'status' | 'none' {
  if (permits(w, 'referral.read') && within(r.recipient, org)) return 'full';
  if (permits(w, 'referral.status') && r.source === org) return 'status';
  return 'none';
}

interface OrgObjects {
  /** A person of the organisation, to sign in as; their sign-in is an audit event of the organisation. */
  readonly login: string;
  /** A read key of the organisation. */
  readonly key: { readonly id: string; readonly name: string };
  /** A referral the organisation filed (routed to the receiving hub). */
  readonly referral: { readonly id: string; readonly sourceRef: string; readonly content: string };
}

interface World {
  readonly t: TestServer;
  readonly objects: Readonly<Record<Org, OrgObjects>>;
  /** The standing credentials of each seat: `${org} ${who}` → headers. */
  readonly credentials: ReadonlyMap<string, Headers>;
  /** New credentials like these, for requests that use up or change their principal. */
  fresh(org: Org, who: Who): Promise<Headers>;
  unique(prefix: string): string;
}

async function buildWorld(dialect: TestDialect): Promise<World> {
  const t = await startTestServer(dialect);
  expect(t.app.receiving.slug).toBe(RECEIVING);
  for (const org of ORGS)
    if (org !== RECEIVING)
      await t.org(org, TREE[org] === null ? 'hub' : 'national-centre', TREE[org] ?? undefined);
  let n = 0;
  const unique = (prefix: string) => `${prefix}-${++n}-${Math.random().toString(36).slice(2, 8)}`;

  async function person(org: Org, role: Role): Promise<{ email: string; headers: Headers }> {
    const email = `${unique(role)}@${org}.example.org`;
    const added = await t.app.access.addUser({ org, email, role, password: TEST_PASSWORD }, OPERATOR);
    if (!added.ok) throw new Error(JSON.stringify(added.problems));
    const s = await t.app.access.signIn({ email, password: TEST_PASSWORD }, null);
    if (!s.ok) throw new Error(JSON.stringify(s.problems));
    return { email, headers: { cookie: `conduit_session=${s.token}`, 'x-csrf-token': s.csrfToken } };
  }
  async function fresh(org: Org, who: Who): Promise<Headers> {
    switch (who.kind) {
      case 'none':
        return {};
      case 'bogus':
        return { authorization: `Bearer cdk_0190a3c2-0000-7000-8000-000000000000_${'A'.repeat(43)}` };
      case 'person':
        return (await person(org, who.role)).headers;
      case 'client':
        return (await t.apiKey(org, [who.scope])).headers;
    }
  }

  const credentials = new Map<string, Headers>();
  for (const { own } of SEATS)
    for (const who of WHO) credentials.set(`${own} ${nameOf(who)}`, await fresh(own, who));

  const objects = {} as Record<Org, OrgObjects>;
  for (const org of ORGS) {
    const login = (await person(org, 'analyst')).email;
    const name = unique(`key-of-${org}`);
    const key = await t.app.access.createApiKey({ org, scopes: ['read'], name }, OPERATOR);
    if (!key.ok) throw new Error(JSON.stringify(key.problems));
    const sourceRef = unique(`ref-of-${org}`);
    const content = unique(`content-of-${org}`);
    const filed = await t.http.inject({
      method: 'POST',
      url: '/api/v1/referrals',
      headers: (await t.apiKey(org, ['submit'])).headers,
      payload: canonicalReferral(sourceRef, { additionalInfo: content }),
    });
    if (filed.statusCode !== 201) throw new Error(`filing for ${org}: ${filed.statusCode} ${filed.body}`);
    objects[org] = {
      login,
      key: { id: key.value.apiKey.id, name },
      referral: { id: filed.json<{ id: string }>().id, sourceRef, content },
    };
  }
  return { t, objects, credentials, fresh, unique };
}

// ---------------------------------------------------------------------------------------------------------
// One request template per route: the request a caller makes about an object of `target` (their own
// organisation's, or another's), and what the need-to-know rule says of it.

interface Case {
  readonly world: World;
  readonly who: Who;
  readonly own: Org;
  readonly target: Org;
  readonly headers: Headers;
  /** Whether the route's declared access lets this caller through (the permission tables). */
  readonly passes: boolean;
}

interface Request {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly payload?: object;
  readonly headers?: Headers;
}

interface Plan {
  readonly request: Request;
  /** The answer when the caller may act on the object. */
  readonly ok: number;
  /** Whether the object is within the caller's window; when not, `hidden` is answered. */
  readonly visible?: boolean;
  readonly hidden?: number;
  /** What identifies the object: shown when it is visible, never when it is not (echoes of the request aside). */
  readonly marks?: readonly string[];
  /** What must never be shown to this caller (a referral's content, to its source). */
  readonly never?: readonly string[];
  /**
   * The same request about an object that does not exist, and the string standing for the object in it:
   * an object out of the caller's window must be answered exactly as an absent one.
   */
  readonly absent?: { readonly request: Request; readonly stands: readonly [string, string] };
  /** After a refusal, nothing changed: undefined, or what did. */
  readonly unchanged?: () => Promise<string | undefined>;
  /** A further check of the answer: undefined, or what is wrong. */
  readonly check?: (status: number, body: string) => string | undefined;
}

interface Template {
  /** The access the route must declare (a change to it is a reviewed change to this table too). */
  readonly access: RouteAccess;
  plan(c: Case): Promise<Plan>;
}

/** A benign 34×42 test photo from Meta's PDQ reference data. */
const WEE_JPEG = new URL('../../shared/reference/pdq/data/misc-images/wee.jpg', import.meta.url);
const GHOST_ID = '0190a3c2-0000-7000-8000-00000000dead';
const GHOST_ORG = 'no-such-organisation';

/** A referral of the target's, filed for this case alone (triage actions change it). Routed to the hub. */
async function freshReferral(c: Case): Promise<string> {
  const source = await c.world.t.app.organisations.bySlug(c.target);
  if (!source) throw new Error(c.target);
  const [r] = await c.world.t.app.intake.submit(
    source,
    [canonicalSubmission(canonicalReferral(c.world.unique('triage')))],
    OPERATOR,
  );
  if (r?.kind !== 'accepted') throw new Error(JSON.stringify(r));
  return r.id;
}
/** Triage acts on referrals routed within the caller's organisation: here, the receiving hub's. */
const triageable = (c: Case) => permits(c.who, 'referral.triage') && within(RECEIVING, c.own);
async function triageChanged(c: Case, id: string): Promise<string | undefined> {
  const row = await c.world.t.app.database.db
    .selectFrom('referrals')
    .select(['triage', 'overrides', 'recipient_org_id'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const hub = await c.world.t.app.organisations.bySlug(RECEIVING);
  return row.triage !== 'pending' || row.overrides !== null || row.recipient_org_id !== hub?.id
    ? `its triage changed: ${JSON.stringify(row)}`
    : undefined;
}

/**
 * What a rules write changes, for `unchanged`: the rule set row it would have added (by its file's version
 * label, or by name, retired or not). Rules decide for the whole instance, so only the receiving
 * organisation's people may write them (`visible`).
 */
function rulesWrite(c: Case, row: { label?: string; name?: string; retired?: boolean }, what: string) {
  return {
    visible: c.own === RECEIVING,
    hidden: 403,
    unchanged: async () => {
      let q = c.world.t.app.database.db.selectFrom('rule_sets').select('id');
      if (row.label !== undefined) q = q.where('label', '=', row.label);
      if (row.name !== undefined) q = q.where('name', '=', row.name);
      if (row.retired) q = q.where('document', 'is', null);
      return (await q.executeTakeFirst()) ? what : undefined;
    },
  };
}

/** A triage action on a fresh referral of the target's: allowed only where that referral was routed within reach. */
function triageTemplate(action: string, payload?: object): Template {
  return {
    access: 'referral.triage',
    plan: async (c) => {
      const id = await freshReferral(c);
      const request = (of: string): Request => ({
        method: 'POST',
        url: `/api/v1/referrals/${of}/${action}`,
        ...(payload && { payload }),
      });
      return {
        request: request(id),
        ok: 200,
        visible: triageable(c),
        hidden: 404,
        absent: { request: request(GHOST_ID), stands: [id, GHOST_ID] },
        unchanged: () => triageChanged(c, id),
      };
    },
  };
}

// Subjects are seen through their referrals: a subject is within a caller's window when its referrals were
// received within the caller's organisation. Each is made of fresh accounts, so nothing else links to it.

const SERVICE = 'MatrixChat';
/** A subject id no referral has founded. */
const GHOST_SUBJECT = `${GHOST_ID}.0`;
/** Lower-case letters only: screen names and groups that look like no other case's. */
const letters = (n: number) =>
  Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
const reported = (user: string, extra: Record<string, unknown> = {}) => ({
  espIdentifier: user,
  espService: SERVICE,
  ...extra,
});

/** A referral filed by `source` about these persons, received by `recipient` (reassigned there from the hub). */
async function fileAt(
  world: World,
  source: Org,
  recipient: Org,
  persons: readonly Record<string, unknown>[],
): Promise<string> {
  const org = await world.t.app.organisations.bySlug(source);
  if (!org) throw new Error(source);
  const doc = canonicalReferral(world.unique('subject'), { reportedPersons: persons });
  const [r] = await world.t.app.intake.submit(org, [canonicalSubmission(doc)], OPERATOR);
  if (r?.kind !== 'accepted') throw new Error(JSON.stringify(r));
  if (recipient !== RECEIVING) {
    const moved = await world.t.app.triage.reassign(r.id, recipient, 'matrix', OPERATOR);
    if (!moved.ok) throw new Error(JSON.stringify(moved.problems));
  }
  return r.id;
}

/** The subject a referral's first reported person was linked into. */
async function subjectOf(world: World, referral: string): Promise<string> {
  const r = await world.t.app.subjects.referralLinks(referral, OPERATOR);
  const id = r.ok ? r.value.mentions[0]?.subject?.id : undefined;
  if (id === undefined) throw new Error(`${referral} is in no subject: ${JSON.stringify(r)}`);
  return id;
}

/** A fresh subject of the target's: one account, one referral received by the target. */
async function freshSubject(c: Case): Promise<{ subject: string; account: string }> {
  const user = c.world.unique('acct');
  const referral = await fileAt(c.world, c.target, c.target, [reported(user)]);
  return { subject: await subjectOf(c.world, referral), account: `${SERVICE}|${user}` };
}

/** Whether an analysts' decision about this subject (or naming this account) was recorded. */
async function decided(c: Case, q: { subject?: string; account?: string }): Promise<string | undefined> {
  let query = c.world.t.app.database.db.selectFrom('link_decisions').select(['id', 'kind']);
  if (q.subject !== undefined) query = query.where('subject_id', '=', q.subject);
  if (q.account !== undefined) query = query.where('accounts', 'like', `%${q.account}%`);
  const row = await query.executeTakeFirst();
  return row ? `a ${row.kind} decision was recorded` : undefined;
}

interface Linked {
  /** A subject of one account in two referrals, and the referrals. */
  readonly subject: string;
  readonly referrals: readonly [string, string];
  /** The screen name of the first referral; the second's is a look-alike (same letters). */
  readonly nickname: string;
  /** A community: two more accounts sharing one group. */
  readonly community: string;
}
const linkedOf = new WeakMap<World, Map<Org, Promise<Linked>>>();

/** What the subject reads look at, made once per world and organisation, received by that organisation. */
function linked(c: Case): Promise<Linked> {
  const perOrg = linkedOf.get(c.world) ?? new Map<Org, Promise<Linked>>();
  linkedOf.set(c.world, perOrg);
  const had = perOrg.get(c.target);
  if (had) return had;
  const made = (async (): Promise<Linked> => {
    const { world, target } = c;
    const user = world.unique('linked');
    const [w, v] = [letters(6), letters(6)];
    const a = await fileAt(world, target, target, [reported(user, { screenName: `${w}_${v}` })]);
    const b = await fileAt(world, target, target, [reported(user, { screenName: `${w}${v}` })]);
    const group = letters(12);
    for (const member of ['one', 'two'])
      await fileAt(world, target, target, [reported(world.unique(member), { groupIdentifier: group })]);
    return {
      subject: await subjectOf(world, a),
      referrals: [a, b],
      nickname: `${w}_${v}`,
      community: communityId(SERVICE, group),
    };
  })();
  perOrg.set(c.target, made);
  return made;
}

/** A read of the target's subject: within the caller's window when its referrals are within their organisation. */
function subjectRead(url: (subject: string) => string): Template {
  return {
    access: 'subject.read',
    plan: async (c) => {
      const l = await linked(c);
      return {
        request: { method: 'GET', url: url(l.subject) },
        ok: 200,
        visible: within(c.target, c.own),
        hidden: 404,
        marks: [l.subject, ...l.referrals],
        absent: { request: { method: 'GET', url: url(GHOST_SUBJECT) }, stands: [l.subject, GHOST_SUBJECT] },
      };
    },
  };
}

/** A fresh subject of the target's with two accounts: the first names the second as its own. */
async function twoAccounts(c: Case): Promise<{ subject: string; second: string }> {
  const [one, two] = [c.world.unique('split-a'), c.world.unique('split-b')];
  const first = await fileAt(c.world, c.target, c.target, [
    reported(one, { associatedAccounts: [{ type: 'alternate', ...reported(two) }] }),
  ]);
  await fileAt(c.world, c.target, c.target, [reported(two)]);
  return { subject: await subjectOf(c.world, first), second: `${SERVICE}|${two}` };
}

/** An analysts' decision about a fresh subject of the target's: only where its referrals are within reach. */
function subjectDecision(action: 'split' | 'confirm'): Template {
  return {
    access: 'subject.decide',
    plan: async (c) => {
      const made =
        action === 'split'
          ? await twoAccounts(c)
          : { subject: (await freshSubject(c)).subject, second: undefined };
      const request = (subject: string): Request => ({
        method: 'POST',
        url: `/api/v1/subjects/${subject}/${action}`,
        payload: { ...(made.second !== undefined && { accounts: [made.second] }), reason: 'matrix' },
      });
      return {
        request: request(made.subject),
        ok: 200,
        visible: within(c.target, c.own),
        hidden: 404,
        absent: { request: request(GHOST_SUBJECT), stands: [made.subject, GHOST_SUBJECT] },
        unchanged: () => decided(c, { subject: made.subject }),
      };
    },
  };
}

/** Deconfliction fixtures, once per world and organisation: a subject held by one organisation, newly reported to the hub. */
interface Notice {
  readonly holder: Org;
  readonly subject: string;
  /** The referral that linked, received by the hub. */
  readonly newcomer: string;
}
const noticesOf = new WeakMap<World, Map<Org, Promise<Notice>>>();
function notice(c: Case): Promise<Notice> {
  const perOrg = noticesOf.get(c.world) ?? new Map<Org, Promise<Notice>>();
  noticesOf.set(c.world, perOrg);
  const had = perOrg.get(c.target);
  if (had) return had;
  const made = (async (): Promise<Notice> => {
    const { world, target } = c;
    // The hub is always the newcomer (referrals arrive there); the holder is the target, or below the hub.
    const holder: Org = target === RECEIVING ? 'nc-a' : target;
    const user = world.unique('held');
    const held = await fileAt(world, target, holder, [reported(user)]);
    const accepted = await world.t.app.triage.accept(held, OPERATOR);
    if (!accepted.ok) throw new Error(JSON.stringify(accepted.problems));
    await world.t.app.link.catchUp();
    const newcomer = await fileAt(world, target, RECEIVING, [reported(user)]);
    await world.t.app.link.catchUp();
    return { holder, subject: await subjectOf(world, newcomer), newcomer };
  })();
  perOrg.set(c.target, made);
  return made;
}

const TEMPLATES: Readonly<Record<string, Template>> = {
  'GET /': {
    access: 'public',
    plan: () => Promise.resolve({ request: { method: 'GET', url: '/' }, ok: 200 }),
  },
  // The web application's hashed files: public, like the page that loads them (a missing one is a 404).
  'GET /assets/*': {
    access: 'public',
    plan: () => Promise.resolve({ request: { method: 'GET', url: '/assets/no-such-file.js' }, ok: 404 }),
  },
  'GET /api/v1/schemas/referral': {
    access: 'public',
    plan: () => Promise.resolve({ request: { method: 'GET', url: '/api/v1/schemas/referral' }, ok: 200 }),
  },

  'POST /api/v1/session': {
    access: 'public',
    plan: (c) =>
      Promise.resolve({
        request: {
          method: 'POST',
          url: '/api/v1/session',
          payload: { email: c.world.objects[c.target].login, password: TEST_PASSWORD },
        },
        ok: 201,
      }),
  },
  'GET /api/v1/session': {
    access: 'signed-in',
    plan: () => Promise.resolve({ request: { method: 'GET', url: '/api/v1/session' }, ok: 200 }),
  },
  'DELETE /api/v1/session': {
    access: 'signed-in',
    // Signing out ends the caller's session: a session of its own, so the standing one survives.
    plan: async (c) => ({
      request: {
        method: 'DELETE',
        url: '/api/v1/session',
        ...(c.passes && { headers: await c.world.fresh(c.own, c.who) }),
      },
      ok: 204,
    }),
  },
  'POST /api/v1/session/totp': {
    access: 'person',
    plan: async (c) => ({
      request: {
        method: 'POST',
        url: '/api/v1/session/totp',
        ...(c.passes && { headers: await c.world.fresh(c.own, c.who) }),
      },
      ok: 200,
    }),
  },
  'POST /api/v1/session/totp/confirm': {
    access: 'person',
    plan: async (c) => {
      if (!c.passes)
        return {
          request: { method: 'POST', url: '/api/v1/session/totp/confirm', payload: { code: '123456' } },
          ok: 200,
        };
      const headers = await c.world.fresh(c.own, c.who);
      const enrol = await c.world.t.http.inject({ method: 'POST', url: '/api/v1/session/totp', headers });
      const { secret } = enrol.json<{ secret: string }>();
      const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate();
      return {
        request: { method: 'POST', url: '/api/v1/session/totp/confirm', headers, payload: { code } },
        ok: 200,
      };
    },
  },

  'POST /api/v1/referrals': {
    access: 'referral.submit',
    plan: (c) => {
      const sourceRef = c.world.unique('matrix');
      const own = c.target === c.own;
      return Promise.resolve({
        request: {
          method: 'POST',
          url: `/api/v1/referrals${own ? '' : `?source=${c.target}`}`,
          payload: canonicalReferral(sourceRef),
        },
        ok: 201,
        // A machine client files as its own organisation; a person also on behalf of a reporting
        // organisation or one below their own — never as a sibling or another branch (the targets here).
        visible: own,
        hidden: 403,
        unchanged: async () =>
          (await c.world.t.app.database.db
            .selectFrom('referrals')
            .select('id')
            .where('source_ref', '=', sourceRef)
            .executeTakeFirst())
            ? `referral ${sourceRef} was stored`
            : undefined,
      });
    },
  },
  'GET /api/v1/referrals': {
    access: 'referral.status',
    plan: (c) => {
      const r = c.world.objects[c.target].referral;
      const access = referralAccess(c.who, c.own, { source: c.target, recipient: RECEIVING });
      return Promise.resolve({
        request: { method: 'GET', url: '/api/v1/referrals?limit=500' },
        ok: 200,
        visible: access !== 'none',
        hidden: 200,
        marks: [r.id, r.sourceRef],
        never: [r.content],
      });
    },
  },
  'GET /api/v1/referrals/:id': {
    access: 'referral.status',
    plan: (c) => {
      const r = c.world.objects[c.target].referral;
      const access = referralAccess(c.who, c.own, { source: c.target, recipient: RECEIVING });
      return Promise.resolve({
        request: { method: 'GET', url: `/api/v1/referrals/${r.id}` },
        ok: 200,
        visible: access !== 'none',
        hidden: 404,
        marks: access === 'full' ? [r.id, r.sourceRef, r.content] : [r.id, r.sourceRef],
        ...(access !== 'full' && { never: [r.content] }),
        absent: {
          request: { method: 'GET', url: `/api/v1/referrals/${GHOST_ID}` },
          stands: [r.id, GHOST_ID],
        },
        check: (status, body) =>
          status === 200 && access === 'status' && !body.includes('"access":"status"')
            ? 'its source got more than the status'
            : undefined,
      });
    },
  },

  'GET /api/v1/referrals/:id/raw': {
    access: 'referral.read',
    plan: (c) => {
      const r = c.world.objects[c.target].referral;
      const access = referralAccess(c.who, c.own, { source: c.target, recipient: RECEIVING });
      return Promise.resolve({
        request: { method: 'GET', url: `/api/v1/referrals/${r.id}/raw` },
        ok: 200,
        // The submitted document is content: only for whoever may read the referral whole.
        visible: access === 'full',
        hidden: 404,
        marks: [r.sourceRef, r.content],
        ...(access !== 'full' && { never: [r.content] }),
        absent: {
          request: { method: 'GET', url: `/api/v1/referrals/${GHOST_ID}/raw` },
          stands: [r.id, GHOST_ID],
        },
      });
    },
  },
  'GET /api/v1/dashboard': {
    access: 'referral.read',
    // Counts over the caller's own reach (web-api.routes.test.ts checks what is counted).
    plan: () => Promise.resolve({ request: { method: 'GET', url: '/api/v1/dashboard' }, ok: 200 }),
  },

  'GET /api/v1/organisations': {
    access: 'organisation.read',
    // The tree is not secret within an instance: everyone with the permission sees all of it.
    plan: (c) =>
      Promise.resolve({
        request: { method: 'GET', url: '/api/v1/organisations' },
        ok: 200,
        marks: [`"slug":"${c.target}"`],
      }),
  },
  'POST /api/v1/organisations': {
    access: 'organisation.write',
    plan: (c) => {
      const slug = c.world.unique('org');
      const body = (parent: string) => ({ slug, kind: 'unit', parent });
      return Promise.resolve({
        request: { method: 'POST', url: '/api/v1/organisations', payload: body(c.target) },
        ok: 201,
        visible: within(c.target, c.own),
        hidden: 422,
        absent: {
          request: { method: 'POST', url: '/api/v1/organisations', payload: body(GHOST_ORG) },
          stands: [c.target, GHOST_ORG],
        },
        unchanged: async () =>
          (await c.world.t.app.organisations.bySlug(slug)) ? `organisation ${slug} was added` : undefined,
      });
    },
  },

  'GET /api/v1/users': {
    access: 'user.read',
    plan: (c) =>
      Promise.resolve({
        request: { method: 'GET', url: '/api/v1/users' },
        ok: 200,
        visible: within(c.target, c.own),
        hidden: 200,
        marks: [c.world.objects[c.target].login],
      }),
  },
  'POST /api/v1/users': {
    access: 'user.write',
    plan: (c) => {
      const email = `${c.world.unique('new')}@${c.target}.example.org`;
      const body = (org: string) => ({ org, email, role: 'analyst', password: TEST_PASSWORD });
      return Promise.resolve({
        request: { method: 'POST', url: '/api/v1/users', payload: body(c.target) },
        ok: 201,
        visible: within(c.target, c.own),
        hidden: 422,
        absent: {
          request: { method: 'POST', url: '/api/v1/users', payload: body(GHOST_ORG) },
          stands: [c.target, GHOST_ORG],
        },
        unchanged: async () =>
          (await c.world.t.app.access.listUsers(OPERATOR)).some((u) => u.email === email)
            ? `${email} was added`
            : undefined,
      });
    },
  },
  'POST /api/v1/users/:email/disable': {
    access: 'user.write',
    plan: async (c) => {
      // A person of the target organisation to disable: a new one whenever the request may get through.
      const email = `${c.world.unique('victim')}@${c.target}.example.org`;
      const added = await c.world.t.app.access.addUser(
        { org: c.target, email, role: 'investigator', password: TEST_PASSWORD },
        OPERATOR,
      );
      if (!added.ok) throw new Error(JSON.stringify(added.problems));
      const ghost = `ghost@${GHOST_ORG}.example.org`;
      return {
        request: { method: 'POST', url: `/api/v1/users/${encodeURIComponent(email)}/disable` },
        ok: 200,
        visible: within(c.target, c.own),
        hidden: 404,
        marks: [added.value.id],
        absent: {
          request: { method: 'POST', url: `/api/v1/users/${encodeURIComponent(ghost)}/disable` },
          stands: [email, ghost],
        },
        unchanged: async () =>
          (await c.world.t.app.access.listUsers(OPERATOR)).find((u) => u.email === email)?.disabled
            ? `${email} was disabled`
            : undefined,
      };
    },
  },

  'GET /api/v1/apikeys': {
    access: 'apikey.read',
    plan: (c) => {
      const { id, name } = c.world.objects[c.target].key;
      return Promise.resolve({
        request: { method: 'GET', url: '/api/v1/apikeys' },
        ok: 200,
        visible: within(c.target, c.own),
        hidden: 200,
        marks: [id, name],
        // Secrets are shown once, at creation; never listed.
        check: (_s, body) => (/secret|"key"|cdk_/.test(body) ? 'the list shows a secret' : undefined),
      });
    },
  },
  'POST /api/v1/apikeys': {
    access: 'apikey.write',
    plan: (c) => {
      const name = c.world.unique('new-key');
      const body = (org: string) => ({ org, scopes: ['submit'], name });
      return Promise.resolve({
        request: { method: 'POST', url: '/api/v1/apikeys', payload: body(c.target) },
        ok: 201,
        visible: within(c.target, c.own),
        hidden: 422,
        absent: {
          request: { method: 'POST', url: '/api/v1/apikeys', payload: body(GHOST_ORG) },
          stands: [c.target, GHOST_ORG],
        },
        unchanged: async () =>
          (await c.world.t.app.access.listApiKeys(OPERATOR)).some((k) => k.name === name)
            ? `key ${name} was created`
            : undefined,
      });
    },
  },
  'DELETE /api/v1/apikeys/:id': {
    access: 'apikey.write',
    plan: async (c) => {
      const name = c.world.unique('victim-key');
      const key = await c.world.t.app.access.createApiKey(
        { org: c.target, scopes: ['read'], name },
        OPERATOR,
      );
      if (!key.ok) throw new Error(JSON.stringify(key.problems));
      const id = key.value.apiKey.id;
      return {
        request: { method: 'DELETE', url: `/api/v1/apikeys/${id}` },
        ok: 200,
        visible: within(c.target, c.own),
        hidden: 404,
        marks: [name],
        absent: { request: { method: 'DELETE', url: `/api/v1/apikeys/${GHOST_ID}` }, stands: [id, GHOST_ID] },
        unchanged: async () =>
          (await c.world.t.app.access.apiKey(key.value.key)) ? undefined : `key ${id} was revoked`,
      };
    },
  },

  // Hash lists are the instance's, not an organisation's: the permission alone decides.
  'GET /api/v1/hashlists': {
    access: 'hashlist.read',
    plan: () => Promise.resolve({ request: { method: 'GET', url: '/api/v1/hashlists' }, ok: 200 }),
  },
  'POST /api/v1/hashlists': {
    access: 'hashlist.write',
    plan: (c) => {
      const name = c.world.unique('list');
      return Promise.resolve({
        request: {
          method: 'POST',
          url: `/api/v1/hashlists?name=${name}&format=csv`,
          headers: { 'content-type': 'text/csv' },
          payload: Buffer.from(`hash_type,hash,category,scheme\nmd5,${'a1'.repeat(16)},1,vics-us\n`),
        },
        ok: 201,
        unchanged: async () =>
          (await c.world.t.app.database.db
            .selectFrom('hash_lists')
            .select('id')
            .where('name', '=', name)
            .executeTakeFirst())
            ? `list ${name} was imported`
            : undefined,
      });
    },
  },
  'DELETE /api/v1/hashlists/:name': {
    access: 'hashlist.write',
    plan: async (c) => {
      const name = c.world.unique('doomed');
      const r = await c.world.t.app.hashlists.import(
        Readable.from([`hash_type,hash,category,scheme\nmd5,${'b2'.repeat(16)},1,vics-us\n`]),
        { name, format: 'csv' },
        OPERATOR,
      );
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      return {
        request: { method: 'DELETE', url: `/api/v1/hashlists/${name}` },
        ok: 200,
        unchanged: async () =>
          (await c.world.t.app.database.db
            .selectFrom('hash_lists')
            .select('id')
            .where('name', '=', name)
            .executeTakeFirst())
            ? undefined
            : `list ${name} was removed`,
      };
    },
  },
  'POST /api/v1/hash': {
    access: 'hashlist.read',
    plan: () =>
      Promise.resolve({
        request: {
          method: 'POST',
          url: '/api/v1/hash',
          headers: { 'content-type': 'image/jpeg' },
          payload: readFileSync(WEE_JPEG),
        },
        ok: 200,
      }),
  },
  'POST /api/v1/match': {
    access: 'hashlist.read',
    plan: () =>
      Promise.resolve({
        request: { method: 'POST', url: '/api/v1/match', payload: { files: [{ md5: 'c3'.repeat(16) }] } },
        ok: 200,
      }),
  },

  'GET /api/v1/queue': {
    access: 'referral.read',
    // A queue is its organisation's: readable from the organisation itself and from above it.
    plan: (c) =>
      Promise.resolve({
        request: { method: 'GET', url: `/api/v1/queue?org=${c.target}` },
        ok: 200,
        visible: within(c.target, c.own),
        hidden: 422,
        absent: {
          request: { method: 'GET', url: `/api/v1/queue?org=${GHOST_ORG}` },
          stands: [c.target, GHOST_ORG],
        },
      }),
  },
  'GET /api/v1/queue/arrivals': {
    access: 'referral.read',
    plan: (c) =>
      Promise.resolve({
        request: { method: 'GET', url: `/api/v1/queue/arrivals?org=${c.target}&since=2000-01-01T00:00:00Z` },
        ok: 200,
        visible: within(c.target, c.own),
        hidden: 422,
        absent: {
          request: {
            method: 'GET',
            url: `/api/v1/queue/arrivals?org=${GHOST_ORG}&since=2000-01-01T00:00:00Z`,
          },
          stands: [c.target, GHOST_ORG],
        },
      }),
  },
  'POST /api/v1/referrals/:id/accept': triageTemplate('accept'),
  'POST /api/v1/referrals/:id/reassign': triageTemplate('reassign', { to: 'nc-a', reason: 'matrix' }),
  'POST /api/v1/referrals/:id/priority': triageTemplate('priority', { level: 'E', reason: 'matrix' }),
  'POST /api/v1/routing/rerun': {
    access: 'referral.triage',
    // Within the caller's reach only: nothing of another organisation's is touched or counted.
    plan: () =>
      Promise.resolve({ request: { method: 'POST', url: '/api/v1/routing/rerun', payload: {} }, ok: 200 }),
  },
  'GET /api/v1/rules/:kind': {
    access: 'rules.read',
    plan: () => Promise.resolve({ request: { method: 'GET', url: '/api/v1/rules/routing' }, ok: 200 }),
  },
  'POST /api/v1/rules/:kind/validate': {
    access: 'rules.read',
    plan: () =>
      Promise.resolve({
        request: {
          method: 'POST',
          url: '/api/v1/rules/routing/validate',
          payload: loadDefaultRoutingRules(),
        },
        ok: 200,
      }),
  },
  'PUT /api/v1/rules/:kind': {
    access: 'rules.write',
    plan: (c) => {
      const version = c.world.unique('matrix-rules');
      return Promise.resolve({
        request: {
          method: 'PUT',
          url: '/api/v1/rules/routing',
          payload: { ...loadDefaultRoutingRules(), version },
        },
        ok: 200,
        ...rulesWrite(c, { label: version }, `rules ${version} were loaded`),
      });
    },
  },
  'GET /api/v1/lexicons': {
    access: 'rules.read',
    plan: () => Promise.resolve({ request: { method: 'GET', url: '/api/v1/lexicons' }, ok: 200 }),
  },
  'PUT /api/v1/lexicons/:name': {
    access: 'rules.write',
    plan: (c) => {
      const name = c.world.unique('lex');
      return Promise.resolve({
        request: {
          method: 'PUT',
          url: `/api/v1/lexicons/${name}`,
          payload: { format: 'csv', content: 'tokenalpha,2\n' },
        },
        ok: 200,
        ...rulesWrite(c, { name }, `lexicon ${name} was loaded`),
      });
    },
  },
  'DELETE /api/v1/lexicons/:name': {
    access: 'rules.write',
    plan: async (c) => {
      const name = c.world.unique('doomed-lex');
      const r = await c.world.t.app.rules.importLexicon(name, 'tokenbeta,1\n', 'csv', OPERATOR);
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      return {
        request: { method: 'DELETE', url: `/api/v1/lexicons/${name}` },
        ok: 200,
        ...rulesWrite(c, { name, retired: true }, `lexicon ${name} was retired`),
      };
    },
  },

  // Subjects: seen through their referrals' recipients (the need-to-know subtree), decided on likewise.
  'GET /api/v1/subjects': {
    access: 'subject.read',
    plan: async (c) => {
      const l = await linked(c);
      // The page that starts at this subject, whatever was linked before it.
      const before = await c.world.t.app.database.db
        .selectFrom('subjects')
        .select('id')
        .where('id', '<', l.subject)
        .orderBy('id', 'desc')
        .executeTakeFirst();
      return {
        request: { method: 'GET', url: `/api/v1/subjects?limit=200${before ? `&after=${before.id}` : ''}` },
        ok: 200,
        visible: within(c.target, c.own),
        hidden: 200,
        marks: [l.subject],
      };
    },
  },
  'GET /api/v1/subjects/:id': subjectRead((s) => `/api/v1/subjects/${s}`),
  'GET /api/v1/subjects/:id/graph': subjectRead((s) => `/api/v1/subjects/${s}/graph?format=graphml`),
  'POST /api/v1/subjects/:id/split': subjectDecision('split'),
  'POST /api/v1/subjects/:id/confirm': subjectDecision('confirm'),
  'POST /api/v1/subjects/merge': {
    access: 'subject.decide',
    plan: async (c) => {
      const [one, two] = [await freshSubject(c), await freshSubject(c)];
      const request = (first: string): Request => ({
        method: 'POST',
        url: '/api/v1/subjects/merge',
        payload: { subjects: [first, two.subject], reason: 'matrix' },
      });
      return {
        request: request(one.subject),
        ok: 200,
        visible: within(c.target, c.own),
        hidden: 404,
        absent: { request: request(GHOST_SUBJECT), stands: [one.subject, GHOST_SUBJECT] },
        unchanged: () => decided(c, { account: one.account }),
      };
    },
  },
  'GET /api/v1/referrals/:id/links': {
    access: 'subject.read',
    plan: async (c) => {
      const l = await linked(c);
      const [, second] = l.referrals;
      const url = (id: string) => `/api/v1/referrals/${id}/links`;
      return {
        request: { method: 'GET', url: url(second) },
        ok: 200,
        visible: within(c.target, c.own),
        hidden: 404,
        marks: [l.subject],
        absent: { request: { method: 'GET', url: url(GHOST_ID) }, stands: [second, GHOST_ID] },
      };
    },
  },
  'GET /api/v1/communities': {
    access: 'subject.read',
    plan: async (c) => {
      const l = await linked(c);
      return {
        request: { method: 'GET', url: '/api/v1/communities' },
        ok: 200,
        visible: within(c.target, c.own),
        hidden: 200,
        marks: [l.community],
      };
    },
  },
  'GET /api/v1/communities/:id': {
    access: 'subject.read',
    plan: async (c) => {
      const l = await linked(c);
      const ghost = communityId(SERVICE, 'no-such-group');
      return {
        request: { method: 'GET', url: `/api/v1/communities/${l.community}` },
        ok: 200,
        visible: within(c.target, c.own),
        hidden: 404,
        marks: [l.community],
        absent: {
          request: { method: 'GET', url: `/api/v1/communities/${ghost}` },
          stands: [l.community, ghost],
        },
      };
    },
  },
  'GET /api/v1/nicknames': {
    access: 'subject.read',
    // The look-alike is suggested, with its referral, only to those who may read that referral.
    plan: async (c) => {
      const l = await linked(c);
      return {
        request: { method: 'GET', url: `/api/v1/nicknames?q=${encodeURIComponent(l.nickname)}` },
        ok: 200,
        visible: within(c.target, c.own),
        hidden: 200,
        marks: [l.referrals[1]],
      };
    },
  },
  'GET /api/v1/deconfliction': {
    access: 'subject.read',
    // Each side is told of the other: the holder and the hub (the newcomer) each see their own notices,
    // and only the newcomer sees the referral that linked.
    plan: async (c) => {
      const n = await notice(c);
      return {
        request: { method: 'GET', url: '/api/v1/deconfliction' },
        ok: 200,
        visible: c.own === RECEIVING || c.own === n.holder,
        hidden: 200,
        marks: [n.subject],
        ...(c.own !== RECEIVING && { never: [n.newcomer] }),
      };
    },
  },
  // Registers are the instance's, like hash lists: the permission alone decides.
  'GET /api/v1/registers': {
    access: 'register.read',
    plan: () => Promise.resolve({ request: { method: 'GET', url: '/api/v1/registers' }, ok: 200 }),
  },
  'PUT /api/v1/registers/:name': {
    access: 'register.write',
    plan: (c) => {
      const name = c.world.unique('register');
      return Promise.resolve({
        request: {
          method: 'PUT',
          url: `/api/v1/registers/${name}`,
          headers: { 'content-type': 'text/csv' },
          payload: Buffer.from('reference,kind,value\nMATRIX-1,email,matrix.nobody@example.com\n'),
        },
        ok: 200,
        // Registers decide for everyone: only the receiving organisation loads them.
        visible: c.own === RECEIVING,
        hidden: 403,
        unchanged: async () =>
          (await c.world.t.app.database.db
            .selectFrom('prior_records')
            .select('register')
            .where('register', '=', name)
            .executeTakeFirst())
            ? `register ${name} was loaded`
            : undefined,
      });
    },
  },

  'GET /api/v1/audit': {
    access: 'audit.read',
    // Events belong to the organisation of whoever caused them: here, the target's person signing in.
    plan: (c) => {
      const visible = within(c.target, c.own);
      return Promise.resolve({
        request: {
          method: 'GET',
          url: `/api/v1/audit?limit=500&actor=${encodeURIComponent(`user:${c.world.objects[c.target].login}`)}`,
        },
        ok: 200,
        visible,
        hidden: 200,
        marks: [`"organisation":"${c.target}"`],
        check: (status, body) => {
          if (status !== 200) return undefined;
          const n = (JSON.parse(body) as { items: unknown[] }).items.length;
          return visible === n > 0 ? undefined : `${n} events shown`;
        },
      });
    },
  },
  'GET /api/v1/audit/verify': {
    access: 'audit.read',
    plan: () => Promise.resolve({ request: { method: 'GET', url: '/api/v1/audit/verify' }, ok: 200 }),
  },
};

/** The status the declared access, the permission tables and the need-to-know rule call for. */
function expectedStatus(access: RouteAccess, c: Case, plan: Plan): number {
  if (access === 'public') return plan.ok;
  if (c.who.kind === 'none' || c.who.kind === 'bogus') return 401;
  if (!c.passes) return 403;
  return plan.visible === false ? (plan.hidden ?? 404) : plan.ok;
}

function passes(access: RouteAccess, who: Who): boolean {
  if (access === 'public') return true;
  if (access === 'signed-in') return who.kind === 'person' || who.kind === 'client';
  if (access === 'person') return who.kind === 'person';
  return permits(who, access);
}

let address = 0;
/** Each request from its own address, so the per-address sign-in limit stays out of the matrix's way. */
const nextAddress = () => {
  const n = ++address;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

async function send(world: World, request: Request, headers: Headers) {
  return world.t.http.inject({
    method: request.method,
    url: request.url,
    headers: { ...headers, ...request.headers },
    remoteAddress: nextAddress(),
    ...(request.payload && { payload: request.payload }),
  });
}

/** Runs every case of one route; answers what went wrong, one line each. */
async function runRoute(world: World, route: RouteEntry, template: Template): Promise<string[]> {
  const failures: string[] = [];
  for (const { own, other } of SEATS) {
    for (const target of [own, other]) {
      for (const who of WHO) {
        const c: Case = {
          world,
          who,
          own,
          target,
          headers: world.credentials.get(`${own} ${nameOf(who)}`) ?? {},
          passes: passes(route.access, who),
        };
        const label = `${nameOf(who)} of ${own} → ${target === own ? 'own' : 'other'} (${target})`;
        const plan = await template.plan(c);
        const expected = expectedStatus(route.access, c, plan);
        const res = await send(world, plan.request, c.headers);
        const echoed = `${plan.request.url} ${JSON.stringify(plan.request.payload ?? {})}`;
        const shown = expected === plan.ok && plan.visible !== false && res.statusCode < 300;
        if (res.statusCode !== expected)
          failures.push(`${label}: expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 200)}`);
        for (const m of plan.marks ?? []) {
          if (shown && res.statusCode === expected && !res.body.includes(m))
            failures.push(`${label}: ${m} missing from the answer`);
          if (!shown && !echoed.includes(m) && res.body.includes(m))
            failures.push(`${label}: LEAK of ${m} in a ${res.statusCode}`);
        }
        for (const m of plan.never ?? [])
          if (res.body.includes(m)) failures.push(`${label}: LEAK of ${m} in a ${res.statusCode}`);
        const problem = plan.check?.(res.statusCode, res.body);
        if (problem) failures.push(`${label}: ${problem}`);
        if (expected !== plan.ok && plan.unchanged) {
          const changed = await plan.unchanged();
          if (changed) failures.push(`${label}: refused with ${res.statusCode}, yet ${changed}`);
        }
        // Out of the window is indistinguishable from absent.
        if (plan.visible === false && c.passes && plan.absent) {
          const ghost = await send(world, plan.absent.request, c.headers);
          const [real, stand] = plan.absent.stands;
          const seen = res.body.split(real).join(stand);
          if (ghost.statusCode !== res.statusCode || ghost.body !== seen)
            failures.push(
              `${label}: answered unlike an absent object: ${res.statusCode} ${seen} vs ${ghost.statusCode} ${ghost.body}`,
            );
        }
      }
    }
  }
  return failures;
}

describe('the access matrix', () => {
  it('has a request template for every route of the route table, and none for a route that is gone', () => {
    const routes = ROUTES.filter((r) => !isDocs(r)).map(keyOf);
    expect(
      routes.filter((k) => !(k in TEMPLATES)),
      'routes without a template',
    ).toEqual([]);
    expect(
      Object.keys(TEMPLATES).filter((k) => !routes.includes(k)),
      'templates without a route',
    ).toEqual([]);
    // The documentation is public and read-only.
    for (const r of ROUTES.filter(isDocs)) expect(`${r.method} ${r.access}`, r.url).toBe('GET public');
  });

  it('declares for every route the access its template was reviewed against', () => {
    const declared = Object.fromEntries(ROUTES.filter((r) => !isDocs(r)).map((r) => [keyOf(r), r.access]));
    const reviewed = Object.fromEntries(
      Object.entries(TEMPLATES)
        .filter(([k]) => k in declared)
        .map(([k, t]) => [k, t.access]),
    );
    expect(declared).toEqual(reviewed);
  });
});

describe.each(DIALECTS)('the access matrix on %s', (dialect) => {
  let world: World | undefined;
  beforeAll(async () => {
    world = await buildWorld(dialect);
  }, 180_000);
  afterAll(async () => {
    await world?.t.close();
  });

  for (const route of ROUTES.filter((r) => !isDocs(r))) {
    const template = TEMPLATES[keyOf(route)];
    it.skipIf(template === undefined)(
      `${keyOf(route)} (${route.access}): each role, key scope and anonymous caller gets what the tables and need-to-know say, and nothing leaks`,
      async () => {
        if (!world || !template) throw new Error('no world');
        expect(await runRoute(world, route, template)).toEqual([]);
      },
      180_000,
    );
  }
});
