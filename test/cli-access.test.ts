import { afterEach, describe, expect, it } from 'vitest';
import { conduit } from './support/cli.ts';
import type { App } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { RequestContext } from '../src/domain/access.ts';
import { createApp } from '../src/main.ts';
import { createTestDatabase, DIALECTS } from './support/databases.ts';

const PASSWORD = 'Tr0ub4dor-and-a-horse';
/** Whom the test asks the services as when it checks what the CLI did. */
const OPERATOR: RequestContext = { principal: { kind: 'operator', name: 'test' }, requestId: null };

/** The secret part must never be printed anywhere: neither on success nor in an error message. */
function expectNoSecret(r: { out: string; err: string }, secret: string) {
  expect(r.out).not.toContain(secret);
  expect(r.err).not.toContain(secret);
}

describe.each(DIALECTS)('conduit user and apikey commands on %s', (dialect) => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup.length = 0;
  });

  /** A fresh database with one national centre, and the app for checking what the CLI did. */
  async function setup(): Promise<{ db: string; app: App }> {
    const t = await createTestDatabase(dialect);
    cleanup.push(() => t.dispose());
    const db = t.cliUrl;
    const org = await conduit(db, [
      'org',
      'add',
      '--slug',
      'it-nc',
      '--kind',
      'national-centre',
      '--country',
      'IT',
    ]);
    expect(org.code).toBe(0);
    const app = await createApp(loadConfig({ db }, {}));
    cleanup.push(() => app.close());
    return { db, app };
  }

  const addUser = (db: string, email: string, stdin: string, ...extra: string[]) =>
    conduit(
      db,
      ['user', 'add', '--org', 'it-nc', '--email', email, '--role', 'analyst', '--password-stdin', ...extra],
      stdin,
    );

  it('adds a user with the password from stdin, never printing it, and the user can sign in', async () => {
    const { db, app } = await setup();
    const added = await addUser(db, 'Ana@Example.org', `${PASSWORD}\nthe second line is ignored\n`, '--json');
    expect(added).toMatchObject({ code: 0, err: '' });
    expectNoSecret(added, PASSWORD);
    expect(JSON.parse(added.out)).toMatchObject({
      email: 'ana@example.org',
      role: 'analyst',
      organisation: 'it-nc',
      disabled: false,
    });
    const signedIn = await app.access.signIn({ email: 'ana@example.org', password: PASSWORD }, null);
    expect(signedIn.ok).toBe(true);

    // Without --json: one human line; a CRLF line ending is not part of the password.
    const text = await addUser(db, 'bea@example.org', `${PASSWORD}\r\n`);
    expect(text).toMatchObject({ code: 0, out: 'added bea@example.org (analyst, it-nc)\n', err: '' });
    expect((await app.access.signIn({ email: 'bea@example.org', password: PASSWORD }, null)).ok).toBe(true);
  });

  it('reads a password that ends at the end of stdin without a newline', async () => {
    const { db, app } = await setup();
    expect((await addUser(db, 'ana@example.org', PASSWORD)).code).toBe(0);
    expect((await app.access.signIn({ email: 'ana@example.org', password: PASSWORD }, null)).ok).toBe(true);
  });

  it('refuses an empty password or none on stdin with exit 2, and adds nobody', async () => {
    const { db, app } = await setup();
    for (const stdin of ['', '\n', `\n${PASSWORD}\n`]) {
      const r = await addUser(db, 'ana@example.org', stdin, '--json');
      expect({ stdin, ...r }).toEqual({
        stdin,
        code: 2,
        out: '',
        err: 'conduit: --password-stdin: no password on stdin\n',
      });
    }
    expect(await app.access.listUsers(OPERATOR)).toEqual([]);
  });

  it('takes no password from the command line: without --password-stdin, or as an argument, exit 2', async () => {
    const { db, app } = await setup();
    const missing = await conduit(
      db,
      ['user', 'add', '--org', 'it-nc', '--email', 'ana@example.org', '--role', 'analyst'],
      `${PASSWORD}\n`,
    );
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--password-stdin');
    for (const extra of [
      [PASSWORD],
      ['--password', PASSWORD],
      [`--password-stdin=${PASSWORD}`],
      [`-p${PASSWORD}`],
    ]) {
      const r = await addUser(db, 'ana@example.org', `${PASSWORD}\n`, ...extra);
      expect(r.code).toBe(2);
      expectNoSecret(r, PASSWORD);
    }
    expect(await app.access.listUsers(OPERATOR)).toEqual([]);
  });

  it('names each wrong field of user add on stderr, exits 2 and adds nobody', async () => {
    const { db, app } = await setup();
    const r = await conduit(
      db,
      [
        'user',
        'add',
        '--org',
        'nowhere',
        '--email',
        'not-an-address',
        '--role',
        'king',
        '--password-stdin',
        '--json',
      ],
      'short\n',
    );
    expect(r).toMatchObject({ code: 2, out: '' });
    expectNoSecret(r, 'short');
    expect(r.err.trim().split('\n').sort()).toEqual([
      'conduit: --email: not an e-mail address',
      'conduit: --org: no organisation nowhere',
      'conduit: --password-stdin: between 12 and 1024 characters',
      'conduit: --role: one of admin, supervisor, analyst, investigator, auditor',
    ]);
    expect(await app.access.listUsers(OPERATOR)).toEqual([]);

    expect((await addUser(db, 'ana@example.org', `${PASSWORD}\n`)).code).toBe(0);
    const again = await addUser(db, 'ANA@example.org', 'another-long-password\n');
    expect(again).toMatchObject({ code: 2, out: '', err: 'conduit: --email: ana@example.org exists\n' });
    expectNoSecret(again, 'another-long-password');
  });

  it('disables a user: their sign-in fails at once and the list shows them disabled', async () => {
    const { db, app } = await setup();
    await addUser(db, 'ana@example.org', `${PASSWORD}\n`);
    await addUser(db, 'bea@example.org', `${PASSWORD}\n`);
    const before = await app.access.signIn({ email: 'ana@example.org', password: PASSWORD }, null);
    if (!before.ok) throw new Error('ana cannot sign in');
    expect(await app.access.session(before.token)).toBeDefined();

    const disabled = await conduit(db, ['user', 'disable', '--email', 'ana@example.org', '--json']);
    expect(disabled).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(disabled.out)).toMatchObject({ email: 'ana@example.org', disabled: true });
    expect((await app.access.signIn({ email: 'ana@example.org', password: PASSWORD }, null)).ok).toBe(false);
    // The session she already had ends too.
    expect(await app.access.session(before.token)).toBeUndefined();
    expect((await app.access.signIn({ email: 'bea@example.org', password: PASSWORD }, null)).ok).toBe(true);

    const list = await conduit(db, ['user', 'list', '--json']);
    expect(list.code).toBe(0);
    expect(
      (JSON.parse(list.out) as { email: string; disabled: boolean }[])
        .map((u) => [u.email, u.disabled])
        .sort(),
    ).toEqual([
      ['ana@example.org', true],
      ['bea@example.org', false],
    ]);
    const text = await conduit(db, ['user', 'list']);
    expect(text.out.trim().split('\n').sort()).toEqual([
      'ana@example.org\tanalyst\tit-nc\tdisabled',
      'bea@example.org\tanalyst\tit-nc\tactive',
    ]);
    expect((await conduit(db, ['user', 'disable', '--email', 'bea@example.org'])).out).toBe(
      'disabled bea@example.org\n',
    );
  });

  it('exits 2 when disabling someone unknown, and when --email is missing', async () => {
    const { db } = await setup();
    const unknown = await conduit(db, ['user', 'disable', '--email', 'nobody@example.org', '--json']);
    expect(unknown).toEqual({ code: 2, out: '', err: 'conduit: --email: no user nobody@example.org\n' });
    expect((await conduit(db, ['user', 'disable'])).code).toBe(2);
  });

  it('lists no users as an empty JSON array', async () => {
    const { db } = await setup();
    expect(await conduit(db, ['user', 'list', '--json'])).toEqual({ code: 0, out: '[]\n', err: '' });
  });

  it('creates an API key shown once, which authenticates as a client of its organisation', async () => {
    const { db, app } = await setup();
    const created = await conduit(db, [
      'apikey',
      'create',
      '--org',
      'it-nc',
      '--scope',
      'submit',
      '--scope',
      'read',
      '--name',
      'ExampleChat uploader',
      '--json',
    ]);
    expect(created).toMatchObject({ code: 0, err: '' });
    const { key, apiKey } = JSON.parse(created.out) as {
      key: string;
      apiKey: { id: string; organisation: string; name: string; scopes: string[]; revokedAt: null };
    };
    expect(key).toMatch(/^cdk_/);
    expect(apiKey).toMatchObject({
      organisation: 'it-nc',
      name: 'ExampleChat uploader',
      scopes: ['submit', 'read'],
      revokedAt: null,
    });
    const itNc = await app.organisations.bySlug('it-nc');
    expect(await app.access.apiKey(key)).toEqual({
      kind: 'client',
      id: apiKey.id,
      orgId: itNc?.id,
      scopes: ['submit', 'read'],
    });
    const secret = key.slice(key.lastIndexOf('_') + 1);
    for (const args of [
      ['apikey', 'list'],
      ['apikey', 'list', '--json'],
    ]) {
      const list = await conduit(db, args);
      expect(list.code).toBe(0);
      expect(list.out).toContain(apiKey.id);
      expectNoSecret(list, secret);
    }
  });

  it('without --json prints only the key on stdout, and warns on stderr that it is shown once', async () => {
    const { db, app } = await setup();
    const r = await conduit(db, ['apikey', 'create', '--org', 'it-nc', '--scope', 'submit']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^cdk_\S+\n$/);
    expect(r.err).toMatch(/shown once/);
    expect(r.err).not.toContain(r.out.trim());
    expect(await app.access.apiKey(r.out.trim())).toMatchObject({ kind: 'client', scopes: ['submit'] });
  });

  it('revokes an API key: it stops authenticating at once', async () => {
    const { db, app } = await setup();
    const created = JSON.parse(
      (await conduit(db, ['apikey', 'create', '--org', 'it-nc', '--scope', 'submit', '--json'])).out,
    ) as { key: string; apiKey: { id: string } };
    const other = JSON.parse(
      (await conduit(db, ['apikey', 'create', '--org', 'it-nc', '--scope', 'read', '--json'])).out,
    ) as { key: string };
    expect(await app.access.apiKey(created.key)).toBeDefined();

    const revoked = await conduit(db, ['apikey', 'revoke', created.apiKey.id, '--json']);
    expect(revoked).toMatchObject({ code: 0, err: '' });
    const view = JSON.parse(revoked.out) as { id: string; revokedAt: string | null };
    expect(view.id).toBe(created.apiKey.id);
    expect(view.revokedAt).toEqual(expect.any(String));
    expect(await app.access.apiKey(created.key)).toBeUndefined();
    expect(await app.access.apiKey(other.key)).toBeDefined();

    const list = JSON.parse((await conduit(db, ['apikey', 'list', '--json'])).out) as {
      id: string;
      revokedAt: string | null;
    }[];
    expect(list.find((k) => k.id === created.apiKey.id)?.revokedAt).toEqual(expect.any(String));
    expect((await conduit(db, ['apikey', 'revoke', created.apiKey.id])).out).toBe(
      `revoked ${created.apiKey.id}\n`,
    );
    const text = await conduit(db, ['apikey', 'list']);
    expect(text.out).toMatch(new RegExp(`^${created.apiKey.id}\\tit-nc\\tsubmit\\trevoked `, 'm'));
  });

  it('exits 2 naming the field when apikey create or revoke is wrong, and creates nothing', async () => {
    const { db, app } = await setup();
    const bad = await conduit(db, [
      'apikey',
      'create',
      '--org',
      'nowhere',
      '--scope',
      'submit',
      '--scope',
      'submit',
      '--scope',
      'delete',
      '--json',
    ]);
    expect(bad).toMatchObject({ code: 2, out: '' });
    expect(bad.err.trim().split('\n').sort()).toEqual([
      'conduit: --org: no organisation nowhere',
      'conduit: --scope: delete: expected submit or read',
    ]);
    const noScope = await conduit(db, ['apikey', 'create', '--org', 'it-nc', '--json']);
    expect(noScope).toEqual({
      code: 2,
      out: '',
      err: 'conduit: --scope: at least one scope: submit, read\n',
    });
    expect((await conduit(db, ['apikey', 'create', '--scope', 'read'])).code).toBe(2);
    expect(await app.access.listApiKeys(OPERATOR)).toEqual([]);

    const unknown = await conduit(db, ['apikey', 'revoke', '01900000-0000-7000-8000-000000000000', '--json']);
    expect(unknown).toEqual({
      code: 2,
      out: '',
      err: 'conduit: <id>: no API key 01900000-0000-7000-8000-000000000000\n',
    });
    expect((await conduit(db, ['apikey', 'revoke'])).code).toBe(2);
  });

  it('records every change in the audit trail as the operator at the shell, and the trail stays intact', async () => {
    const { db, app } = await setup();
    await addUser(db, 'ana@example.org', `${PASSWORD}\n`);
    await conduit(db, ['user', 'disable', '--email', 'ana@example.org']);
    const { apiKey } = JSON.parse(
      (await conduit(db, ['apikey', 'create', '--org', 'it-nc', '--scope', 'read', '--json'])).out,
    ) as { apiKey: { id: string } };
    await conduit(db, ['apikey', 'revoke', apiKey.id]);
    const found = await app.audit.search({ limit: 10 }, OPERATOR);
    if (!found.ok) throw new Error('cannot read the trail');
    const events = found.items.map((e) => [e.action, e.actor.startsWith('cli:')]).reverse();
    expect(events).toEqual([
      ['organisation.add', true], // the receiving hub, made on first start
      ['organisation.add', true],
      ['user.add', true],
      ['user.disable', true],
      ['apikey.create', true],
      ['apikey.revoke', true],
    ]);
    expectNoSecret({ out: JSON.stringify(found.items), err: '' }, PASSWORD);
    expect((await conduit(db, ['audit', 'verify'])).code).toBe(0);
  });
});

it.each([
  ['user', 'add'],
  ['user', 'disable'],
  ['user', 'list'],
  ['apikey', 'create'],
  ['apikey', 'revoke'],
  ['apikey', 'list'],
  ['org', 'add'],
])('%s %s has --help', async (...command) => {
  const r = await conduit('sqlite::memory:', [...command, '--help']);
  expect(r.code).toBe(0);
  expect(r.out).toContain(`Usage: conduit ${command.join(' ')}`);
  expect(r.out).toContain('--json');
});
