import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/support/server.ts';
import { can, ROLES, type Role, type UserId } from '../domain/access.ts';
import type { OrganisationId } from '../domain/ids.ts';
import type { RouteAccess } from './auth.ts';
import { buildServerWithRoutes } from './server.ts';

/** Hardening does not depend on the database, so one dialect is enough. */
const DIALECT = 'sqlite';

interface ErrorJson {
  error: { code: string; message: string; problems: { code: string; path: string }[] };
}

/** The directives of a Content-Security-Policy header, by name. */
function directives(csp: unknown): Map<string, string[]> {
  return new Map(
    String(csp)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name = '', ...values]) => [name.toLowerCase(), values]),
  );
}

/** Whether a person of this role passes a route's declared access. */
function lets(access: RouteAccess, role: Role): boolean {
  if (access === 'public' || access === 'signed-in' || access === 'person') return true;
  const id = 'u' as UserId;
  const orgId = 'o' as OrganisationId;
  return can({ kind: 'user', id, email: 'p@example.org', orgId, role, sessionId: 's' }, access);
}

/** Whether the `openssl` binary can be run here (the TLS test makes its certificate with it). */
function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function httpsGet(
  options: RequestOptions,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ ...options, method: 'GET', rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP hardening', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup.length = 0;
  });
  async function server(env: NodeJS.ProcessEnv = {}): Promise<TestServer> {
    const t = await startTestServer(DIALECT, env);
    cleanup.push(() => t.close());
    return t;
  }

  it('sends security headers on pages, API answers and errors: a CSP without inline scripts, nosniff, no framing, and no HSTS over plain HTTP', async () => {
    const t = await server();
    const { headers } = await t.signIn('analyst');
    for (const res of [
      await t.http.inject({ method: 'GET', url: '/' }),
      await t.http.inject({ method: 'GET', url: '/api/v1/referrals', headers }),
      await t.http.inject({ method: 'GET', url: '/api/v1/referrals' }),
      await t.http.inject({ method: 'GET', url: '/api/v1/no-such-route' }),
      await t.http.inject({ method: 'GET', url: '/api/docs/static/index.html' }),
    ]) {
      const csp = directives(res.headers['content-security-policy']);
      expect(csp.get('script-src'), res.body).toEqual(["'self'"]);
      expect(csp.get('script-src-attr')).toEqual(["'none'"]);
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.has('upgrade-insecure-requests')).toBe(false);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('allows no cross-origin calls by default', async () => {
    const t = await server();
    const { headers } = await t.signIn('analyst');
    const res = await t.http.inject({
      method: 'GET',
      url: '/api/v1/referrals',
      headers: { ...headers, origin: 'https://ui.example.org' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await t.http.inject({
      method: 'OPTIONS',
      url: '/api/v1/referrals',
      headers: { origin: 'https://ui.example.org', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('allows cross-origin calls only from a configured origin', async () => {
    const t = await server({ CONDUIT_CORS_ORIGINS: 'https://ui.example.org' });
    const { headers } = await t.signIn('analyst');
    const allowed = await t.http.inject({
      method: 'GET',
      url: '/api/v1/referrals',
      headers: { ...headers, origin: 'https://ui.example.org' },
    });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://ui.example.org');
    // Cookies are never sent cross-origin: a configured UI uses API keys or the same origin.
    expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();
    const preflight = await t.http.inject({
      method: 'OPTIONS',
      url: '/api/v1/referrals',
      headers: { origin: 'https://ui.example.org', 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://ui.example.org');
    for (const origin of ['https://evil.example.org', 'https://ui.example.org.evil.example', 'null']) {
      const refused = await t.http.inject({
        method: 'GET',
        url: '/api/v1/referrals',
        headers: { ...headers, origin },
      });
      expect(refused.headers['access-control-allow-origin'], origin).toBeUndefined();
    }
    // Being allowed to call is not being allowed in: the route's access still applies.
    const anonymous = await t.http.inject({
      method: 'GET',
      url: '/api/v1/referrals',
      headers: { origin: 'https://ui.example.org' },
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('limits bodies per route: a sign-in over 4 KiB answers 413 too_large', async () => {
    const t = await server();
    const big = await t.http.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: 'someone@hub.example.org', password: 'x'.repeat(5 * 1024) },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json<ErrorJson>().error.code).toBe('too_large');
    const { headers } = await t.signIn('analyst');
    const confirm = await t.http.inject({
      method: 'POST',
      url: '/api/v1/session/totp/confirm',
      headers,
      payload: { code: '1'.repeat(2048) },
    });
    expect(confirm.statusCode).toBe(413);
    // The instance-wide limit still holds for the rest.
    const admin = await t.signIn('admin');
    const org = await t.http.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: admin.headers,
      payload: { slug: 'big', kind: 'unit', name: 'x'.repeat(70 * 1024) },
    });
    expect(org.statusCode).toBe(413);
    expect(org.json<ErrorJson>().error.code).toBe('too_large');
  });

  it('takes a large body only where files or batches are the point: every other route refuses 100 KiB with 413 too_large', async () => {
    // The instance's input limit is large, as in production; the API's own routes keep to theirs.
    const t = await server({ CONDUIT_MAX_INPUT_BYTES: String(10 * 1024 * 1024) });
    // Referral batches, hash-list files (streamed), images to hash, hash batches to match, lexicon files,
    // prior-records registers.
    const intake = new Set([
      'POST /api/v1/referrals',
      'POST /api/v1/hashlists',
      'POST /api/v1/hash',
      'POST /api/v1/match',
      'PUT /api/v1/lexicons/:name',
      'PUT /api/v1/registers/:name',
    ]);
    const writes = t.routes.filter((r) => r.method !== 'GET' && !intake.has(`${r.method} ${r.url}`));
    expect(writes.length).toBeGreaterThan(5);
    const payload = { padding: 'x'.repeat(100 * 1024) };
    // One session per role: sign-in itself is limited per address.
    const sessions = new Map<string, Record<string, string>>();
    for (const r of writes) {
      // Someone the route lets in, so the body is what is judged.
      const role = ROLES.find((role) => lets(r.access, role)) ?? 'admin';
      const session = sessions.get(role) ?? (await t.signIn(role)).headers;
      sessions.set(role, session);
      const headers = r.access === 'public' ? {} : session;
      const url = r.url
        .replace(':email', 'someone%40example.org')
        .replace(':id', '0190a3c2-0000-7000-8000-000000000000');
      const res = await t.http.inject({ method: r.method as 'POST', url, headers, payload });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(413);
      expect(res.json<ErrorJson>().error.code).toBe('too_large');
    }
  });

  it('tells browsers and proxies to keep no copy of any answer', async () => {
    const t = await server();
    const { headers } = await t.signIn('analyst');
    for (const res of [
      await t.http.inject({ method: 'GET', url: '/api/v1/session', headers }),
      await t.http.inject({ method: 'GET', url: '/api/v1/referrals', headers }),
      await t.http.inject({ method: 'GET', url: '/api/v1/referrals' }),
      await t.http.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email: 'x@example.org', password: 'y' },
      }),
    ])
      expect(res.headers['cache-control']).toBe('no-store');
  });

  it('limits requests per client: the 6th in a minute answers 429 rate_limited, and only for that client', async () => {
    const t = await server({ CONDUIT_RATE_LIMIT: '5' });
    const a = await t.signIn('analyst');
    const b = await t.signIn('analyst');
    const get = (headers: Record<string, string>, remoteAddress = '127.0.0.1') =>
      t.http.inject({ method: 'GET', url: '/api/v1/session', headers, remoteAddress });
    for (let i = 0; i < 5; i++) expect((await get(a.headers)).statusCode).toBe(200);
    const sixth = await get(a.headers);
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json<ErrorJson>().error.code).toBe('rate_limited');
    expect(sixth.headers['retry-after']).toBeTruthy();
    // Per principal, not per address: another person behind the same address is unaffected…
    expect((await get(b.headers)).statusCode).toBe(200);
    // …and changing address does not reset it.
    expect((await get(a.headers, '10.2.3.4')).statusCode).toBe(429);
    // Anonymous clients are counted by address.
    for (let i = 0; i < 5; i++) expect((await get({}, '10.7.7.7')).statusCode).toBe(401);
    expect((await get({}, '10.7.7.7')).statusCode).toBe(429);
    expect((await get({}, '10.7.7.8')).statusCode).toBe(401);
  });

  it('answers an internal error with 500 and no stack trace or SQL', async () => {
    const t = await server();
    const { headers } = await t.signIn('analyst');
    await sql`ALTER TABLE referrals RENAME TO referrals_gone`.execute(t.app.database.db);
    const res = await t.http.inject({ method: 'GET', url: '/api/v1/referrals', headers });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'internal', message: 'internal error', problems: [] } });
    expect(res.body).not.toMatch(/select|referrals|sqlite|\.ts|\bat\s/i);
    expect(res.headers['request-id']).toBeTruthy();
    await sql`ALTER TABLE referrals_gone RENAME TO referrals`.execute(t.app.database.db);
  });

  it('checks access on the HEAD twin of every GET route too', async () => {
    const t = await server();
    const head = await t.http.inject({ method: 'HEAD', url: '/api/v1/referrals' });
    expect(head.statusCode).toBe(401);
    const audit = await t.http.inject({
      method: 'HEAD',
      url: '/api/v1/audit',
      headers: (await t.signIn('analyst')).headers,
    });
    expect(audit.statusCode).toBe(403);
  });

  it.skipIf(!hasOpenssl())(
    'speaks TLS with a configured certificate, and then sends Strict-Transport-Security (needs the openssl binary)',
    async () => {
      const t = await server();
      const dir = mkdtempSync(join(tmpdir(), 'conduit-tls-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'].concat([
          '-keyout',
          key,
          '-out',
          cert,
        ]),
        { stdio: 'ignore' },
      );
      const { app: https } = await buildServerWithRoutes({
        ...t.app,
        maxInputBytes: 64 * 1024,
        rateLimit: 1000,
        corsOrigins: [],
        now: () => new Date(),
        logger: false,
        tls: { cert: readFileSync(cert), key: readFileSync(key) },
      });
      cleanup.push(() => https.close());
      await https.listen({ host: '127.0.0.1', port: 0 });
      const { port } = https.server.address() as AddressInfo;
      const res = await httpsGet({ host: '127.0.0.1', port, path: '/' });
      expect(res.status).toBe(200);
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
      expect(directives(res.headers['content-security-policy']).has('upgrade-insecure-requests')).toBe(true);
      const api = await httpsGet({ host: '127.0.0.1', port, path: '/api/v1/referrals' });
      expect(api.status).toBe(401);
      expect(api.headers['strict-transport-security']).toBeTruthy();
    },
  );
});
