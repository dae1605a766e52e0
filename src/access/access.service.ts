import type { Outcome } from '../domain/result.ts';
import { Secret, TOTP } from 'otpauth';
import {
  can,
  isRole,
  isScope,
  type ApiKeyId,
  type Permission,
  type Principal,
  type RequestContext,
  type Role,
  type Scope,
  type UserId,
} from '../domain/access.ts';
import { problem, type Problem } from '../domain/errors.ts';
import type { Instant, OrganisationId } from '../domain/ids.ts';
import { isEmailAddress } from '../intake/formats/values.ts';
import type { OrganisationsService } from '../organisations/organisations.service.ts';
import {
  findApiKey,
  findSession,
  findUserByEmail,
  insertApiKey,
  insertSession,
  insertUser,
  listApiKeys,
  listUsers,
  revokeApiKey,
  revokeSessions,
  updateUser,
  type ApiKeyRow,
  type UserRow,
} from '../store/access.repo.ts';
import { auditEvent, auditedWrite, recordAudit, type AuditEntry } from '../store/audit.repo.ts';
import type { Database } from '../store/db.ts';
import {
  DEFAULT_SCRYPT_COST,
  hashPassword,
  newSecret,
  sameDigest,
  sha256Hex,
  verifyPassword,
} from './secrets.ts';

export interface UserView {
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  readonly organisation: string;
  readonly disabled: boolean;
  readonly totp: boolean;
  readonly createdAt: string;
}

