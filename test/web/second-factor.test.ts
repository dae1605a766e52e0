import { URI, type TOTP } from 'otpauth';
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

// A file of its own: sign-in is limited to 10 attempts a minute per address, and every test here signs in.
describe('web application: the second factor', () => {
  let server: WebServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchChromium()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('asks for the second factor when the account has one, and signs in with it', async () => {
    const who = await server.user('analyst');
    const page = await newPage(browser);
    await signIn(page, server.url, who);
    // Enrolment through the API, as the account's owner: a secret, confirmed with a code from it.
    const enrolled = await page.evaluate(async () => {
      const { csrfToken } = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const r = await fetch('/api/v1/session/totp', {
        method: 'POST',
        headers: { 'x-csrf-token': csrfToken },
      });
      return { csrfToken, ...((await r.json()) as { uri: string }) };
    });
    const totp = URI.parse(enrolled.uri) as TOTP;
    const confirmed = await page.evaluate(
      async ({ code, csrfToken }) =>
        (
          await fetch('/api/v1/session/totp/confirm', {
            method: 'POST',
            headers: { 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
            body: JSON.stringify({ code }),
          })
        ).status,
      { code: totp.generate(), csrfToken: enrolled.csrfToken },
    );
    expect(confirmed).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);

    await page.getByLabel('E-mail').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const code = page.getByLabel('Code from your authenticator app');
    await code.waitFor();
    await screenshot(page, '02-sign-in-second-factor');
    expect(await seriousViolations(page)).toEqual([]);
    await code.fill('000000' === totp.generate() ? '111111' : '000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'The e-mail, password or code is wrong.' }).waitFor();
    await code.fill(totp.generate());
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`Signed in as ${who.email}`, { exact: false }).waitFor();
    await page.close();
  });
});
