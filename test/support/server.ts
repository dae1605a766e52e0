import type { FastifyInstance } from 'fastify';
import type { App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { RequestContext, Role, Scope } from '../../src/domain/access.ts';
import type { RouteEntry } from '../../src/http/auth.ts';
import { buildServerWithRoutes } from '../../src/http/server.ts';
import { createApp } from '../../src/main.ts';
import { createTestDatabase, type TestDialect } from './databases.ts';

/** Everything a CLI operator can do; what tests use to set up data. */
export const OPERATOR: RequestContext = { principal: { kind: 'operator', name: 'test' }, requestId: null };

export type Headers = Record<string, string>;

export interface TestServer {
  readonly app: App;
  readonly http: FastifyInstance;
  readonly routes: readonly RouteEntry[];
  /** A new person with this role in `org` (default: the receiving hub), signed in: cookie + CSRF headers. */
  signIn(role: Role, org?: string): Promise<{ email: string; headers: Headers }>;
  /** A new API key of `org` with these scopes: the Authorization header. */
  apiKey(org: string, scopes: readonly Scope[]): Promise<{ keyId: string; key: string; headers: Headers }>;
  /** Adds an organisation as the operator; returns its slug. */
  org(slug: string, kind: string, parent?: string): Promise<string>;
  close(): Promise<void>;
}

export const TEST_PASSWORD = 'correct horse battery staple';

/** A real app on a real database behind the real HTTP server (auth, rate limits and all), for inject(). */
export async function startTestServer(
  dialect: TestDialect,
  env: NodeJS.ProcessEnv = {},
): Promise<TestServer> {
  const t = await createTestDatabase(dialect);
  const config = loadConfig(
    {},
    { CONDUIT_MAX_INPUT_BYTES: String(64 * 1024), CONDUIT_RATE_LIMIT: '100000', ...env },
  );
  const app = await createApp({ ...config, db: t.url });
  await app.loadHashLists();
  const { app: http, routes } = await buildServerWithRoutes({
    ...app,
    maxInputBytes: config.maxInputBytes,
    rateLimit: config.rateLimit,
    corsOrigins: config.corsOrigins,
    now: () => new Date(),
    logger: false,
  });
  let n = 0;
  return {
    app,
    http,
    routes,
    async signIn(role, org = app.receiving.slug) {
      const email = `${role}-${++n}@${org}.example.org`;
      const added = await app.access.addUser({ org, email, role, password: TEST_PASSWORD }, OPERATOR);
      if (!added.ok) throw new Error(JSON.stringify(added.problems));
      const res = await http.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email, password: TEST_PASSWORD },
      });
      if (res.statusCode !== 201) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
      const cookie = res.cookies.find((c) => c.name === 'conduit_session');
      if (!cookie) throw new Error('no session cookie');
      return {
        email,
        headers: {
          cookie: `conduit_session=${cookie.value}`,
          'x-csrf-token': res.json<{ csrfToken: string }>().csrfToken,
        },
      };
    },
    async apiKey(org, scopes) {
      const r = await app.access.createApiKey({ org, scopes }, OPERATOR);
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      return {
        keyId: r.value.apiKey.id,
        key: r.value.key,
        headers: { authorization: `Bearer ${r.value.key}` },
      };
    },
    async org(slug, kind, parent) {
      const r = await app.organisations.add({ slug, kind, ...(parent && { parent }) }, OPERATOR);
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      return slug;
    },
    async close() {
      await http.close();
      await app.close();
      await t.dispose();
    },
  };
}