export interface ApiKeyView {
  readonly id: string;
  readonly organisation: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export type SignIn =
  | {
      readonly ok: true;
      /** The session token: goes into the cookie, never into a page. */
      readonly token: string;
      /** Echoed in `X-CSRF-Token` on cookie-authenticated writes. */
      readonly csrfToken: string;
      readonly expiresAt: string;
      readonly user: UserView;
    }
  | { readonly ok: false; readonly problems: readonly Problem[] };

export interface AccessService {
  addUser(
    input: { org: string; email: string; role: string; password: string },
    ctx: RequestContext,
  ): Promise<Outcome<UserView>>;
  /** Disables the account and revokes its sessions at once. */
  disableUser(email: string, ctx: RequestContext): Promise<Outcome<UserView>>;
  listUsers(ctx: RequestContext): Promise<UserView[]>;
  signIn(
    input: { email: string; password: string; totp?: string },
    requestId: string | null,
  ): Promise<SignIn>;
  signOut(ctx: RequestContext): Promise<void>;
  /** The principal behind a session token, or undefined when it is unknown, expired or revoked. */
  session(token: string): Promise<Principal | undefined>;
  csrfToken(sessionToken: string): string;
  whoAmI(ctx: RequestContext): Promise<UserView | undefined>;
  createApiKey(
    input: { org: string; scopes: readonly string[]; name?: string },
    ctx: RequestContext,
  ): Promise<Outcome<{ key: string; apiKey: ApiKeyView }>>;
  revokeApiKey(id: string, ctx: RequestContext): Promise<Outcome<ApiKeyView>>;
  listApiKeys(ctx: RequestContext): Promise<ApiKeyView[]>;
  /** The machine client behind an API key, or undefined when it is unknown or revoked. */
  apiKey(key: string): Promise<Principal | undefined>;
  /** Records a refused request of a known principal (a role or scope it lacks, a missing CSRF token). */
  recordDenied(ctx: RequestContext, what: { route: string; reason: string }): Promise<void>;
  /**
   * Starts TOTP enrolment: a new secret, effective once a code from it is confirmed. Refused (conflict) once
   * a factor is enrolled, so a session cannot switch it off.
   */
  enrolTotp(ctx: RequestContext): Promise<Outcome<{ secret: string; uri: string }>>;
  confirmTotp(code: string, ctx: RequestContext): Promise<Outcome<UserView>>;
}

export const SIGN_IN_LIMITS = { failures: 5, lockMinutes: 15 } as const;
const SESSION_HOURS = 8;
const KEY_PREFIX = 'cdk';
const KEY = /^cdk_([0-9a-f-]{36})_([A-Za-z0-9_-]{43})$/;

export function createAccessService(deps: {
  readonly database: Database;
  readonly organisations: OrganisationsService;
  readonly clock: { now(): Instant };
  readonly newId: () => string;
  readonly scryptCost?: number;
  readonly issuer?: string;
}): AccessService {
  const { database, organisations, clock, newId } = deps;
  const db = database.db;
  const cost = deps.scryptCost ?? DEFAULT_SCRYPT_COST;
  // Verified for unknown e-mails too, so a wrong address takes as long as a wrong password.
  const decoy = hashPassword('not a password', cost);

  async function slugs(): Promise<Map<string, string>> {
    return new Map((await organisations.list()).map((o) => [o.id, o.slug]));
  }
  const userView = (r: UserRow, names: Map<string, string>): UserView => ({
    id: r.id,
    email: r.email,
    role: r.role as Role,
    organisation: names.get(r.org_id) ?? r.org_id,
    disabled: r.disabled_at !== null,
    totp: r.totp_enabled === 1,
    createdAt: r.created_at,
  });
  const keyView = (r: ApiKeyRow, names: Map<string, string>): ApiKeyView => ({
    id: r.id,
    organisation: names.get(r.org_id) ?? r.org_id,
    name: r.name,
    scopes: JSON.parse(r.scopes) as Scope[],
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  });
  const event = (
    ctx: RequestContext,
    action: string,
    objectType: string,
    objectId: string | null,
    details: Record<string, unknown> = {},
    outcome: AuditEntry['outcome'] = 'ok',
  ): AuditEntry => auditEvent(ctx, clock.now(), { action, objectType, objectId, details, outcome });

  const forbidden = (what: string): Outcome<never> => ({
    ok: false,
    problems: [problem('forbidden', '', `your role cannot ${what}`)],
  });
  /** The organisation by slug if the principal may manage it; "unknown" otherwise, so nothing leaks. */
  async function managedOrg(ctx: RequestContext, slug: string): Promise<OrganisationId | undefined> {
    const org = await organisations.bySlug(slug);
    const reach = await organisations.reach(ctx);
    return org && (!reach || reach.has(org.id)) ? org.id : undefined;
  }
  async function inReach(ctx: RequestContext, orgId: string): Promise<boolean> {
    const reach = await organisations.reach(ctx);
    return !reach || reach.has(orgId as OrganisationId);
  }
  async function requireUser(ctx: RequestContext, permission: Permission) {
    const p = ctx.principal;
    if (p.kind !== 'user' || !can(p, permission)) return undefined;
    const row = await findUserByEmail(db, p.email);
    return row?.id === p.id && row.disabled_at === null ? row : undefined;
  }

  const service: AccessService = {
    async addUser(input, ctx) {
      if (!can(ctx.principal, 'user.write')) return forbidden('add users');
      const problems: Problem[] = [];
      const email = input.email.trim().toLowerCase();
      if (!isEmailAddress(email)) problems.push(problem('invalid_email', 'email', 'not an e-mail address'));
      if (!isRole(input.role))
        problems.push(
          problem('invalid_value', 'role', 'one of admin, supervisor, analyst, investigator, auditor'),
        );
      if (input.password.length < 12 || input.password.length > 1024)
        problems.push(problem('invalid_value', 'password', 'between 12 and 1024 characters'));
      const orgId = await managedOrg(ctx, input.org);
      if (!orgId) problems.push(problem('unknown_organisation', 'org', `no organisation ${input.org}`));
      if (await findUserByEmail(db, email)) problems.push(problem('conflict', 'email', `${email} exists`));
      if (problems.length || !orgId || !isRole(input.role)) return { ok: false, problems };
      const row: UserRow = {
        id: newId(),
        org_id: orgId,
        email,
        role: input.role,
        password_hash: await hashPassword(input.password, cost),
        totp_secret: null,
        totp_enabled: 0,
        failed_logins: 0,
        locked_until: null,
        disabled_at: null,
        created_at: clock.now(),
      };
      await auditedWrite(db, async (trx) => {
        await insertUser(trx, row);
        return {
          value: undefined,
          events: [event(ctx, 'user.add', 'user', row.id, { email, role: row.role, orgId })],
        };
      });
      return { ok: true, value: userView(row, await slugs()) };
    },

    async disableUser(email, ctx) {
      if (!can(ctx.principal, 'user.write')) return forbidden('disable users');
      const row = await findUserByEmail(db, email.trim().toLowerCase());
      if (!row || !(await inReach(ctx, row.org_id)))
        return { ok: false, problems: [problem('not_found', 'email', `no user ${email}`)] };
      const at = clock.now();
      await auditedWrite(db, async (trx) => {
        await updateUser(trx, row.id, { disabled_at: row.disabled_at ?? at });
        await revokeSessions(trx, { userId: row.id }, at);
        return {
          value: undefined,
          events: [event(ctx, 'user.disable', 'user', row.id, { email: row.email })],
        };
      });
      return { ok: true, value: userView({ ...row, disabled_at: row.disabled_at ?? at }, await slugs()) };
    },

    async listUsers(ctx) {
      if (!can(ctx.principal, 'user.read')) return [];
      const reach = await organisations.reach(ctx);
      const rows = await listUsers(db, reach && [...reach]);
      const names = await slugs();
      return rows.map((r) => userView(r, names));
    },

    async signIn(input, requestId) {
      const email = input.email.trim().toLowerCase();
      const now = clock.now();
      const lock = {
        failed_logins: 0,
        locked_until: new Date(Date.parse(now) + SIGN_IN_LIMITS.lockMinutes * 60_000).toISOString(),
      };
      // Each attempt is counted before its password is checked, in a transaction serialised with every
      // other write (the audit head is taken first): guesses sent at once each see the ones before them,
      // so no more than `failures` passwords are ever checked before the account locks. `failed_logins`
      // therefore counts failures and attempts still in flight; a success clears it.
      const row = await auditedWrite(db, async (trx) => {
        const r = await findUserByEmail(trx, email);
        if (!r || (r.locked_until !== null && r.locked_until > now)) return { value: r, events: [] };
        if (r.failed_logins >= SIGN_IN_LIMITS.failures) {
          await updateUser(trx, r.id, lock);
          return { value: { ...r, ...lock }, events: [] };
        }
        await updateUser(trx, r.id, { failed_logins: r.failed_logins + 1 });
        return { value: r, events: [] };
      });
      const ctxOf = (r: UserRow | undefined): RequestContext => ({
        principal: r
          ? {
              kind: 'user',
              id: r.id as UserId,
              email,
              orgId: r.org_id as OrganisationId,
              role: r.role as Role,
              sessionId: '',
            }
          : { kind: 'operator', name: 'anonymous' },
        requestId,
      });
      // The attempt's count: `failed` keeps it (locking at the limit), `released` gives it back (the password
      // was right), `uncounted` had none (an unknown or locked account).
      const deny = async (
        code: Problem['code'],
        message: string,
        reason: string,
        attempt: 'failed' | 'released' | 'uncounted',
      ) => {
        await auditedWrite(db, async (trx) => {
          const current = row && attempt !== 'uncounted' ? await findUserByEmail(trx, email) : undefined;
          if (current && attempt === 'failed' && current.failed_logins >= SIGN_IN_LIMITS.failures)
            await updateUser(trx, current.id, lock);
          if (current && attempt === 'released')
            await updateUser(trx, current.id, { failed_logins: Math.max(0, current.failed_logins - 1) });
          return {
            value: undefined,
            events: [
              {
                ...event(ctxOf(row), 'session.create', 'user', row?.id ?? null, { email, reason }, 'denied'),
                actor: `user:${email}`,
              },
            ],
          };
        });
        return { ok: false as const, problems: [problem(code, '', message)] };
      };

      if (row?.locked_until && row.locked_until > now)
        return deny(
          'rate_limited',
          `too many failed sign-ins; try again after ${row.locked_until}`,
          'locked',
          'uncounted',
        );
      const passwordOk = await verifyPassword(input.password, row?.password_hash ?? (await decoy));
      if (!row || !passwordOk || row.disabled_at !== null)
        return deny(
          'unauthenticated',
          'e-mail or password is wrong',
          row ? 'password' : 'unknown',
          row ? 'failed' : 'uncounted',
        );
      if (row.totp_enabled === 1) {
        if (input.totp === undefined)
          return deny(
            'second_factor_required',
            'enter the code from your authenticator app',
            'totp-missing',
            // The password was right; a missing code is a question, not a guess.
            'released',
          );
        if (totpOf(row.totp_secret ?? '', email).validate({ token: input.totp, window: 1 }) === null)
          return deny('unauthenticated', 'the code is wrong or expired', 'totp', 'failed');
      }
      const token = newSecret();
      const expiresAt = new Date(Date.parse(now) + SESSION_HOURS * 3_600_000).toISOString();
      const sessionId = sha256Hex(token);
      await auditedWrite(db, async (trx) => {
        await insertSession(trx, {
          id: sessionId,
          user_id: row.id,
          created_at: now,
          expires_at: expiresAt,
          revoked_at: null,
        });
        await updateUser(trx, row.id, { failed_logins: 0, locked_until: null });
        return {
          value: undefined,
          events: [event(ctxOf(row), 'session.create', 'session', sessionId.slice(0, 16))],
        };
      });
      return {
        ok: true,
        token,
        csrfToken: service.csrfToken(token),
        expiresAt,
        user: userView(row, await slugs()),
      };
    },

    async signOut(ctx) {
      const p = ctx.principal;
      if (p.kind !== 'user') return;
      await auditedWrite(db, async (trx) => {
        await revokeSessions(trx, { id: p.sessionId }, clock.now());
        return {
          value: undefined,
          events: [event(ctx, 'session.revoke', 'session', p.sessionId.slice(0, 16))],
        };
      });
    },

    async session(token) {
      if (token.length > 100) return undefined;
      const s = await findSession(db, sha256Hex(token));
      if (!s || s.revokedAt !== null || s.disabledAt !== null || s.expiresAt <= clock.now()) return undefined;
      return {
        kind: 'user',
        id: s.userId as UserId,
        email: s.email,
        orgId: s.orgId as OrganisationId,
        role: s.role as Role,
        sessionId: s.sessionId,
      };
    },

    csrfToken: (token) => Buffer.from(sha256Hex(`csrf:${token}`), 'hex').toString('base64url'),

    async whoAmI(ctx) {
      const p = ctx.principal;
      if (p.kind !== 'user') return undefined;
      const row = await findUserByEmail(db, p.email);
      return row && userView(row, await slugs());
    },

    async createApiKey(input, ctx) {
      if (!can(ctx.principal, 'apikey.write')) return forbidden('create API keys');
      const problems: Problem[] = [];
      const orgId = await managedOrg(ctx, input.org);
      if (!orgId) problems.push(problem('unknown_organisation', 'org', `no organisation ${input.org}`));
      const scopes = [...new Set(input.scopes)];
      if (scopes.length === 0)
        problems.push(problem('invalid_value', 'scope', 'at least one scope: submit, read'));
      for (const [i, s] of scopes.entries())
        if (!isScope(s))
          problems.push(problem('invalid_value', `scope/${i}`, `${s}: expected submit or read`));
      const name = input.name?.trim() || `${input.org} key`;
      if (name.length > 200) problems.push(problem('invalid_value', 'name', 'at most 200 characters'));
      if (problems.length || !orgId) return { ok: false, problems };
      const id = newId();
      const secret = newSecret();
      const row: ApiKeyRow = {
        id,
        org_id: orgId,
        name,
        scopes: JSON.stringify(scopes),
        secret_hash: sha256Hex(secret),
        created_at: clock.now(),
        revoked_at: null,
      };
      await auditedWrite(db, async (trx) => {
        await insertApiKey(trx, row);
        return {
          value: undefined,
          events: [event(ctx, 'apikey.create', 'apikey', id, { orgId, scopes, name })],
        };
      });
      return {
        ok: true,
        value: { key: `${KEY_PREFIX}_${id}_${secret}`, apiKey: keyView(row, await slugs()) },
      };
    },

    async revokeApiKey(id, ctx) {
      if (!can(ctx.principal, 'apikey.write')) return forbidden('revoke API keys');
      const row = /^[0-9a-f-]{36}$/.test(id) ? await findApiKey(db, id) : undefined;
      if (!row || !(await inReach(ctx, row.org_id)))
        return { ok: false, problems: [problem('not_found', 'id', `no API key ${id}`)] };
      const at = row.revoked_at ?? clock.now();
      await auditedWrite(db, async (trx) => {
        await revokeApiKey(trx, id, at);
        return { value: undefined, events: [event(ctx, 'apikey.revoke', 'apikey', id)] };
      });
      return { ok: true, value: keyView({ ...row, revoked_at: at }, await slugs()) };
    },

    async listApiKeys(ctx) {
      if (!can(ctx.principal, 'apikey.read')) return [];
      const reach = await organisations.reach(ctx);
      const names = await slugs();
      return (await listApiKeys(db, reach && [...reach])).map((r) => keyView(r, names));
    },

    async apiKey(key) {
      const m = KEY.exec(key);
      if (!m?.[1] || !m[2]) return undefined;
      const row = await findApiKey(db, m[1]);
      if (!row || row.revoked_at !== null || !sameDigest(sha256Hex(m[2]), row.secret_hash)) return undefined;
      return {
        kind: 'client',
        id: row.id as ApiKeyId,
        orgId: row.org_id as OrganisationId,
        scopes: JSON.parse(row.scopes) as Scope[],
      };
    },

    async recordDenied(ctx, what) {
      await recordAudit(db, [
        event(ctx, 'access.denied', 'route', what.route, { reason: what.reason }, 'denied'),
      ]);
    },

    async enrolTotp(ctx) {
      const row = await requireUser(ctx, 'organisation.read');
      if (!row) return forbidden('enrol a second factor');
      // Re-enrolling would switch the factor off until confirmed: whoever holds a session (a stolen cookie,
      // say) could strip it. Resetting an enrolled factor is for an administrator, not for the session.
      if (row.totp_enabled === 1)
        return {
          ok: false,
          problems: [problem('conflict', '', 'a second factor is already enrolled for this account')],
        };
      const secret = new Secret({ size: 20 }).base32;
      await auditedWrite(db, async (trx) => {
        // Takes effect only once confirmed: until then sign-in does not ask for it.
        await updateUser(trx, row.id, { totp_secret: secret, totp_enabled: 0 });
        return { value: undefined, events: [event(ctx, 'user.totp.enrol', 'user', row.id)] };
      });
      return { ok: true, value: { secret, uri: totpOf(secret, row.email).toString() } };
    },

    async confirmTotp(code, ctx) {
      const row = await requireUser(ctx, 'organisation.read');
      if (!row) return forbidden('enrol a second factor');
      if (!row.totp_secret)
        return { ok: false, problems: [problem('conflict', 'code', 'start enrolment first')] };
      if (totpOf(row.totp_secret, row.email).validate({ token: code, window: 1 }) === null)
        return { ok: false, problems: [problem('invalid_value', 'code', 'the code is wrong or expired')] };
      await auditedWrite(db, async (trx) => {
        await updateUser(trx, row.id, { totp_enabled: 1 });
        return { value: undefined, events: [event(ctx, 'user.totp.confirm', 'user', row.id)] };
      });
      return { ok: true, value: userView({ ...row, totp_enabled: 1 }, await slugs()) };
    },
  };

  function totpOf(secret: string, email: string): TOTP {
    return new TOTP({
      issuer: deps.issuer ?? 'Conduit',
      label: email,
      secret: Secret.fromBase32(secret),
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
  }
  return service;
}
