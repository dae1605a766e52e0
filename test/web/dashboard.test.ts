import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardView } from '../../src/referrals/dashboard.service.ts';
import {
  launchChromium,
  newPage,
  screenshot,
  seriousViolations,
  signIn,
  startWebServer,
  type WebServer,
} from '../support/browser.ts';

/** The little of the DOM these tests read in the page (the test's own TypeScript has no DOM types). */
interface El {
  readonly textContent: string | null;
  readonly clientWidth: number;
  readonly width: number;
  readonly height: number;
  querySelectorAll(s: string): ArrayLike<El>;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
  };
}
type InPage = {
  document: { querySelector(s: string): El | null; querySelectorAll(s: string): ArrayLike<El> };
};

/** What the dashboard API answers the signed-in user of `page`, asked from the page itself. */
function apiView(page: Page, days: number): Promise<DashboardView> {
  return page.evaluate(async (d) => {
    const r = await fetch(`/api/v1/dashboard?days=${d}`);
    if (!r.ok) throw new Error(`dashboard answered ${r.status}`);
    return (await r.json()) as DashboardView;
  }, days);
}

/** A number as the page writes it in English ("1,234" → 1234). */
const num = (s: string | null) => Number((s ?? '').replace(/[,\s]/g, ''));
const pct = (share: number) =>
  `${new Intl.NumberFormat('en', { maximumFractionDigits: 1 }).format(share * 100)}%`;

async function stat(page: Page, name: string): Promise<string> {
  return ((await page.locator(`[data-stat="${name}"]`).textContent()) ?? '').trim();
}

/** The body rows of the data table named `name`: [heading cell, ...value cells] as text. */
async function tableRows(page: Page, name: string): Promise<string[][]> {
  const table = page.getByRole('table', { name, exact: true, includeHidden: true });
  return table
    .locator('tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) =>
        Array.from((tr as unknown as { children: ArrayLike<{ textContent: string | null }> }).children).map(
          (c) => (c.textContent ?? '').trim(),
        ),
      ),
    );
}

/** Waits until every chart canvas on the page has something drawn on it; answers how many there are. */
async function drawnCanvases(page: Page): Promise<number> {
  const handle = await page.waitForFunction(() => {
    const canvases = Array.from(
      (globalThis as unknown as InPage).document.querySelectorAll('[role="img"].chart canvas'),
    );
    if (canvases.length === 0) return false;
    const drawn = canvases.every((c) => {
      if (c.width === 0 || c.height === 0) return false;
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
      return false;
    });
    return drawn && canvases.length;
  });
  return (await handle.jsonValue()) as number;
}

async function chartWidth(page: Page): Promise<number> {
  return page
    .locator('[role="img"].chart canvas')
    .first()
    .evaluate((c) => (c as unknown as { clientWidth: number }).clientWidth);
}

