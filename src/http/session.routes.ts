import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { AccessService } from '../access/access.service.ts';
import { permissionsOf } from '../domain/access.ts';
import { principalOf, SESSION_COOKIE } from './auth.ts';
import { BODY_LIMITS, jsonBody } from './body.ts';
import { sendProblems } from './errors.ts';

const SignInBody = Type.Object(
  {
    email: Type.String({ maxLength: 254 }),
    password: Type.String({ maxLength: 1024 }),
    totp: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })),
  },
  { additionalProperties: false },
);
const CodeBody = Type.Object(
  { code: Type.String({ pattern: '^[0-9]{6}$' }) },
  { additionalProperties: false },
);

/** Sign-in, sign-out, who am I, and the optional TOTP second factor. */
export function sessionRoutes(deps: {
  readonly access: AccessService;
  /** Whether the cookie is marked Secure (always, unless a test over plain HTTP says otherwise). */
  readonly secureCookies: boolean;
}): FastifyPluginAsync {
  const { access } = deps;
  const cookie = { path: '/', httpOnly: true, secure: deps.secureCookies, sameSite: 'strict' } as const;
  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async by contract
  return async (app) => {
    app.post(
      '/session',
      {
        bodyLimit: BODY_LIMITS.signIn,
        // Per address, on top of the per-account lock: guessing across many accounts is slowed as well.
        config: {
          access: 'public',
          body: SignInBody,
          rateLimit: { max: 10, timeWindow: 60_000, keyGenerator: (r) => `signin:${r.ip}` },
        },
        schema: { summary: 'Sign in: sets the session cookie; answers the CSRF token for writes' },
      },
      async (req, reply) => {
        const body = jsonBody(req, SignInBody);
        if (!body.ok) return sendProblems(reply, body.problems);
        const r = await access.signIn(body.value, req.id);
        if (!r.ok) return sendProblems(reply, r.problems);
        void reply.setCookie(SESSION_COOKIE, r.token, { ...cookie, expires: new Date(r.expiresAt) });
        return reply.status(201).send({
          user: r.user,
          permissions: permissionsOf(r.user.role),
          csrfToken: r.csrfToken,
          expiresAt: r.expiresAt,
        });
      },
    );

    app.get(
      '/session',
      { config: { access: 'signed-in' }, schema: { summary: 'Who is signed in (or which API key is used)' } },
      async (req) => {
        const p = principalOf(req);
        if (p.kind !== 'user') return { client: p };
        const user = await access.whoAmI({ principal: p, requestId: req.id });
        return {
          user,
          permissions: user ? permissionsOf(user.role) : [],
          ...(req.sessionToken !== undefined && { csrfToken: access.csrfToken(req.sessionToken) }),
        };
      },
    );

    app.delete(
      '/session',
      {
        bodyLimit: BODY_LIMITS.none,
        config: { access: 'signed-in' },
        schema: { summary: 'Sign out: the session is revoked at once' },
      },
      async (req, reply) => {
        await access.signOut({ principal: principalOf(req), requestId: req.id });
        void reply.clearCookie(SESSION_COOKIE, cookie);
        return reply.status(204).send();
      },
    );

    app.post(
      '/session/totp',
      {
        bodyLimit: BODY_LIMITS.none,
        config: { access: 'person' },
        schema: { summary: 'Start TOTP enrolment: a secret and otpauth:// URI; confirm with a code' },
      },
      async (req, reply) => {
        const r = await access.enrolTotp({ principal: principalOf(req), requestId: req.id });
        return r.ok ? r.value : sendProblems(reply, r.problems);
      },
    );

    app.post(
      '/session/totp/confirm',
      {
        bodyLimit: BODY_LIMITS.none,
        config: { access: 'person', body: CodeBody },
        schema: { summary: 'Confirm TOTP enrolment with a current code' },
      },
      async (req, reply) => {
        const body = jsonBody(req, CodeBody);
        if (!body.ok) return sendProblems(reply, body.problems);
        const r = await access.confirmTotp(body.value.code, {
          principal: principalOf(req),
          requestId: req.id,
        });
        return r.ok ? { user: r.value } : sendProblems(reply, r.problems);
      },
    );
  };
}
