import type { Browser } from 'playwright-core';
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

describe('web application: sign-in, sign-out, session expiry', () => {
  let server: WebServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchChromium()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the built application for any page address, with no external URLs', async () => {
    const page = await newPage(browser);
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url) && !r.url().startsWith('data:')) external.push(r.url());
    });
    const res = await page.goto(`${server.url}/referrals/some-deep-link`);
    expect(res?.status()).toBe(200);
    await page.waitForURL(/\/sign-in$/);
    await page.getByRole('heading', { name: 'Sign in to Conduit' }).waitFor();
    expect(external).toEqual([]);
    // DB-IP's licence asks for credit wherever its data shows: in the page itself, and every screen's footer.
    expect(await res?.text()).toContain('IP Geolocation by DB-IP');
    // Hashed assets are sent compressed and kept by the browser; the page itself is never cached.
    const script = await page.locator('script[type="module"]').getAttribute('src');
    const asset = await page.request.get(`${server.url}${script}`, {
      headers: { 'accept-encoding': 'br, gzip' },
    });
    expect(asset.headers()['content-encoding']).toBe('br');
    expect(asset.headers()['cache-control']).toContain('immutable');
    expect(res?.headers()['cache-control']).toBe('no-store');
    await screenshot(page, '01-sign-in');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('refuses a wrong password with a message, then signs in and returns to the page asked for', async () => {
    const who = await server.user('analyst');
    const page = await newPage(browser);
    await page.goto(`${server.url}/dashboard`);
    await page.getByLabel('E-mail').fill(who.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'The e-mail, password or code is wrong.' }).waitFor();
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/dashboard$/);
    await page.getByText(`Signed in as ${who.email}`).waitFor();
    await page.getByRole('link', { name: 'IP geolocation by DB-IP (CC BY 4.0)' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    // Signed out for real: the API refuses the old cookie.
    const status = await page.evaluate(() => fetch('/api/v1/session').then((r) => r.status));
    expect(status).toBe(401);
    await page.close();
  });

  it('returns to sign-in with an explanation when the session ends under the user', async () => {
    const who = await server.user('analyst');
    const page = await newPage(browser);
    await signIn(page, server.url, who);
    await page.locator('tbody tr').first().waitFor();
    // An administrator disables the account: the session dies with it, and the next request meets a 401.
    const disabled = await server.app.access.disableUser(who.email, OPERATOR);
    expect(disabled.ok).toBe(true);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.getByText('Your session has ended. Sign in again to continue.').waitFor();
    await page.close();
  });

  it('speaks Italian when asked, and keeps the choice', async () => {
    const who = await server.user('analyst');
    const page = await newPage(browser);
    await signIn(page, server.url, who);
    await page.getByLabel('Language').selectOption('it');
    await page.getByRole('link', { name: 'Coda di triage' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('it');
    await page.reload();
    await page.getByRole('button', { name: 'Esci' }).waitFor();
    await page.close();
  });

  it('tells other tabs about a sign-out and a different user, and does not hand one user the page of another', async () => {
    const first = await server.user('analyst');
    const second = await server.user('analyst');
    const page = await newPage(browser);
    await signIn(page, server.url, first);
    const other = await page.context().newPage();
    await other.goto(`${server.url}/dashboard`);
    await other.getByText(`Signed in as ${first.email}`).waitFor();
    // The queue remembers its selection per tab; a sign-out forgets it.
    await page.evaluate("sessionStorage.setItem('conduit.queue.selected', 'someone-elses')");
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL(/\/dashboard$/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    // The other tab hears of it and returns to sign-in.
    await other.waitForURL(/\/sign-in$/);
    await other.getByRole('heading', { name: 'Sign in to Conduit' }).waitFor();
    // Someone else signs in where the first user left off: the first user's page is not theirs to see.
    await page.getByLabel('E-mail').fill(second.email);
    await page.getByLabel('Password').fill(second.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/queue$/);
    await page.getByText(`Signed in as ${second.email}`).waitFor();
    // The other tab, on the sign-in page, follows: it is signed in as the second user now.
    await other.getByText(`Signed in as ${second.email}`).waitFor();
    await page.context().close();
  });

  it('names each screen in the title, moves the focus to its heading, and shows the role by name', async () => {
    const who = await server.user('analyst');
    const page = await newPage(browser);
    await page.goto(`${server.url}/sign-in`);
    await page.getByRole('link', { name: 'IP geolocation by DB-IP (CC BY 4.0)' }).waitFor();
    await expect.poll(() => page.title()).toBe('Sign in to Conduit — Conduit');
    await signIn(page, server.url, who);
    await page.getByText(`Signed in as ${who.email} (Analyst, `).waitFor();
    await page.getByRole('link', { name: 'Dashboard' }).click();
    const h1 = page.getByRole('heading', { level: 1 });
    await page.locator('main#main h1:focus').waitFor();
    const heading = (await h1.textContent()) ?? '';
    await expect.poll(() => page.title()).toBe(`${heading} — Conduit`);
    await page.getByLabel('Language').selectOption('it');
    await page.getByText(`Accesso come ${who.email} (Analista, `).waitFor();
    await page.close();
  });

  it('shows help and a Reload button when a screen’s code cannot be loaded (after a redeploy)', async () => {
    const who = await server.user('analyst');
    const page = await newPage(browser);
    await signIn(page, server.url, who);
    await page.locator('tbody tr').first().waitFor();
    // The files of the version this page was built from are gone.
    await page.route('**/assets/**', (route) => route.fulfill({ status: 404, body: 'gone' }));
    await page.getByRole('link', { name: 'Subjects' }).click();
    await page.getByRole('heading', { name: 'This page could not be shown' }).waitFor();
    await page
      .getByRole('alert')
      .getByText(/Reload to get the latest version/)
      .waitFor();
    await screenshot(page, '09-screen-failed');
    expect(await seriousViolations(page)).toEqual([]);
    await page.unroute('**/assets/**');
    await page.getByRole('button', { name: 'Reload' }).click();
    await page.waitForURL(/\/subjects$/);
    await page.getByRole('heading', { name: 'This page could not be shown' }).waitFor({ state: 'detached' });
    await page.close();
  });

  it('tells a locked account from the per-address rate limit', async () => {
    const page = await newPage(browser);
    let body = { code: 'rate_limited', message: 'too many requests; try again in 1 minute' };
    await page.route('**/api/v1/session', (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({
            status: 429,
            contentType: 'application/json',
            body: JSON.stringify({ error: body }),
          })
        : route.continue(),
    );
    await page.goto(`${server.url}/sign-in`);
    await page.getByLabel('E-mail').fill('someone@example.org');
    await page.getByLabel('Password').fill('whatever');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'Too many attempts. Wait a minute, then try again.' })
      .waitFor();
    body = {
      code: 'rate_limited',
      message: 'too many failed sign-ins; try again after 2026-01-02T10:15:00.000Z',
    };
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /^This account is locked after too many failed sign-ins\. Try again after .*2026/ })
      .waitFor();
    await page.close();
  });
});
