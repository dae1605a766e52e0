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
});