describe('web application: the supervisor’s dashboard', () => {
  let server: WebServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchChromium()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function supervisorPage(): Promise<Page> {
    const who = await server.user('supervisor');
    const page = await newPage(browser);
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(page, server.url, who);
    return page;
  }

  it('shows a supervisor of the hub the same figures the API counts, as charts and as tables', async () => {
    const page = await supervisorPage();
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL(/\/dashboard$/);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.locator('[data-stat="received"]').waitFor();
    const view = await apiView(page, 30);
    expect(view.total).toBeGreaterThan(0);
    expect(view.receivedPerDay).toHaveLength(30);

    // Headline figures.
    expect(num(await stat(page, 'received'))).toBe(view.total);
    expect(num(await stat(page, 'backlog'))).toBe(view.held.backlog);
    expect(await stat(page, 'informational')).toBe(pct(view.informational / view.total));
    if (view.routing.medianSeconds === null) expect(await stat(page, 'median')).toBe('—');
    else expect(await stat(page, 'median')).toMatch(/^[\d.,]+ (s|min|h|d)$/);
    if (view.held.backlog > 0) await page.getByRole('link', { name: 'Open the held referrals' }).waitFor();

    // The charts: each a named image, its canvas drawn.
    const charts = view.matchRates.length > 0 ? 4 : 3;
    expect(await drawnCanvases(page)).toBe(charts);
    const images = page.getByRole('img');
    expect(await images.count()).toBe(charts);
    const perDayLabel = await page
      .getByRole('img', { name: /^Bar chart of the referrals received per day/ })
      .getAttribute('aria-label');
    expect(perDayLabel).toContain(`${view.total} in all`);
    const levelLabel = await page
      .getByRole('img', { name: /^Bar chart of the referrals by priority level/ })
      .getAttribute('aria-label');
    for (const l of view.byLevel)
      expect(levelLabel).toContain(
        `${l.level === null ? 'Not prioritised' : `Level ${l.level}`}: ${l.count}`,
      );
    await screenshot(page, '50-dashboard');
    expect(await seriousViolations(page)).toEqual([]);

    // The same numbers as tables, opened from the keyboard.
    const summaries = page.locator('summary', { hasText: 'Show data as a table' });
    expect(await summaries.count()).toBe(charts);
    for (let i = 0; i < charts; i++) {
      await summaries.nth(i).focus();
      await page.keyboard.press('Enter');
    }
    await page.getByRole('table', { name: 'Received per day' }).waitFor();

    const perDay = await tableRows(page, 'Received per day');
    expect(perDay.map((r) => num(r[1]!))).toEqual(view.receivedPerDay.map((d) => d.count));
    expect(perDay.reduce((s, r) => s + num(r[1]!), 0)).toBe(view.total);

    const levels = await tableRows(page, 'By priority level');
    const levelCount = new Map(levels.map((r) => [r[0]!.replace(/^\S+\s/, ''), num(r[1]!)]));
    for (const l of view.byLevel)
      expect(levelCount.get(l.level === null ? 'Not prioritised' : `Level ${l.level}`)).toBe(l.count);
    expect([...levelCount.values()].reduce((a, b) => a + b, 0)).toBe(view.total);

    const countries = await tableRows(page, 'By country');
    const ranked = [...view.byCountry].sort((a, b) => b.count - a.count);
    const named = ranked.filter((c) => c.country !== null);
    if (named.length <= 16) {
      // Every country the API counts, most first, each with its count; "unknown" for no jurisdiction.
      expect(countries.map((r) => num(r[1]!))).toEqual(ranked.map((c) => c.count));
      for (const c of ranked) {
        const row = countries.find((r) =>
          c.country === null ? r[0] === 'unknown' : r[0]!.endsWith(` ${c.country}`),
        );
        expect(row?.[1]).toBe(String(c.count));
      }
    } else {
      expect(countries.slice(0, 15).map((r) => num(r[1]!))).toEqual(named.slice(0, 15).map((c) => c.count));
      expect(countries.at(-1)![0]).toMatch(/^other \(\d+ countries\)$/);
    }
    expect(countries.reduce((s, r) => s + num(r[1]!), 0)).toBe(view.total);

    if (view.matchRates.length > 0) {
      const lists = await tableRows(page, 'Match rates by list');
      expect(lists).toEqual(view.matchRates.map((m) => [m.list, String(m.referrals), pct(m.rate)]));
    } else {
      await page.getByText('No referral of this window matched a list.').waitFor();
    }
    await screenshot(page, '51-dashboard-tables');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('keeps the window in the address, refetches on change, and redraws with the window’s size', async () => {
    const page = await supervisorPage();
    await page.goto(`${server.url}/dashboard`);
    await page.locator('[data-stat="received"]').waitFor();
    expect(await page.getByRole('radio', { name: 'Last 30 days' }).isChecked()).toBe(true);

    const asked = page.waitForResponse((r) => r.url().includes('/api/v1/dashboard?days=7') && r.ok());
    await page.getByRole('radio', { name: 'Last 7 days' }).click();
    await asked;
    await page.waitForURL(/\/dashboard\?days=7$/);
    const week = await apiView(page, 7);
    await page.waitForFunction(
      (n) =>
        (globalThis as unknown as InPage).document
          .querySelector('[data-stat="received"]')
          ?.textContent?.replace(/,/g, '') === String(n),
      week.total,
    );
    expect(await tableRows(page, 'Received per day')).toHaveLength(7);
    expect(num(await stat(page, 'received'))).toBe(week.total);
    expect(await drawnCanvases(page)).toBeGreaterThanOrEqual(3);
    await screenshot(page, '52-dashboard-7-days');

    // The address alone brings the same window back.
    await page.reload();
    await page.locator('[data-stat="received"]').waitFor();
    expect(await page.getByRole('radio', { name: 'Last 7 days' }).isChecked()).toBe(true);
    expect(await tableRows(page, 'Received per day')).toHaveLength(7);

    // Arrow keys move through the windows, as in any radio group.
    const ninety = page.waitForResponse((r) => r.url().includes('/api/v1/dashboard?days=90') && r.ok());
    await page.getByRole('radio', { name: 'Last 7 days' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(/\?days=30$/);
    await page.keyboard.press('ArrowRight');
    await ninety;
    await page.waitForURL(/\?days=90$/);
    await page.waitForFunction(
      () =>
        (globalThis as unknown as InPage).document.querySelectorAll('table')[0]?.querySelectorAll('tbody tr')
          .length === 90,
    );

    // The charts follow the window's width.
    await drawnCanvases(page);
    const wide = await chartWidth(page);
    await page.setViewportSize({ width: 640, height: 900 });
    await page.waitForFunction(
      (w) =>
        ((globalThis as unknown as InPage).document.querySelector('[role="img"].chart canvas')?.clientWidth ??
          w) <
        w - 100,
      wide,
    );
    expect(await chartWidth(page)).toBeLessThan(wide);
    expect(await drawnCanvases(page)).toBeGreaterThanOrEqual(3);
    await screenshot(page, '53-dashboard-narrow');
    expect(await seriousViolations(page)).toEqual([]);

    // In Italian.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByLabel('Language').selectOption('it');
    await page.getByRole('heading', { level: 1, name: 'Cruscotto' }).waitFor();
    await page.getByRole('radio', { name: 'Ultimi 90 giorni' }).waitFor();
    await page
      .getByRole('img', { name: /^Grafico a barre delle segnalazioni ricevute per giorno/ })
      .waitFor();
    await screenshot(page, '54-dashboard-it');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('shows an organisation with no referrals routed to it zero, and a designed empty state', async () => {
    const who = await server.user('analyst', 'demo-referring-centre');
    const page = await newPage(browser);
    await signIn(page, server.url, who);
    await page.goto(`${server.url}/dashboard?days=7`);
    await page.getByRole('heading', { name: 'No referrals in this window' }).waitFor();
    const view = await apiView(page, 7);
    expect(view.total).toBe(0);
    expect(num(await stat(page, 'received'))).toBe(0);
    expect(num(await stat(page, 'backlog'))).toBe(view.held.backlog);
    expect(await stat(page, 'informational')).toBe('—');
    expect(await page.locator('canvas').count()).toBe(0);
    expect(await page.getByRole('img').count()).toBe(0);
    await screenshot(page, '55-dashboard-empty');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Show the last 90 days' }).click();
    await page.waitForURL(/\?days=90$/);
    await page.getByText('was received in the last 90 days').waitFor();
    expect((await apiView(page, 90)).total).toBe(0);
    await page.close();
  });

  it('tells an auditor, who cannot read referrals, that the dashboard is not theirs', async () => {
    const who = await server.user('auditor');
    const page = await newPage(browser);
    await signIn(page, server.url, who);
    expect(await page.getByRole('link', { name: 'Dashboard' }).count()).toBe(0);
    await page.goto(`${server.url}/dashboard`);
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'You do not have access to this.' }).waitFor();
    expect(await alert.textContent()).toContain('this needs the permission referral.read');
    expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(0);
    expect(await page.getByRole('radio').count()).toBe(0);
    await screenshot(page, '56-dashboard-forbidden');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('says it is loading, explains a failure, and recovers on "Try again"', async () => {
    const page = await supervisorPage();
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let failing = false;
    await page.route('**/api/v1/dashboard**', async (route) => {
      if (failing)
        return route.fulfill({
          status: 500,
          contentType: 'application/json',
          headers: { 'request-id': 'req-dashboard-test' },
          body: JSON.stringify({ error: { code: 'internal', message: 'internal error' } }),
        });
      await held;
      return route.continue();
    });
    await page.goto(`${server.url}/dashboard?days=30`);
    await page.getByRole('status').filter({ hasText: 'Loading…' }).waitFor();
    await screenshot(page, '57-dashboard-loading');
    release();
    await page.locator('[data-stat="received"]').waitFor();

    failing = true;
    await page.goto(`${server.url}/dashboard?days=7`);
    await page
      .getByRole('alert')
      .filter({ hasText: 'Conduit failed to answer' })
      .waitFor({ timeout: 20_000 });
    await page.getByText('Request id: req-dashboard-test').waitFor();
    await screenshot(page, '58-dashboard-error');
    expect(await seriousViolations(page)).toEqual([]);

    failing = false;
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('[data-stat="received"]').waitFor();
    expect(num(await stat(page, 'received'))).toBe((await apiView(page, 7)).total);
    await page.close();
  }, 60_000);
  it('draws match rates, and ranks many countries as the top 15 and "other"', async () => {
    const page = await supervisorPage();
    await page.goto(`${server.url}/dashboard`);
    await page.locator('[data-stat="received"]').waitFor();
    const real = await apiView(page, 30);
    // The demo's referrals match no list and come from few countries: this answer, shaped as the server's,
    // shows the branches they do not reach.
    const codes = ['IT', 'DE', 'FR', 'ES', 'NL', 'BE', 'AT', 'PL', 'SE', 'DK', 'FI', 'PT', 'IE', 'GR', 'CZ'];
    const tail = ['HU', 'RO', 'BG', 'HR', 'SI'];
    const byCountry = [
      ...codes.map((c, i) => ({ country: c, count: 60 - i * 3 })),
      { country: null, count: 9 },
      ...tail.map((c) => ({ country: c, count: 2 })),
    ].sort((a, b) => b.count - a.count);
    const total = byCountry.reduce((a, c) => a + c.count, 0);
    const matchRates = [
      {
        list: 'Known hashes (national)',
        referrals: Math.round(total * 0.42),
        rate: Math.round(total * 0.42) / total,
      },
      { list: '<b>Partner</b> & list', referrals: 12, rate: 12 / total },
      { list: 'Interpol ICSE', referrals: 3, rate: 3 / total },
    ];
    const view: DashboardView = {
      ...real,
      total,
      informational: 0,
      receivedPerDay: real.receivedPerDay.map((d, i, all) => ({
        ...d,
        count: i === all.length - 1 ? total : 0,
      })),
      byLevel: [{ level: '2', count: total }],
      byCountry,
      held: { backlog: 3, oldest: new Date(Date.now() - 3 * 86_400_000).toISOString() },
      routing: { decided: total, medianSeconds: 95 },
      matchRates,
    };
    await page.route('**/api/v1/dashboard**', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(view) }),
    );
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page
      .getByRole('img', { name: /^Bar chart of the share of referrals matching each list/ })
      .waitFor();
    expect(await drawnCanvases(page)).toBe(4);
    expect(await stat(page, 'median')).toBe('1.6 min');
    expect(await stat(page, 'informational')).toBe('0%');
    await page.getByText('3 d ago').waitFor();

    const countries = await tableRows(page, 'By country');
    // The 15 first countries, then "unknown" in its place by count (never lost in the rest), then "other".
    expect(countries).toHaveLength(17);
    expect(countries.slice(0, 15).map((r) => num(r[1]!))).toEqual(byCountry.slice(0, 15).map((c) => c.count));
    expect(countries[0]![0]).toBe('Italy IT');
    expect(countries[15]!.slice(0, 2)).toEqual(['unknown', '9']);
    expect(countries[16]!.slice(0, 2)).toEqual(['other (5 countries)', '10']);
    const ranked = await page.getByRole('img', { name: /^Ranked bar chart/ }).getAttribute('aria-label');
    expect(ranked).toContain('Italy: 60; Germany: 57');
    expect(ranked).toContain('other (5 countries): 10');
    await page.getByText('the 15 countries with most referrals').waitFor();

    const lists = await tableRows(page, 'Match rates by list');
    expect(lists).toEqual(matchRates.map((m) => [m.list, String(m.referrals), pct(m.rate)]));

    for (const summary of await page.locator('summary').all()) await summary.click();
    await screenshot(page, '59-dashboard-lists');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });
});
