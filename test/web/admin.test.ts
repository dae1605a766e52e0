import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchChromium,
  newPage,
  screenshot,
  seriousViolations,
  signIn,
  startWebServer,
  type WebServer,
} from '../support/browser.ts';
import { OPERATOR } from '../support/server.ts';

/** A synthetic CSV hash list: random bytes, never the hash of anything real. */
function hashList(rows: number, opts: { broken?: boolean } = {}): Buffer {
  const lines = ['hash_type,hash,category,scheme'];
  for (let i = 0; i < rows; i++) {
    lines.push(
      i % 2 === 0
        ? `sha256,${randomBytes(32).toString('hex')},1,vics-us`
        : `md5,${randomBytes(16).toString('hex')},,`,
    );
  }
  if (opts.broken) {
    lines.splice(2, 0, 'sha256,not-a-hash,1,vics-us');
    lines.splice(4, 0, 'crc32,0123abcd,,');
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

const SHIPPED_ROUTING = JSON.parse(readFileSync('config/routing.rules.json', 'utf8')) as { version: string };

describe('web application: administration', () => {
  let server: WebServer;
  let browser: Browser;
  let admin: { email: string; password: string };
  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer({ reports: 40 }), launchChromium()]);
    admin = await server.user('admin');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function asAdmin(): Promise<Page> {
    const page = await newPage(browser);
    await signIn(page, server.url, admin);
    return page;
  }

  it('shows an administrator the sections of the role, and the organisation tree with its coverage', async () => {
    const page = await asAdmin();
    // An administrator reads no referrals: the application opens on the administration overview.
    await page.waitForURL(/\/admin$/);
    await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
    const main = page.getByRole('main');
    for (const name of [
      'Organisations',
      'Users and roles',
      'API keys',
      'Hash lists',
      'Routing and priority rules',
    ])
      await main.getByRole('link', { name, exact: true }).first().waitFor();
    // Not for this role: the audit trail (auditors) and the registers (supervisors, analysts).
    expect(await main.getByRole('link', { name: 'Audit trail' }).count()).toBe(0);
    expect(await main.getByRole('link', { name: 'Prior-records registers' }).count()).toBe(0);
    await screenshot(page, '60-admin-overview');
    expect(await seriousViolations(page)).toEqual([]);

    await main.getByRole('heading', { name: 'Organisations' }).getByRole('link').click();
    await page.waitForURL(/\/admin\/organisations$/);
    // The tree: the unit hangs below its national centre, which hangs below the receiving hub.
    const ncc = page.locator('li:has(> .org-node[data-slug="demo-ncc-it"])');
    await ncc.locator('> .org-node').getByText('National centre').waitFor();
    await ncc.locator('ul .org-node[data-slug="demo-unit-roma"]').getByText('Covers: IT-62').waitFor();
    await page
      .locator(
        `li:has(> .org-node[data-slug="${server.app.receiving.slug}"]) .org-node[data-slug="demo-ncc-it"]`,
      )
      .waitFor();
    await page
      .locator('.org-node[data-slug="demo-referring-centre"]')
      .getByText('Referring centre', { exact: true })
      .waitFor();

    // Refusals of the server, each next to its field.
    await page.getByLabel('Identifier (slug)').fill('Not A Slug');
    await page.getByLabel('Coverage regions').fill('IT-62, 12');
    await page.getByRole('button', { name: 'Add organisation' }).click();
    await page.getByRole('alert').filter({ hasText: 'Please correct the highlighted values.' }).waitFor();
    await expect.poll(() => page.getByLabel('Identifier (slug)').getAttribute('aria-invalid')).toBe('true');
    await page.getByText('lower-case letters, digits and dashes, at most 63').waitFor();
    await page.getByText('a country (IT) or subdivision (IT-RM)').waitFor();
    await screenshot(page, '61-admin-organisation-refused');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Identifier (slug)').fill('demo-unit-milano');
    await page.getByLabel('Name', { exact: true }).fill('Synthetic unit Milano');
    await page.getByLabel('Kind').selectOption('unit');
    await page.getByLabel('Country code').fill('IT');
    await page.getByLabel('Parent organisation').selectOption('demo-ncc-it');
    await page.getByLabel('Coverage regions').fill('IT-25');
    await page.getByRole('button', { name: 'Add organisation' }).click();
    await page.getByRole('status').filter({ hasText: 'Organisation demo-unit-milano added.' }).waitFor();
    await ncc.locator('ul .org-node[data-slug="demo-unit-milano"]').getByText('Covers: IT-25').waitFor();
    await screenshot(page, '61-admin-organisations');
    expect(await seriousViolations(page)).toEqual([]);
    expect((await server.app.organisations.bySlug('demo-unit-milano'))?.covers).toEqual(['IT-25']);
    await page.close();
  });

  it('lets an administrator add a person, see them listed, and disable them after confirming', async () => {
    const page = await asAdmin();
    await page.goto(`${server.url}/admin/users`);
    await page.getByRole('heading', { level: 1, name: 'Users and roles' }).waitFor();
    await page.getByRole('row').filter({ hasText: admin.email }).waitFor();

    // A password too short and a bad address: refused, per field.
    await page.getByLabel('E-mail').fill('not an address');
    await page.getByLabel('Initial password').fill('short');
    await page.getByRole('button', { name: 'Add person' }).click();
    await page.getByText('not an e-mail address').waitFor();
    await page.getByText('between 12 and 1024 characters').waitFor();

    const email = `new-analyst-${process.pid}@demo-unit-roma.example.org`;
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Role').selectOption('analyst');
    await page.getByLabel('Organisation').selectOption('demo-unit-roma');
    await page.getByLabel('Initial password').fill('a synthetic password of length');
    await page.getByRole('button', { name: 'Add person' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${email} added as Analyst.` })
      .waitFor();
    const row = page.getByRole('row').filter({ hasText: email });
    await row.getByText('demo-unit-roma', { exact: true }).waitFor();
    await row.getByText('Active').waitFor();
    await screenshot(page, '62-admin-users');
    expect(await seriousViolations(page)).toEqual([]);

    // Disabling asks first; Cancel (focused) leaves the account alone.
    await row.getByRole('button', { name: `Disable ${email}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Disable this account?' });
    await dialog.waitFor();
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Cancel');
    await screenshot(page, '62-admin-users-disable');
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await row.getByText('Active').waitFor();
    await row.getByRole('button', { name: `Disable ${email}` }).click();
    await dialog.getByRole('button', { name: 'Disable' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${email} is disabled.` })
      .waitFor();
    await row.getByText('Disabled').waitFor();
    // Really disabled: the person cannot sign in.
    const res = await fetch(`${server.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'a synthetic password of length' }),
    });
    expect(res.status).toBe(401);
    await page.close();
  });

  it('creates an API key shown once with a warning, and revokes it after confirming', async () => {
    const page = await asAdmin();
    await page.goto(`${server.url}/admin/apikeys`);
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
    await page.getByLabel('Organisation').selectOption('demo-ncc-it');
    await page.getByLabel('Name', { exact: true }).fill('synthetic reporting system');
    await page.getByLabel(/^read/).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const once = page.getByRole('region', { name: 'The new API key' });
    await once.getByText('This key is shown only now.').waitFor();
    const key = await once.getByLabel('API key', { exact: true }).inputValue();
    expect(key).toMatch(/^cdk_[0-9a-f-]{36}_[A-Za-z0-9_-]{43}$/);
    await once.getByRole('button', { name: 'Copy' }).waitFor();
    await screenshot(page, '63-admin-apikey-once');
    expect(await seriousViolations(page)).toEqual([]);

    // The key works, for its scopes.
    const asKey = () => fetch(`${server.url}/api/v1/queue`, { headers: { authorization: `Bearer ${key}` } });
    expect((await asKey()).status).toBe(200);

    // Dismissed, it is gone for good: neither the page nor the list shows it again.
    await once.getByRole('button', { name: 'I have stored the key' }).click();
    await once.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(key);
    const row = page.getByRole('row').filter({ hasText: 'synthetic reporting system' });
    await row.getByText('submit, read').waitFor();
    await row.getByText('Active').waitFor();
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(key.split('_')[2]);

    await row.getByRole('button', { name: 'Revoke synthetic reporting system' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke this API key?' });
    await dialog.getByText('stops working at once').waitFor();
    await screenshot(page, '63-admin-apikey-revoke');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('status').filter({ hasText: '“synthetic reporting system” is revoked.' }).waitFor();
    await row.getByText('Revoked').waitFor();
    expect((await asKey()).status).toBe(401);
    await screenshot(page, '63-admin-apikeys');
    await page.close();
  });

  it('imports a hash list with upload progress, shows the result and the new version, and lists refused lines', async () => {
    const page = await asAdmin();
    await page.goto(`${server.url}/admin/hashlists`);
    await page.getByRole('heading', { level: 1, name: 'Hash lists' }).waitFor();
    await page.getByText('No hash list is loaded yet').waitFor();

    // Big enough for several progress events even on loopback.
    const file = { name: 'synthetic list.csv', mimeType: 'text/csv', buffer: hashList(20_000) };
    await page.getByLabel('List file').setInputFiles(file);
    expect(await page.getByLabel('List name').inputValue()).toBe('synthetic-list');
    const events: number[] = [];
    await page.exposeFunction('progressSeen', (v: number) => events.push(v));
    // Every value the progress bar takes while the file goes up (the test's TypeScript has no DOM types).
    await page.evaluate(`
      new MutationObserver(() => {
        const p = document.querySelector('progress');
        if (p) progressSeen(p.value);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    `);
    await page.getByRole('button', { name: 'Import' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Imported “synthetic-list”, version 1: 20,000 entries.' })
      .waitFor({ timeout: 30_000 });
    expect(await page.getByLabel('Upload progress').getAttribute('value')).toBe('100');
    expect(events.length).toBeGreaterThan(0);
    expect(events.at(-1)).toBe(100);
    const row = page.locator('tr[data-list="synthetic-list"]');
    await row.getByRole('cell', { name: '20,000' }).waitFor();
    await screenshot(page, '64-admin-hashlist-imported');
    expect(await seriousViolations(page)).toEqual([]);

    // A new file of the same name: version 2 replaces it.
    await page.getByLabel('List file').setInputFiles({ ...file, buffer: hashList(300) });
    await page.getByRole('button', { name: 'Import' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Imported “synthetic-list”, version 2: 300 entries.' })
      .waitFor();
    await row.locator('td').first().filter({ hasText: '2' }).waitFor();
    await row.getByRole('cell', { name: '300', exact: true }).waitFor();

    // A broken file: refused whole, each bad line named; the list in force stays version 2.
    await page
      .getByLabel('List file')
      .setInputFiles({ name: 'broken.csv', mimeType: 'text/csv', buffer: hashList(10, { broken: true }) });
    await page.getByLabel('List name').fill('synthetic-list');
    await page.getByRole('button', { name: 'Import' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('The file was refused, with 2 problems: nothing was imported').waitFor();
    await alert
      .getByRole('listitem')
      .filter({ hasText: 'not a sha256 hash' })
      .locator('code', { hasText: 'line 3/hash' })
      .waitFor();
    await alert
      .getByRole('listitem')
      .filter({ hasText: 'expected one of md5, sha1, sha256, pdq' })
      .locator('code', { hasText: 'line 5/hash_type' })
      .waitFor();
    await row.getByRole('cell', { name: '300', exact: true }).waitFor();
    await screenshot(page, '64-admin-hashlist-refused');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('shows the rules in force and validates an edit, naming the path of each problem', async () => {
    const page = await asAdmin();
    await page.goto(`${server.url}/admin/rules`);
    await page.getByRole('heading', { level: 1, name: 'Routing and priority rules' }).waitFor();
    await page.getByRole('definition').filter({ hasText: SHIPPED_ROUTING.version }).waitFor();
    await page.getByText('Shipped with Conduit').waitFor();
    const editor = page.getByLabel('Rules document (JSON)');
    const text = await editor.inputValue();
    expect(JSON.parse(text)).toMatchObject({
      format: 'conduit.routing-rules/1',
      version: SHIPPED_ROUTING.version,
    });

    await page.getByRole('button', { name: 'Validate' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Valid: version ${SHIPPED_ROUTING.version}` })
      .waitFor();

    // A broken edit: a negative weight and a place that is not a subdivision.
    const broken = JSON.parse(text) as { weights: Record<string, number>; places: Record<string, string> };
    broken.weights.ip = -1;
    broken.places.Roma = 'Lazio';
    await editor.fill(JSON.stringify(broken, null, 2));
    await page.getByRole('button', { name: 'Validate' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('The document has').waitFor();
    await alert.locator('code', { hasText: '/weights/ip' }).waitFor();
    await screenshot(page, '65-admin-rules-invalid');
    expect(await seriousViolations(page)).toEqual([]);

    broken.weights.ip = 3;
    await editor.fill(JSON.stringify(broken, null, 2));
    await page.getByRole('button', { name: 'Validate' }).click();
    await alert.locator('code', { hasText: '/places/Roma' }).waitFor();
    expect(await alert.locator('code', { hasText: '/weights/ip' }).count()).toBe(0);

    // Not JSON at all: said before anything is sent.
    await editor.fill('{ "format": ');
    await page.getByRole('button', { name: 'Validate' }).click();
    await alert.getByText('This is not valid JSON').waitFor();

    // Saving (rules.write) asks first, then puts the new version in force.
    const next = { ...(JSON.parse(text) as object), version: 'synthetic-test.2' };
    await editor.fill(JSON.stringify(next, null, 2));
    await page.getByRole('button', { name: 'Save and put in force' }).click();
    const dialog = page.getByRole('dialog', { name: 'Put these rules in force?' });
    await dialog.getByText('Version synthetic-test.2').waitFor();
    await dialog.getByRole('button', { name: 'Save and put in force' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Saved: version synthetic-test.2 is in force' })
      .waitFor();
    await page.getByText('Loaded by this instance').waitFor();
    await page.getByRole('link', { name: 'Priority rules', exact: true }).click();
    await page.getByRole('heading', { name: 'In force: Priority rules' }).waitFor();
    await screenshot(page, '65-admin-rules-priority');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('shows a supervisor the registers and lexicons', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('supervisor'));
    await page.goto(`${server.url}/admin/registers`);
    await page.getByRole('heading', { level: 1, name: 'Prior-records registers' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'demo-known-accounts' }).waitFor();
    await page.getByRole('heading', { name: 'Import a register' }).waitFor();
    await screenshot(page, '66-admin-registers');
    expect(await seriousViolations(page)).toEqual([]);

    await page
      .getByRole('navigation', { name: 'Administration sections' })
      .getByRole('link', { name: 'Indicator lexicons' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Indicator lexicons' }).waitFor();
    await page.getByText('No lexicon is loaded').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('synthetic-terms');
    await page.getByLabel('Content').fill('term,weight\nsynthetic-term-one,2\nsynthetic-term-two,1\n');
    await page.getByRole('button', { name: 'Load lexicon' }).click();
    await page.getByRole('status').filter({ hasText: 'Lexicon “synthetic-terms” loaded' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'synthetic-terms' }).waitFor();
    await screenshot(page, '66-admin-lexicons');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it("lets an auditor search the trail, find the administrator's actions, open one, and verify the chain", async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('auditor'));
    // An auditor reads only the trail: the application opens there.
    await page.waitForURL(/\/admin\/audit$/);
    await page.getByRole('heading', { level: 1, name: 'Audit trail' }).waitFor();
    await page.getByRole('table').waitFor();

    await page.getByLabel('Actor').fill(`user:${admin.email}`);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const rows = page.locator('table.audit tbody tr[data-seq]');
    for (const action of ['organisation.add', 'user.add', 'user.disable', 'apikey.create', 'apikey.revoke'])
      await rows
        .filter({ has: page.locator('code', { hasText: new RegExp(`^${action}$`) }) })
        .first()
        .waitFor();
    const actors = await rows.locator('td.actor').allTextContents();
    expect(actors.every((a) => a === `user:${admin.email}`)).toBe(true);

    // Narrowed by action, then one entry's details.
    await page.getByLabel('Action').fill('apikey.revoke');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => rows.count()).toBe(1);
    const seq = await rows.first().getAttribute('data-seq');
    await page.getByRole('button', { name: `Show details of event ${seq}` }).click();
    await page.getByText('Chain hash').waitFor();
    await page.locator('.audit-details pre').waitFor();
    expect(
      await page.getByRole('button', { name: `Hide details of event ${seq}` }).getAttribute('aria-expanded'),
    ).toBe('true');

    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /The chain is intact: [\d,]+ events/ })
      .waitFor();
    await screenshot(page, '67-admin-audit');
    expect(await seriousViolations(page)).toEqual([]);

    // Keyset paging: the whole trail, fifty at a time, newest first (a trail long enough for three pages).
    for (let i = 0; i < 120; i++)
      await server.app.access.recordDenied(OPERATOR, { route: `GET /synthetic/${i}`, reason: 'forbidden' });
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => rows.count()).toBe(50);
    const first = Number(await rows.first().getAttribute('data-seq'));
    await page.getByRole('button', { name: 'Load older events' }).click();
    await expect.poll(() => rows.count()).toBe(100);
    expect(Number(await rows.nth(50).getAttribute('data-seq'))).toBeLessThan(
      Number(await rows.nth(49).getAttribute('data-seq')),
    );
    expect(Number(await rows.nth(99).getAttribute('data-seq'))).toBeLessThan(first);

    // The auditor manages nothing.
    const nav = page.getByRole('navigation', { name: 'Administration sections' });
    expect(await nav.getByRole('link', { name: 'Hash lists' }).count()).toBe(0);
    await page.close();
  });

  it('shows an analyst no user or API-key administration, and no write controls', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('analyst'));
    const asked: string[] = [];
    page.on('request', (r) => asked.push(new URL(r.url()).pathname));
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
    const main = page.getByRole('main');
    await main.getByRole('link', { name: 'Hash lists' }).first().waitFor();
    for (const name of ['Users and roles', 'API keys', 'Audit trail'])
      expect(await main.getByRole('link', { name }).count()).toBe(0);
    await screenshot(page, '68-admin-analyst');
    expect(await seriousViolations(page)).toEqual([]);

    await page.goto(`${server.url}/admin/users`);
    await page.getByText('This section is not available to your role.').waitFor();
    await page.goto(`${server.url}/admin/apikeys`);
    await page.getByText('This section is not available to your role.').waitFor();
    await screenshot(page, '68-admin-analyst-refused');
    expect(await seriousViolations(page)).toEqual([]);
    expect(asked.filter((p) => p === '/api/v1/users' || p === '/api/v1/apikeys')).toEqual([]);

    // Reads hash lists and rules, changes neither.
    await page.goto(`${server.url}/admin/hashlists`);
    await page.getByRole('row').filter({ hasText: 'synthetic-list' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Import a list' }).count()).toBe(0);
    await page.goto(`${server.url}/admin/organisations`);
    await page.locator('.org-node[data-slug="demo-unit-roma"]').waitFor();
    expect(await page.getByRole('button', { name: 'Add organisation' }).count()).toBe(0);
    await page.goto(`${server.url}/admin/rules`);
    await page.getByRole('button', { name: 'Validate' }).waitFor();
    await page.getByText('Your role may view and validate the rules, not change them.').waitFor();
    expect(await page.getByRole('button', { name: 'Save and put in force' }).count()).toBe(0);
    await screenshot(page, '69-admin-analyst-rules');
    expect(await seriousViolations(page)).toEqual([]);

    // In Italian too.
    await page.getByLabel('Language').selectOption('it');
    await page.getByRole('heading', { level: 1, name: 'Regole di instradamento e priorità' }).waitFor();
    await page.getByRole('button', { name: 'Valida' }).click();
    await page.getByRole('status').filter({ hasText: 'Valido: versione' }).waitFor();
    await page.close();
  });
});
