import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/cli.ts';
import { loadConfig } from '../src/config.ts';
import { createApp } from '../src/main.ts';

describe('conduit demo', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('prints one working login per role, as `login: <email> <password> (<role>, <org>)`, and a working API key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conduit-demo-test-'));
    dirs.push(dir);
    const file = join(dir, 'demo.db');
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await runCli(['demo', '--no-serve', '--reports', '30', '--file', file], {
      env: {},
      stdin: Readable.from([]),
      stdout,
      stderr: new PassThrough(),
      openApp: (opts) => createApp(loadConfig(opts, {})),
    });
    expect(code).toBe(0);
    const logins = [...out.matchAll(/^login: (\S+) (\S+) \((\w+), ([\w-]+)\)$/gm)].map((m) => ({
      email: m[1] ?? '',
      password: m[2] ?? '',
      role: m[3],
      org: m[4],
    }));
    expect(logins.map((l) => l.role).sort()).toEqual([
      'admin',
      'analyst',
      'auditor',
      'investigator',
      'supervisor',
    ]);
    const key = /^apikey: (\S+) \(submit, demo-referring-centre/m.exec(out)?.[1] ?? '';

    const app = await createApp(loadConfig({ db: `sqlite:${file}` }, {}));
    try {
      for (const l of logins) {
        const r = await app.access.signIn({ email: l.email, password: l.password }, null);
        expect(r.ok ? { role: r.user.role, org: r.user.organisation } : r.problems).toEqual({
          role: l.role,
          org: l.org,
        });
      }
      expect(await app.access.apiKey(key)).toMatchObject({ kind: 'client', scopes: ['submit'] });
      // The hub's analyst sees the synthetic operation; the unit's investigator nothing yet (no routing rules).
      const seen = async (role: string) => {
        const l = logins.find((x) => x.role === role);
        const r = await app.access.signIn({ email: l?.email ?? '', password: l?.password ?? '' }, null);
        const principal = r.ok ? await app.access.session(r.token) : undefined;
        if (!principal) throw new Error(`no session for ${role}`);
        return (await app.referrals.list({ limit: 50 }, { principal, requestId: null })).items.length;
      };
      expect(await seen('analyst')).toBe(30);
      expect(await seen('investigator')).toBe(0);
      // Linked into subjects, and a synthetic register of known accounts loaded.
      expect(out).toMatch(
        /^demo: referrals linked into subjects; register demo-known-accounts: \d+ entries/m,
      );
      const subjects = await app.subjects.list(
        { limit: 200 },
        { principal: { kind: 'operator', name: 't' }, requestId: null },
      );
      const count = subjects.ok ? subjects.value.items.length : 0;
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThanOrEqual(30 * 5);
    } finally {
      await app.close();
    }
  }, 120_000);
});
