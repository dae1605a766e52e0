import { timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { AccessService } from '../access/access.service.ts';
import { actorOf, can, type Permission, type Principal, type RequestContext } from '../domain/access.ts';
import { problem } from '../domain/errors.ts';
import { sendProblems } from './errors.ts';

/**
 * What a route requires: a permission, any signed-in principal, a person (not a machine client), or
 * nothing. Every route declares one; a route that does not is a bug caught when the server is built, so
 * nothing can escape the check.
 */
export type RouteAccess = Permission | 'signed-in' | 'person' | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
    /** The JSON body's schema, for the OpenAPI document; bodies are bytes, checked by the route itself. */
    body?: object;
  }
  interface FastifyRequest {
    /** Who is asking, once credentials are checked; undefined for an anonymous request. */
    principal?: Principal;
    /** Credentials were sent but are wrong, expired or revoked. */
    authFailed?: boolean;
    /** The session token, when the principal came from the session cookie (CSRF applies). */
    sessionToken?: string;
  }
}

export const SESSION_COOKIE = 'conduit_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Where the OpenAPI viewer serves itself. */
export const DOCS_PREFIX = '/api/docs';

/** Whether `url` is `prefix` or below it (`/api/docsecret` is not below `/api/docs`). */
function under(url: string, prefix: string): boolean {
  return url === prefix || url.startsWith(`${prefix}/`);
}

export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly access: RouteAccess;
}

export interface AuthOptions {
  readonly access: AccessService;
  /** Requests a minute per client (principal, else address). */
  readonly rateLimit: number;
  /** Routes handled by their own authentication (the CyberTipline-compatible /ispws uses HTTP Basic). */
  readonly ownAuthPrefixes: readonly string[];
}

/**
 * Authentication, rate limits and authorisation for every route of `app`, in this order: credentials are
 * read (session cookie or `Authorization: Bearer <API key>`), the client's rate limit is applied (keyed by
 * principal, or by address when there is none), then the route's declared access is enforced — all before
 * the body is read. Returns the route table, for the access-matrix test and the docs.
 */
export async function installAuth(app: FastifyInstance, opts: AuthOptions): Promise<readonly RouteEntry[]> {
  const table: RouteEntry[] = [];
  await app.register(cookie);

  app.addHook('onRequest', async (req) => {
    const auth = req.headers.authorization;
    const token = req.cookies[SESSION_COOKIE];
    if (auth !== undefined && /^Bearer\s/i.test(auth)) {
      const principal = await opts.access.apiKey(auth.slice(7).trim());
      if (principal) req.principal = principal;
      else req.authFailed = true;
    } else if (token !== undefined && token !== '') {
      const principal = await opts.access.session(token);
      if (principal) {
        req.principal = principal;
        req.sessionToken = token;
      } else req.authFailed = true;
    }
  });

  await app.register(rateLimit, {
    global: true,
    max: opts.rateLimit,
    timeWindow: 60_000,
    keyGenerator: (req) => (req.principal ? actorOf(req.principal) : `ip:${req.ip}`),
    errorResponseBuilder: (_req, ctx) =>
      Object.assign(new Error(`too many requests; try again in ${ctx.after}`), { statusCode: 429 }),
  });

  // Registered after the rate limiter, so its check runs after the limiter's on every route.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (opts.ownAuthPrefixes.some((p) => under(route.url, p))) return;
    // The OpenAPI viewer's own routes are public documentation.
    const access = route.config?.access ?? (under(route.url, DOCS_PREFIX) ? 'public' : undefined);
    if (access === undefined)
      throw new Error(`bug: route ${methods.join(',')} ${route.url} declares no access`);
    for (const method of methods) if (method !== 'HEAD') table.push({ method, url: route.url, access });
    const check = enforce(access, opts.access);
    route.onRequest = [...(route.onRequest === undefined ? [] : [route.onRequest].flat()), check];
  });
  return table;
}

function enforce(access: RouteAccess, service: AccessService): onRequestAsyncHookHandler {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (access === 'public') return;
    const p = req.principal;
    if (!p) {
      void reply.header('WWW-Authenticate', 'Bearer realm="conduit"');
      const message = req.authFailed
        ? 'the session or API key is unknown, expired or revoked'
        : 'sign in (POST /api/v1/session) or send an API key (Authorization: Bearer)';
      return sendProblems(reply, [problem('unauthenticated', '', message)]);
    }
    // A refusal of someone known is recorded: probing beyond one's role is what an auditor looks for.
    // (Anonymous refusals are not: anyone could fill the trail with them.)
    const refuse = async (code: 'forbidden' | 'csrf', path: string, message: string) => {
      await service.recordDenied(
        { principal: p, requestId: req.id },
        { route: `${req.method} ${req.routeOptions.url ?? req.url}`, reason: code },
      );
      return sendProblems(reply, [problem(code, path, message)]);
    };
    if (access === 'person' && p.kind !== 'user')
      return refuse('forbidden', '', 'only a signed-in person can do this');
    if (access !== 'signed-in' && access !== 'person' && !can(p, access))
      return refuse('forbidden', '', `this needs the permission ${access}`);
    // A cookie is sent by the browser whoever made the page; the token proves it was our page.
    if (req.sessionToken !== undefined && !SAFE_METHODS.has(req.method)) {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameToken(sent, service.csrfToken(req.sessionToken)))
        return refuse('csrf', CSRF_HEADER, 'missing or wrong CSRF token');
    }
  };
}

/** Compares a sent token with the expected one in constant time (no early exit on the first wrong byte). */
function sameToken(sent: string, expected: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The principal of a request that passed `enforce`; a route without one is a wiring bug. */
/** The context of a service call made for this request: who is asking, and which request it is. */
export function contextOf(req: FastifyRequest): RequestContext {
  return { principal: principalOf(req), requestId: req.id };
}

export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new Error(`bug: ${req.method} ${req.url} ran without a principal`);
  return req.principal;
}
