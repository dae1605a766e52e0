import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueItem } from '../../src/triage/triage.service.ts';
import {
  launchChromium,
  newPage,
  screenshot,
  seriousViolations,
  signIn,
  startWebServer,
  type WebServer,
} from '../support/browser.ts';
import { canonicalSubmission } from '../support/fixtures.ts';
import { OPERATOR } from '../support/server.ts';

const RANK: Record<string, number> = { E: 0, '1': 1, '2': 2, '3': 3 };

/** The hub's pending queue as the server has it (the order the screen must show). */
async function hubQueue(server: WebServer, limit = 200): Promise<QueueItem[]> {
  const q = await server.app.triage.queue({ org: 'hub', limit }, OPERATOR);
  if (!q.ok) throw new Error(JSON.stringify(q.problems));
  return q.value.items;
}

/** The levels of the rows shown, top to bottom (each row's badge reads "Level E" etc.). */
async function shownLevels(page: Page): Promise<string[]> {
  const texts = await page.locator('table.queue-table tbody tr td.col-level .badge').allTextContents();
  return texts.map((x) => x.trim().split(/\s+/).pop() ?? '');
}

async function openQueue(page: Page, server: WebServer, search = ''): Promise<void> {
  await page.goto(`${server.url}/queue${search}`);
  await page.locator('table.queue-table tbody tr').first().waitFor();
}

