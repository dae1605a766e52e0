import { Secret, TOTP } from 'otpauth';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS, type TestDialect } from '../../test/support/databases.ts';
import { canonicalReferral } from '../../test/support/fixtures.ts';
import { OPERATOR, startTestServer, TEST_PASSWORD, type TestServer } from '../../test/support/server.ts';

interface ErrorJson {
  error: { code: string; message: string; problems: { code: string; path: string }[] };
}

const totpOf = (secret: string) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });

describe.each(DIALECTS)('HTTP sessions on %s', (dialect: TestDialect) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup.length = 0;
  });
  async function server(): Promise<TestServer> {
    const t = await startTestServer(dialect);
    cleanup.push(() => t.close());
    return t;
  }
  /** A person who exists but is not signed in. */
  async function person(t: TestServer, email: string, role = 'analyst' as const): Promise<string> {
    const r = await t.app.access.addUser(
      { org: t.app.receiving.slug, email, role, password: TEST_PASSWORD },
      OPERATOR,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    return email;
  }
  let address = 0;
  /** Sign-in from its own address, so the per-address limit does not interfere unless a test wants it. */
  const signInRequest = (payload: object, remoteAddress = `10.1.0.${++address % 250}`) => ({
    method: 'POST' as const,
    url: '/api/v1/session',
    payload,
    remoteAddress,
  });

  it('sets an HttpOnly, Secure, SameSite=Strict session cookie on / with an expiry, and answers a CSRF token', async () => {
    const t = await server();
    const email = await person(t, 'cookie@hub.example.org');
    const before = Date.now();
    const res = await t.http.inject(signInRequest({ email, password: TEST_PASSWORD }));
    expect(res.statusCode).toBe(201);
    const cookie = res.cookies.find((c) => c.name === 'conduit_session');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    const expires = cookie?.expires?.getTime() ?? 0;
    // Eight hours, give or take the second the cookie format rounds to.
    expect(expires).toBeGreaterThan(before + 8 * 3_600_000 - 2_000);
    expect(expires).toBeLessThan(before + 8 * 3_600_000 + 60_000);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const body = res.json<{ csrfToken: string; user: { email: string }; expiresAt: string }>();
    expect(body.user.email).toBe(email);
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The token itself never appears in the body, only in the cookie.
    expect(res.body).not.toContain(cookie?.value ?? '?');
  });

  it('answers a wrong password and an unknown e-mail alike: 401 unauthenticated with the same message', async () => {
    const t = await server();
    const email = await person(t, 'known@hub.example.org');
    const wrong = await t.http.inject(signInRequest({ email, password: 'not the password at all' }));
    const unknown = await t.http.inject(
      signInRequest({ email: 'nobody@hub.example.org', password: TEST_PASSWORD }),
    );
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json<ErrorJson>().error.code).toBe('unauthenticated');
    expect(unknown.json()).toEqual(wrong.json());
    expect(wrong.cookies).toEqual([]);
  });

  it('locks an account after 5 failed sign-ins: 429 rate_limited even with the right password', async () => {
    const t = await server();
    const email = await person(t, 'target@hub.example.org');
    for (let i = 0; i < 5; i++) {
      const res = await t.http.inject(signInRequest({ email, password: `guess number ${i} wrong` }));
      expect(res.statusCode).toBe(401);
    }
    const locked = await t.http.inject(signInRequest({ email, password: TEST_PASSWORD }));
    expect(locked.statusCode).toBe(429);
    expect(locked.json<ErrorJson>().error.code).toBe('rate_limited');
    expect(locked.cookies).toEqual([]);
    // The refusals are on the trail, attributed to the account.
    const denied = await t.app.database.db
      .selectFrom('audit_events')
      .select(['outcome', 'details'])
      .where('action', '=', 'session.create')
      .where('actor', '=', `user:${email}`)
      .execute();
    expect(denied).toHaveLength(6);
    expect(denied.every((e) => e.outcome === 'denied')).toBe(true);
  });

  it('limits sign-in attempts per address to 10 a minute (429 rate_limited), whoever they are for', async () => {
    const t = await server();
    const email = await person(t, 'busy@hub.example.org');
    for (let i = 0; i < 10; i++) {
      const res = await t.http.inject(
        signInRequest({ email: `guess-${i}@hub.example.org`, password: 'wrong password!' }, '10.9.9.9'),
      );
      expect(res.statusCode).toBe(401);
    }
    const eleventh = await t.http.inject(signInRequest({ email, password: TEST_PASSWORD }, '10.9.9.9'));
    expect(eleventh.statusCode).toBe(429);
    expect(eleventh.json<ErrorJson>().error.code).toBe('rate_limited');
    expect(eleventh.cookies).toEqual([]);
    // Another address is not affected.
    const elsewhere = await t.http.inject(signInRequest({ email, password: TEST_PASSWORD }, '10.9.9.10'));
    expect(elsewhere.statusCode).toBe(201);
  });

  it('refuses a cookie-authenticated write without or with a wrong CSRF token (403 csrf), and takes it with the right one', async () => {
    const t = await server();
    const { headers } = await t.signIn('analyst');
    const { 'x-csrf-token': csrf, ...cookieOnly } = headers;
    const without = await t.http.inject({
      method: 'POST',
      url: '/api/v1/session/totp',
      headers: cookieOnly,
    });
    expect(without.statusCode).toBe(403);
    expect(without.json<ErrorJson>().error.code).toBe('csrf');
    const wrong = await t.http.inject({
      method: 'POST',
      url: '/api/v1/session/totp',
      headers: { ...cookieOnly, 'x-csrf-token': `${csrf?.slice(0, -2)}AA` },
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json<ErrorJson>().error.code).toBe('csrf');
    const right = await t.http.inject({ method: 'POST', url: '/api/v1/session/totp', headers });
    expect(right.statusCode).toBe(200);
    // Reads need no token; neither do API keys, which a browser never sends on its own.
    const read = await t.http.inject({ method: 'GET', url: '/api/v1/session', headers: cookieOnly });
    expect(read.statusCode).toBe(200);
    expect(read.json<{ csrfToken: string }>().csrfToken).toBe(csrf);
    const key = await t.apiKey(t.app.receiving.slug, ['submit']);
    const posted = await t.http.inject({
      method: 'POST',
      url: '/api/v1/referrals',
      headers: key.headers,
      payload: canonicalReferral('csrf-free'),
    });
    expect(posted.statusCode).toBe(201);
  });

  it('revokes the session at once on DELETE /session: the same cookie then answers 401', async () => {
    const t = await server();
    const { headers } = await t.signIn('supervisor');
    expect((await t.http.inject({ method: 'GET', url: '/api/v1/referrals', headers })).statusCode).toBe(200);
    const out = await t.http.inject({ method: 'DELETE', url: '/api/v1/session', headers });
    expect(out.statusCode).toBe(204);
    const cleared = out.cookies.find((c) => c.name === 'conduit_session');
    expect(cleared?.value).toBe('');
    const after = await t.http.inject({ method: 'GET', url: '/api/v1/referrals', headers });
    expect(after.statusCode).toBe(401);
    expect(after.json<ErrorJson>().error.code).toBe('unauthenticated');
    expect((await t.http.inject({ method: 'GET', url: '/api/v1/session', headers })).statusCode).toBe(401);
  });

  it('ends a disabled person’s live session at once', async () => {
    const t = await server();
    const admin = await t.signIn('admin');
    const victim = await t.signIn('investigator');
    const h = victim.headers;
    expect((await t.http.inject({ method: 'GET', url: '/api/v1/session', headers: h })).statusCode).toBe(200);
    const disabled = await t.http.inject({
      method: 'POST',
      url: `/api/v1/users/${encodeURIComponent(victim.email)}/disable`,
      headers: admin.headers,
    });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json()).toMatchObject({ email: victim.email, disabled: true });
    expect((await t.http.inject({ method: 'GET', url: '/api/v1/session', headers: h })).statusCode).toBe(401);
    expect((await t.http.inject({ method: 'GET', url: '/api/v1/referrals', headers: h })).statusCode).toBe(
      401,
    );
    // Nor can they sign in again.
    const again = await t.http.inject(signInRequest({ email: victim.email, password: TEST_PASSWORD }));
    expect(again.statusCode).toBe(401);
  });

  it('stops a revoked API key at once', async () => {
    const t = await server();
    const admin = await t.signIn('admin');
    const key = await t.apiKey(t.app.receiving.slug, ['read']);
    const use = () => t.http.inject({ method: 'GET', url: '/api/v1/referrals', headers: key.headers });
    expect((await use()).statusCode).toBe(200);
    const revoked = await t.http.inject({
      method: 'DELETE',
      url: `/api/v1/apikeys/${key.keyId}`,
      headers: admin.headers,
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json<{ revokedAt: string | null }>().revokedAt).not.toBeNull();
    const after = await use();
    expect(after.statusCode).toBe(401);
    expect(after.json<ErrorJson>().error.code).toBe('unauthenticated');
  });

  it('enrols a TOTP second factor, then asks for it at sign-in: none → 401 second_factor_required, wrong → 401, right → 201', async () => {
    const t = await server();
    const { email, headers } = await t.signIn('investigator');
    const enrol = await t.http.inject({ method: 'POST', url: '/api/v1/session/totp', headers });
    expect(enrol.statusCode).toBe(200);
    const { secret, uri } = enrol.json<{ secret: string; uri: string }>();
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    const totp = totpOf(secret);
    // Until confirmed, sign-in does not ask for a code.
    const unconfirmed = await t.http.inject(signInRequest({ email, password: TEST_PASSWORD }));
    expect(unconfirmed.statusCode).toBe(201);
    const badConfirm = await t.http.inject({
      method: 'POST',
      url: '/api/v1/session/totp/confirm',
      headers,
      payload: { code: totp.generate({ timestamp: Date.now() + 3_600_000 }) },
    });
    expect(badConfirm.statusCode).toBe(422);
    expect(badConfirm.json<ErrorJson>().error.problems[0]?.path).toBe('code');
    const confirm = await t.http.inject({
      method: 'POST',
      url: '/api/v1/session/totp/confirm',
      headers,
      payload: { code: totp.generate() },
    });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.json()).toMatchObject({ user: { email, totp: true } });

    const none = await t.http.inject(signInRequest({ email, password: TEST_PASSWORD }));
    expect(none.statusCode).toBe(401);
    expect(none.json<ErrorJson>().error.code).toBe('second_factor_required');
    expect(none.cookies).toEqual([]);
    const wrong = await t.http.inject(
      signInRequest({
        email,
        password: TEST_PASSWORD,
        totp: totp.generate({ timestamp: Date.now() - 3_600_000 }),
      }),
    );
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json<ErrorJson>().error.code).toBe('unauthenticated');
    expect(wrong.cookies).toEqual([]);
    // A right code with a wrong password is still refused, and as a password failure.
    const wrongPassword = await t.http.inject(
      signInRequest({ email, password: 'not the password at all', totp: totp.generate() }),
    );
    expect(wrongPassword.statusCode).toBe(401);
    expect(wrongPassword.json<ErrorJson>().error.code).toBe('unauthenticated');
    const right = await t.http.inject(
      signInRequest({ email, password: TEST_PASSWORD, totp: totp.generate() }),
    );
    expect(right.statusCode).toBe(201);
    expect(right.cookies.find((c) => c.name === 'conduit_session')?.value).toBeTruthy();
  });

  it('does not let a live session silently replace or switch off an enrolled second factor', async () => {
    const t = await server();
    const { email, headers } = await t.signIn('analyst');
    const { secret } = (await t.http.inject({ method: 'POST', url: '/api/v1/session/totp', headers })).json<{
      secret: string;
    }>();
    const confirmed = await t.http.inject({
      method: 'POST',
      url: '/api/v1/session/totp/confirm',
      headers,
      payload: { code: totpOf(secret).generate() },
    });
    expect(confirmed.statusCode).toBe(200);
    // Someone holding the cookie (a stolen one, say) tries to enrol again: refused, and the factor stays on.
    const again = await t.http.inject({ method: 'POST', url: '/api/v1/session/totp', headers });
    expect(again.statusCode).toBe(409);
    const none = await t.http.inject(signInRequest({ email, password: TEST_PASSWORD }));
    expect(none.json<ErrorJson>().error.code).toBe('second_factor_required');
  });

  it('refuses the second-factor routes to machine clients, which have no password to protect', async () => {
    const t = await server();
    const key = await t.apiKey(t.app.receiving.slug, ['read']);
    const res = await t.http.inject({
      method: 'POST',
      url: '/api/v1/session/totp',
      headers: key.headers,
    });
    expect(res.statusCode).toBe(403);
    expect(res.json<ErrorJson>().error.code).toBe('forbidden');
    const who = await t.http.inject({ method: 'GET', url: '/api/v1/session', headers: key.headers });
    expect(who.statusCode).toBe(200);
    expect(who.json()).toMatchObject({ client: { id: key.keyId, scopes: ['read'] } });
  });

  it('validates the sign-in body, naming the field', async () => {
    const t = await server();
    const res = await t.http.inject(signInRequest({ email: 'a@b.example', password: 'x', extra: 1 }));
    expect(res.statusCode).toBe(422);
    const missing = await t.http.inject(signInRequest({ email: 'a@b.example' }));
    expect(missing.statusCode).toBe(422);
    expect(missing.json<ErrorJson>().error.problems.map((p) => p.path)).toContain('/password');
    const notJson = await t.http.inject({
      ...signInRequest({}),
      payload: '{"email":',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json<ErrorJson>().error.code).toBe('malformed_input');
  });
});
