import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import type { App } from '../../src/app.ts';
import { seedDemo } from '../../src/cli/demo.ts';
import { loadConfig } from '../../src/config.ts';
import type { Role } from '../../src/domain/access.ts';
import { buildServer } from '../../src/http/server.ts';
import { createApp } from '../../src/main.ts';
import { createTestDatabase } from './databases.ts';
import { OPERATOR, TEST_PASSWORD } from './server.ts';

/** Where every screen's picture is saved (CI keeps the folder as an artifact). */
export const SCREENS_DIR = 'test-results/screens';

export { CHROMIUM, launchChromium } from '../../src/bench/chromium.ts';

/** A fresh page (its own cookies) that fails fast, naming what it waited for, instead of hanging a test. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Rome' });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return page;
}

export interface WebServer {
  readonly app: App;
  readonly url: string;
  /** A new person with this role in `org` (default: the receiving hub): e-mail and password. */
  user(role: Role, org?: string): Promise<{ email: string; password: string }>;
  close(): Promise<void>;
}

let n = 0;

/**
 * The real application on a fresh SQLite database holding the demo's synthetic operation, listening on
 * loopback with the built web application: what a user's browser meets after `npm start`.
 */
export async function startWebServer(opts: { reports?: number } = {}): Promise<WebServer> {
  const t = await createTestDatabase('sqlite');
  const config = loadConfig({}, { CONDUIT_RATE_LIMIT: '100000' });
  const app = await createApp({ ...config, db: t.url });
  await seedDemo(
    app,
    OPERATOR,
    { reports: opts.reports ?? 200, seed: 'web', stdin: Readable.from([]) },
    () => {},
  );
  const http = await buildServer({
    ...app,
    maxInputBytes: config.maxInputBytes,
    rateLimit: config.rateLimit,
    corsOrigins: [],
    now: () => new Date(),
    logger: false,
    secureCookies: false,
  });
  const url = await http.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    url,
    async user(role, org = app.receiving.slug) {
      const email = `${role}-${process.pid}-${++n}@${org}.example.org`;
      const r = await app.access.addUser({ org, email, role, password: TEST_PASSWORD }, OPERATOR);
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      return { email, password: TEST_PASSWORD };
    },
    async close() {
      await http.close();
      await app.close();
      await t.dispose();
    },
  };
}

/** Signs in through the sign-in page, as a person would, and waits for the first screen. */
export async function signIn(
  page: Page,
  url: string,
  who: { email: string; password: string },
): Promise<void> {
  await page.goto(`${url}/sign-in`);
  await page.getByLabel(/e-mail/i).fill(who.email);
  await page.getByLabel(/password/i).fill(who.password);
  await page.getByRole('button', { name: /sign in|accedi/i }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENS_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENS_DIR}/${name}.png`, fullPage: true });
}

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly string[];
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical findings on the page as it is now (WCAG 2.1 A/AA rules). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  // Runs in the page (the test's own TypeScript has no DOM types).
  return page.evaluate(async () => {
    interface AxeResults {
      violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
    }
    const g = globalThis as unknown as {
      axe: { run(ctx: unknown, opts: unknown): Promise<AxeResults> };
      document: unknown;
    };
    const r = await g.axe.run(g.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((x) => JSON.stringify(x.target)),
      }));
  });
}
