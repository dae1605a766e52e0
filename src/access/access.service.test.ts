import { Secret, TOTP } from 'otpauth';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS, openTestDatabase } from '../../test/support/databases.ts';
import { OPERATOR } from '../../test/support/server.ts';
import type { Instant } from '../domain/ids.ts';
import { createOrganisationsService } from '../organisations/organisations.service.ts';
import { createAccessService, SIGN_IN_LIMITS, type AccessService, type SignIn } from './access.service.ts';

const PASSWORD = 'a synthetic test password';

/** A clock the test moves by hand. */
function manualClock(start = '2026-03-01T09:00:00.000Z') {
  let t = Date.parse(start);
  return {
    now: () => new Date(t).toISOString() as Instant,
    advance(ms: number) {
      t += ms;
    },
  };
}

const codeOf = (r: SignIn) => (r.ok ? 'ok' : r.problems[0]?.code);

describe.each(DIALECTS)('access service on %s', (dialect) => {
  let disposers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const d of disposers) await d();
    disposers = [];
  });

  async function setup(): Promise<{ access: AccessService; clock: ReturnType<typeof manualClock> }> {
    const database = await openTestDatabase(dialect);
    disposers.push(() => database.dispose());
    const clock = manualClock();
    const organisations = createOrganisationsService({ database, clock, newId: uuidv7 });
    await organisations.ensureReceiving('hub');
    // A low scrypt cost keeps the test fast; the cost travels with each hash.
    const access = createAccessService({
      database,
      organisations,
      clock,
      newId: uuidv7,
      scryptCost: 2 ** 10,
    });
    const added = await access.addUser(
      { org: 'hub', email: 'ana@hub.example.org', role: 'analyst', password: PASSWORD },
      OPERATOR,
    );
    expect(added.ok).toBe(true);
    return { access, clock };
  }
  const signIn = (access: AccessService, password: string) =>
    access.signIn({ email: 'ana@hub.example.org', password }, null);

  it('locks after 5 failed sign-ins for 15 minutes, then lets the right password in again', async () => {
    const { access, clock } = await setup();
    for (let i = 0; i < SIGN_IN_LIMITS.failures; i++)
      expect(codeOf(await signIn(access, `wrong ${i}`))).toBe('unauthenticated');
    expect(codeOf(await signIn(access, PASSWORD))).toBe('rate_limited');
    clock.advance(14 * 60_000);
    expect(codeOf(await signIn(access, PASSWORD))).toBe('rate_limited');
    clock.advance(60_000 + 1);
    expect(codeOf(await signIn(access, PASSWORD))).toBe('ok');
  });

  it('forgets earlier failures after a successful sign-in', async () => {
    const { access } = await setup();
    for (let i = 0; i < SIGN_IN_LIMITS.failures - 1; i++) await signIn(access, `wrong ${i}`);
    expect(codeOf(await signIn(access, PASSWORD))).toBe('ok');
    for (let i = 0; i < SIGN_IN_LIMITS.failures - 1; i++)
      expect(codeOf(await signIn(access, `wrong again ${i}`))).toBe('unauthenticated');
    expect(codeOf(await signIn(access, PASSWORD))).toBe('ok');
  });

  // Regression: the failure count was read before the (slow) password check and written after it, so
  // guesses sent at once all read the same count and the account never locked.
  it('locks after 5 failures even when the guesses arrive at once, and checks no more than 5 of them', async () => {
    const { access } = await setup();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signIn(access, `parallel guess ${i}`)),
    );
    const codes = results.map(codeOf);
    expect(codes.filter((c) => c === 'unauthenticated').length).toBeLessThanOrEqual(SIGN_IN_LIMITS.failures);
    expect(codes.filter((c) => c === 'rate_limited').length).toBeGreaterThanOrEqual(
      20 - SIGN_IN_LIMITS.failures,
    );
    expect(codeOf(await signIn(access, PASSWORD))).toBe('rate_limited');
  });

  it('gives someone who knows the password 5 guesses at the second factor, however they interleave asking', async () => {
    const { access } = await setup();
    const s = await signIn(access, PASSWORD);
    const principal = s.ok ? await access.session(s.token) : undefined;
    if (!principal) throw new Error('no session');
    const ctx = { principal, requestId: null };
    const enrolled = await access.enrolTotp(ctx);
    if (!enrolled.ok) throw new Error('no enrolment');
    const totp = new TOTP({ secret: Secret.fromBase32(enrolled.value.secret) });
    expect((await access.confirmTotp(totp.generate(), ctx)).ok).toBe(true);
    const attempt = (code?: string) =>
      access.signIn({ email: 'ana@hub.example.org', password: PASSWORD, ...(code && { totp: code }) }, null);
    const wrong = totp.generate({ timestamp: Date.now() - 3_600_000 });
    for (let i = 0; i < SIGN_IN_LIMITS.failures; i++) {
      // Asking which factor is needed is not held against the account, and does not reset it either.
      expect(codeOf(await attempt())).toBe('second_factor_required');
      expect(codeOf(await attempt(wrong))).toBe('unauthenticated');
    }
    expect(codeOf(await attempt(totp.generate()))).toBe('rate_limited');
  });

  it('ends a session after 8 hours, and at once when revoked', async () => {
    const { access, clock } = await setup();
    const s = await signIn(access, PASSWORD);
    if (!s.ok) throw new Error('no session');
    expect(s.expiresAt).toBe('2026-03-01T17:00:00.000Z');
    clock.advance(8 * 3_600_000 - 1);
    const principal = await access.session(s.token);
    expect(principal).toMatchObject({ kind: 'user', email: 'ana@hub.example.org', role: 'analyst' });
    clock.advance(1);
    expect(await access.session(s.token)).toBeUndefined();
    const again = await signIn(access, PASSWORD);
    if (!again.ok) throw new Error('no session');
    const p = await access.session(again.token);
    if (!p) throw new Error('no principal');
    await access.signOut({ principal: p, requestId: null });
    expect(await access.session(again.token)).toBeUndefined();
  });

  it('stores neither passwords, session tokens nor API key secrets, only their hashes', async () => {
    const database = await openTestDatabase(dialect);
    disposers.push(() => database.dispose());
    const clock = manualClock();
    const organisations = createOrganisationsService({ database, clock, newId: uuidv7 });
    await organisations.ensureReceiving('hub');
    const access = createAccessService({
      database,
      organisations,
      clock,
      newId: uuidv7,
      scryptCost: 2 ** 10,
    });
    await access.addUser(
      { org: 'hub', email: 'bo@hub.example.org', role: 'admin', password: PASSWORD },
      OPERATOR,
    );
    const s = await access.signIn({ email: 'bo@hub.example.org', password: PASSWORD }, null);
    const key = await access.createApiKey({ org: 'hub', scopes: ['submit'] }, OPERATOR);
    if (!s.ok || !key.ok) throw new Error('setup failed');
    const secret = key.value.key.split('_').slice(2).join('_');
    const dump = JSON.stringify(
      await Promise.all(
        (['users', 'sessions', 'api_keys', 'audit_events'] as const).map((t) =>
          database.db.selectFrom(t).selectAll().execute(),
        ),
      ),
    );
    for (const s2 of [PASSWORD, s.token, s.csrfToken, secret]) expect(dump).not.toContain(s2);
    expect(await access.apiKey(key.value.key)).toMatchObject({ kind: 'client', scopes: ['submit'] });
    // A key with the right id and a wrong secret is nobody.
    expect(await access.apiKey(key.value.key.slice(0, -4) + 'AAAA')).toBeUndefined();
  });
});