describe('web application: the triage queue', () => {
  let server: WebServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchChromium()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists the referrals by priority then age, 50 at a time, with each row’s facts', async () => {
    const expected = await hubQueue(server);
    expect(expected.length).toBeGreaterThan(50);
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('analyst'));
    await page.waitForURL(/\/queue$/);
    await page.getByRole('heading', { level: 1, name: 'Triage queue' }).waitFor();
    await page.locator('table.queue-table tbody tr').first().waitFor();
    const rows = page.locator('table.queue-table tbody tr');
    expect(await rows.count()).toBe(50);
    const levels = await shownLevels(page);
    expect(levels.map((l) => RANK[l])).toEqual([...levels.map((l) => RANK[l])].sort((a, b) => a! - b!));
    expect(levels[0]).toBe('E');
    // The same order as the server's, row by row.
    const refs = await page.locator('a.row-link').allTextContents();
    expect(refs).toEqual(expected.slice(0, 50).map((i) => i.sourceRef));
    // A row carries level, score, country and confidence, source, received time, files, status.
    const first = expected[0]!;
    const row = rows.first();
    await expect.poll(() => row.textContent()).toContain(first.source);
    expect(await row.textContent()).toContain(`score ${first.priority?.score}`);
    expect(await row.textContent()).toContain(first.jurisdiction.country ?? 'unknown');
    expect(await row.locator('time').getAttribute('datetime')).toBe(first.receivedAt);
    expect(await row.textContent()).toContain(
      first.media?.files === 1 ? '1 file' : first.media?.files ? `${first.media.files} files` : 'no files',
    );
    await page.getByText('Keyboard').waitFor();
    await screenshot(page, '10-queue');
    expect(await seriousViolations(page)).toEqual([]);
    // Keyset pagination: the next page is loaded on demand, appended.
    await page.getByRole('button', { name: 'Load 50 more' }).click();
    await expect.poll(() => rows.count()).toBe(Math.min(100, expected.length));
    expect(await page.locator('a.row-link').nth(50).textContent()).toBe(expected[50]!.sourceRef);
    await page.close();
  });

  it('filters the list, keeping the filters in the address (bookmarkable)', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('analyst'));
    await openQueue(page, server);
    await page.getByRole('checkbox', { name: 'Level E' }).check();
    await page.waitForURL(/level=E/);
    await expect.poll(async () => [...new Set(await shownLevels(page))]).toEqual(['E']);
    await page.getByRole('checkbox', { name: 'Level 1' }).check();
    await page.waitForURL(/level=E%2C1|level=E,1/);
    await expect.poll(async () => [...new Set(await shownLevels(page))].sort()).toEqual(['1', 'E']);
    const country = (await hubQueue(server)).find((i) => i.jurisdiction.country)!.jurisdiction.country!;
    await page.getByLabel('Country').fill(country.toLowerCase());
    await page.waitForURL(new RegExp(`country=${country}`));
    await expect
      .poll(async () => [
        ...new Set(await page.locator('table.queue-table tbody .country').allTextContents()),
      ])
      .toEqual([country]);
    await page.getByLabel('Held for triage').selectOption({ label: 'Not held' });
    await page.waitForURL(/held=false/);
    await screenshot(page, '11-queue-filtered');
    expect(await seriousViolations(page)).toEqual([]);
    // The address alone restores the view.
    const bookmarked = page.url();
    const again = await newPage(browser);
    await signIn(again, server.url, await server.user('analyst'));
    await again.goto(bookmarked);
    await again.locator('table.queue-table tbody tr').first().waitFor();
    expect(await again.getByRole('checkbox', { name: 'Level E' }).isChecked()).toBe(true);
    expect(await again.getByLabel('Country').inputValue()).toBe(country);
    expect(await again.locator('a.row-link').allTextContents()).toEqual(
      await page.locator('a.row-link').allTextContents(),
    );
    await again.close();
    // Nothing matches: the empty state says so.
    await page.getByLabel('Country').fill('ZZ');
    await page.getByText('No referral matches these filters.').waitFor();
    await screenshot(page, '12-queue-empty-filter');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL(/\/queue$/);
    await page.locator('table.queue-table tbody tr').first().waitFor();
    await page.close();
  });

  it('moves with j/k, opens with Enter, checks with x — and stays quiet while typing', async () => {
    const expected = await hubQueue(server, 5);
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('analyst'));
    await openQueue(page, server);
    const rows = page.locator('table.queue-table tbody tr');
    await page.keyboard.press('j');
    await expect.poll(() => rows.nth(0).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await expect.poll(() => rows.nth(2).getAttribute('aria-selected')).toBe('true');
    expect(await rows.nth(2).getAttribute('aria-current')).toBe('true');
    expect(await rows.nth(0).getAttribute('aria-selected')).toBe('false');
    expect(await rows.nth(0).getAttribute('aria-current')).toBe(null);
    await page.keyboard.press('k');
    await expect.poll(() => rows.nth(1).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('x');
    await expect.poll(() => rows.nth(1).getByRole('checkbox').isChecked()).toBe(true);
    await page.getByText('1 checked').first().waitFor();
    await page.keyboard.press('x');
    await expect.poll(() => rows.nth(1).getByRole('checkbox').isChecked()).toBe(false);
    // Typing in a field: j, k and x are letters, not commands.
    await page.getByLabel('Open referral by id').fill('');
    await page.getByLabel('Open referral by id').press('j');
    await page.getByLabel('Open referral by id').press('x');
    expect(await page.getByLabel('Open referral by id').inputValue()).toBe('jx');
    expect(await rows.nth(1).getAttribute('aria-selected')).toBe('true');
    expect(await rows.nth(1).getByRole('checkbox').isChecked()).toBe(false);
    await page.getByLabel('Open referral by id').fill('');
    // Back to the list, Enter opens the selected referral.
    await page.locator('h1').click();
    await page.keyboard.press('k');
    await expect.poll(() => rows.nth(0).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/referrals/${expected[0]!.id}$`));
    await page.getByRole('heading', { level: 1, name: new RegExp(expected[0]!.sourceRef) }).waitFor();
    // The way back keeps the queue's filters.
    await page.goBack();
    await page.waitForURL(/\/queue/);
    // Open by id.
    await page.getByLabel('Open referral by id').fill(expected[1]!.id);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.waitForURL(new RegExp(`/referrals/${expected[1]!.id}$`));
    await page.close();
  });

  it('opens with Enter only a referral on screen, never a remembered one that is not listed', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('analyst'));
    await page.evaluate("sessionStorage.setItem('conduit.queue.selected', 'not-among-the-rows')");
    await openQueue(page, server);
    await page.locator('h1').click();
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    expect(new URL(page.url()).pathname).toBe('/queue');
    await page.close();
  });

  it('accepts the checked rows in bulk, showing each row’s result and each refusal’s reason', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('analyst'));
    await openQueue(page, server, '?level=3');
    const rows = page.locator('table.queue-table tbody tr');
    const ids = (await hubQueue(server)).filter((i) => i.priority?.level === '3').slice(0, 3);
    expect(ids.length).toBe(3);
    for (const i of ids) await page.getByRole('checkbox', { name: `Select referral ${i.sourceRef}` }).check();
    await page.getByText('3 checked').first().waitFor();
    // Someone else accepts one of them meanwhile: that row is refused, with the server's reason.
    const taken = await server.app.triage.accept(ids[1]!.id, OPERATOR);
    expect(taken.ok).toBe(true);
    await page.getByRole('button', { name: 'Accept checked' }).click();
    const dialog = page.getByRole('dialog', { name: 'Accept 3 referrals' });
    await dialog.waitFor();
    await screenshot(page, '13-queue-bulk-accept');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Accept referrals' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const results = page.getByRole('region', { name: 'Results of the last action' });
    await results.getByText('2 done, 1 refused.').waitFor();
    await results.getByText('already accepted', { exact: true }).waitFor();
    for (const i of [ids[0]!, ids[2]!]) {
      const row = rows.filter({ has: page.getByRole('link', { name: i.sourceRef, exact: true }) });
      await row.getByText('Accepted').first().waitFor();
      const v = await server.app.referrals.get(i.id, OPERATOR);
      expect(v && 'triage' in v ? v.triage : null).toBe('accepted');
    }
    const refused = rows.filter({ has: page.getByRole('link', { name: ids[1]!.sourceRef, exact: true }) });
    await refused.getByText('Refused: already accepted').waitFor();
    await screenshot(page, '14-queue-bulk-results');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('reassigns the checked rows to another organisation, with a reason', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('supervisor'));
    await openQueue(page, server, '?level=2');
    const item = (await hubQueue(server)).find((i) => i.priority?.level === '2')!;
    await page.getByRole('checkbox', { name: `Select referral ${item.sourceRef}` }).check();
    await page.getByRole('button', { name: 'Reassign checked' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reassign 1 referral' });
    await dialog.getByLabel('Send to organisation').selectOption('demo-ncc-it');
    // No reason: said in place, nothing is sent.
    await dialog.getByRole('button', { name: 'Reassign referrals' }).click();
    await dialog.getByText('A reason is required.').waitFor();
    await dialog.getByLabel('Reason').fill('Synthetic test: the account is operated from Italy');
    await screenshot(page, '15-queue-bulk-reassign');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Reassign referrals' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Reassigned to demo-ncc-it').first().waitFor();
    const v = await server.app.referrals.get(item.id, OPERATOR);
    expect(v && 'recipient' in v ? v.recipient : null).toBe('demo-ncc-it');
    await page.close();
  });

  it('counts new arrivals live and refreshes on request; a missing count shows nothing', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('analyst'));
    // The landing page's own queue read settles first: its answer would be navigated away from.
    await page.locator('table.queue-table tbody tr').first().waitFor();
    const sinces: (string | null)[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname === '/api/v1/queue/arrivals') sinces.push(u.searchParams.get('since'));
    });
    const read = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/queue');
    await openQueue(page, server);
    // New arrivals count from the server's own moment of reading the queue (its asOf), to the millisecond.
    const { asOf } = (await (await read).json()) as { asOf: string };
    await expect.poll(() => sinces.at(-1), { timeout: 20_000 }).toBe(asOf);
    // A referral arrives for the hub after the queue was read.
    const template = (await hubQueue(server)).find((i) => !i.held && i.priority?.level === 'E')!;
    const view = await server.app.referrals.get(template.id, OPERATOR);
    if (!view || !('document' in view)) throw new Error('no document');
    const source = await server.app.organisations.bySlug('demo-referring-centre');
    const doc = JSON.parse(JSON.stringify({ ...view.document, sourceRef: 'web-arrival-1' })) as Record<
      string,
      unknown
    >;
    const [r] = await server.app.intake.submit(source!, [canonicalSubmission(doc)], OPERATOR);
    expect(r?.kind).toBe('accepted');
    const banner = page.getByRole('button', { name: '1 new referral — refresh' });
    await banner.waitFor({ timeout: 25_000 });
    await screenshot(page, '16-queue-arrivals');
    expect(await seriousViolations(page)).toEqual([]);
    await banner.click();
    await banner.waitFor({ state: 'hidden' });
    await page.getByRole('link', { name: 'web-arrival-1', exact: true }).waitFor();
    await page.close();

    // A server that does not count arrivals (404): nothing is shown, no error.
    const quiet = await newPage(browser);
    await quiet.route('**/api/v1/queue/arrivals*', (route) =>
      route.fulfill({
        status: 404,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'not_found', message: 'Not Found', problems: [] } }),
      }),
    );
    await signIn(quiet, server.url, await server.user('analyst'));
    const asked = quiet.waitForRequest(/\/api\/v1\/queue\/arrivals/);
    await openQueue(quiet, server);
    await asked;
    await quiet.waitForTimeout(300);
    expect(await quiet.getByRole('alert').count()).toBe(0);
    await quiet.close();
  }, 60_000);

  it('shows an investigator the queue without triage actions', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('investigator'));
    await openQueue(page, server);
    expect(await page.getByRole('button', { name: 'Accept checked' }).count()).toBe(0);
    expect(await page.locator('table.queue-table tbody input[type=checkbox]').count()).toBe(0);
    // In Italian, keys and all.
    await page.getByLabel('Language').selectOption('it');
    await page.getByRole('heading', { level: 1, name: 'Coda di triage' }).waitFor();
    await page.getByText('apri la segnalazione selezionata').waitFor();
    await page.getByRole('columnheader', { name: 'Giurisdizione' }).waitFor();
    await screenshot(page, '17-queue-italian');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });
});
