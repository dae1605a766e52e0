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
import { OPERATOR } from '../support/server.ts';

/** The hub's pending queue as the server has it. */
async function hubQueue(server: WebServer): Promise<QueueItem[]> {
  const q = await server.app.triage.queue({ org: 'hub', limit: 200 }, OPERATOR);
  if (!q.ok) throw new Error(JSON.stringify(q.problems));
  return q.value.items;
}

async function openReferral(page: Page, server: WebServer, item: QueueItem): Promise<void> {
  await page.goto(`${server.url}/referrals/${item.id}`);
  await page.getByRole('heading', { level: 1, name: new RegExp(`Referral ${item.sourceRef}`) }).waitFor();
}

describe('web application: the referral detail', () => {
  let server: WebServer;
  let browser: Browser;
  let items: QueueItem[];
  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchChromium()]);
    items = await hubQueue(server);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lays out the report and, beside it, why this jurisdiction and why this priority', async () => {
    const item = items.find((i) => i.priority?.level === 'E' && !i.held)!;
    const view = await server.app.referrals.get(item.id, OPERATOR);
    if (!view || view.access !== 'full' || !view.decision?.priority) throw new Error('no decision');
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('analyst'));
    await openReferral(page, server, item);
    const main = page.locator('main');
    // The report, in the order a CyberTipline report is read.
    const headings = await main.locator('h3').allTextContents();
    const order = ['Incident', 'Reporter', 'Reported persons', 'IP capture timeline', 'Files', 'Victims'];
    const at = order.map((h) => headings.findIndex((x) => x.startsWith(h)));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    await main.getByText(view.document.incident.type).first().waitFor();
    // Files: hashes and metadata, never an image.
    const file = view.document.files[0];
    if (file?.hashes.sha256) await main.getByText(file.hashes.sha256).first().waitFor();
    expect(await page.locator('img, canvas, video, object, embed').count()).toBe(0);
    // IP capture timeline, sorted by time.
    const cells = await main.locator('table.timeline tbody time').all();
    const times = await Promise.all(cells.map(async (c) => (await c.getAttribute('datetime')) ?? ''));
    expect(times.length).toBeGreaterThan(0);
    expect(times).toEqual([...times].sort());
    // Why this jurisdiction: each signal with its weight.
    const signals = page.getByRole('table', { name: 'Location signals and their weights' });
    for (const s of view.decision.jurisdiction.signals) {
      await signals.getByRole('row').filter({ hasText: s.evidence }).first().waitFor();
    }
    expect(await signals.locator('tbody tr').count()).toBe(view.decision.jurisdiction.signals.length);
    // Why this priority: each factor with its points and reason.
    const factors = page.getByRole('table', { name: 'Priority factors and their points' });
    for (const f of view.decision.priority.factors) {
      const row = factors
        .locator('tbody tr')
        .filter({ has: page.locator('td.factor', { hasText: new RegExp(`^${f.factor}$`) }) });
      await row.getByText(f.reason, { exact: true }).waitFor();
      expect(await row.locator('td.num').textContent()).toBe(String(f.points));
    }
    // Links to subjects.
    const links = page.getByRole('region', { name: 'Links to subjects and referrals' });
    await links
      .getByRole('link', { name: /^Subject / })
      .first()
      .waitFor();
    await screenshot(page, '20-referral');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('follows a link to the subject and to a linked referral', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('analyst'));
    // A referral whose reported person is linked to others.
    let target: QueueItem | undefined;
    for (const i of items) {
      const l = await server.app.subjects.referralLinks(i.id, OPERATOR);
      if (l.ok && l.value.mentions.some((m) => (m.subject?.referrals ?? 0) > 1)) {
        target = i;
        break;
      }
    }
    expect(target).toBeDefined();
    await openReferral(page, server, target!);
    const links = page.getByRole('region', { name: 'Links to subjects and referrals' });
    const other = links.getByRole('link', { name: /^Referral / }).first();
    await other.waitFor();
    // The evidence in words beside each direct link.
    if ((await links.getByText('Linked directly').count()) > 0) {
      expect(await links.locator('ul.evidence li').count()).toBeGreaterThan(0);
      // Each rule by its name, never its id.
      for (const tag of await links.locator('.tag').allTextContents())
        expect(tag).toMatch(/^rule (strong identifier|weak identifiers that agree|analyst’s merge)$/);
    }
    await screenshot(page, '21-referral-links');
    const href = await other.getAttribute('href');
    await other.click();
    await page.waitForURL((u) => u.pathname === href);
    await page.getByRole('heading', { level: 1, name: /^Referral / }).waitFor();
    await page.goBack();
    await links
      .getByRole('link', { name: /^Subject / })
      .first()
      .click();
    await page.waitForURL(/\/subjects\/S/);
    await page.close();
  });

  it('overrides the priority with a reason, then shows the new level, who and why', async () => {
    const item = items.find((i) => i.priority?.level === '2' && !i.held)!;
    const page = await newPage(browser);
    const who = await server.user('analyst');
    await signIn(page, server.url, who);
    await openReferral(page, server, item);
    await page.getByRole('button', { name: 'Override priority' }).click();
    const dialog = page.getByRole('dialog', { name: 'Override the priority' });
    await dialog.getByLabel('New priority level').selectOption('1');
    await dialog.getByRole('button', { name: 'Override priority' }).click();
    await dialog.getByText('A reason is required.').waitFor();
    await dialog.getByLabel('Reason').fill('Synthetic test: a second report shows ongoing contact');
    await screenshot(page, '22-referral-override-dialog');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Override priority' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const override = page.getByTestId('priority-override');
    await override.getByText('Priority changed from 2 to 1').waitFor();
    await override.getByText('Synthetic test: a second report shows ongoing contact').waitFor();
    await override.getByText(who.email).waitFor();
    expect(await page.locator('h1 .badge').textContent()).toBe('Level 1');
    await page.locator('h1').getByText('overridden').waitFor();
    const stored = await server.app.referrals.get(item.id, OPERATOR);
    expect(stored && stored.access === 'full' ? stored.overrides.priority?.level : null).toBe('1');
    await screenshot(page, '23-referral-overridden');
    expect(await seriousViolations(page)).toEqual([]);
    // The queue marks it too.
    await page.goto(`${server.url}/queue?level=1`);
    const row = page
      .locator('table.queue-table tbody tr')
      .filter({ has: page.getByRole('link', { name: item.sourceRef, exact: true }) });
    await row.getByText('overridden').waitFor();
    await page.close();
  });

  it('accepts and reassigns from the detail, each refreshing the view', async () => {
    const [a, b] = items.filter((i) => i.priority?.level === '3' && !i.held);
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('supervisor'));
    await openReferral(page, server, a!);
    await page.getByRole('button', { name: 'Accept', exact: true }).click();
    const accept = page.getByRole('dialog', { name: 'Accept this referral' });
    await accept.getByRole('button', { name: 'Accept', exact: true }).click();
    await accept.waitFor({ state: 'hidden' });
    await page.getByText('This referral is accepted.').waitFor();
    expect(await page.getByRole('button', { name: 'Accept', exact: true }).isDisabled()).toBe(true);

    await openReferral(page, server, b!);
    await page.getByRole('button', { name: 'Reassign', exact: true }).click();
    const reassign = page.getByRole('dialog', { name: 'Reassign this referral' });
    await reassign.getByLabel('Send to organisation').selectOption('demo-unit-roma');
    await reassign.getByLabel('Reason').fill('Synthetic test: the unit already investigates this account');
    await reassign.getByRole('button', { name: 'Reassign', exact: true }).click();
    await reassign.waitFor({ state: 'hidden' });
    await page.getByText('Reassigned from hub to demo-unit-roma').waitFor();
    const stored = await server.app.referrals.get(b!.id, OPERATOR);
    expect(stored && stored.access === 'full' ? stored.recipient : null).toBe('demo-unit-roma');
    await page.close();
  });

  it('returns to the queue, saying so, when a reassigned referral leaves the user’s reach', async () => {
    const c = items.filter((i) => i.priority?.level === '3' && !i.held)[2]!;
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('supervisor'));
    await openReferral(page, server, c);
    await page.getByRole('button', { name: 'Reassign', exact: true }).click();
    const reassign = page.getByRole('dialog', { name: 'Reassign this referral' });
    await reassign.getByLabel('Send to organisation').selectOption('demo-unit-roma');
    await reassign.getByLabel('Reason').fill('Synthetic test: the unit takes it over');
    // From now on the server no longer shows this referral to this user (as for a user of the old recipient).
    await page.route(`${server.url}/api/v1/referrals/${c.id}`, (route) =>
      route.request().method() === 'GET'
        ? route.fulfill({
            status: 404,
            contentType: 'application/json',
            body: JSON.stringify({ error: { code: 'not_found', message: 'not found' } }),
          })
        : route.continue(),
    );
    await reassign.getByRole('button', { name: 'Reassign', exact: true }).click();
    await page.waitForURL(/\/queue/);
    await page
      .getByRole('status')
      .filter({
        hasText: `Referral ${c.id} was reassigned to demo-unit-roma; it is no longer in your reach.`,
      })
      .waitFor();
    expect(await page.getByText('This does not exist, or is not visible to you.').count()).toBe(0);
    await screenshot(page, '29-referral-reassigned-away');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('shows the raw submitted document only when opened', async () => {
    const item = items[0]!;
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('analyst'));
    const raws: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/raw')) raws.push(r.url());
    });
    await openReferral(page, server, item);
    expect(raws).toEqual([]);
    await page.getByText('Raw submitted document').click();
    const pre = page.locator('pre.raw-text').first();
    await pre.waitFor();
    // The CyberTipline XML as submitted (report, then each file's details).
    expect(await pre.textContent()).toContain('<report');
    expect(await pre.textContent()).toContain(`<incidentType>${item.incidentType}</incidentType>`);
    expect(raws.length).toBe(1);
    await page.getByRole('heading', { level: 3, name: 'Report', exact: true }).waitFor();
    await screenshot(page, '24-referral-raw');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('tells a user of another organisation that the referral is not there for them', async () => {
    const item = items[1]!;
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('analyst', 'demo-unit-roma'));
    await page.goto(`${server.url}/referrals/${item.id}`);
    await page.getByRole('alert').getByText('This does not exist, or is not visible to you.').waitFor();
    await page.getByText('ask the organisation that holds it').waitFor();
    await page.getByRole('heading', { level: 1, name: 'Referral' }).waitFor();
    expect(await page.locator('main').textContent()).not.toContain(item.sourceRef);
    await screenshot(page, '25-referral-not-found');
    expect(await seriousViolations(page)).toEqual([]);
    // The raw document is refused alike.
    const raw = await page.evaluate(
      (id) => fetch(`/api/v1/referrals/${id}/raw`).then((r) => r.status),
      item.id,
    );
    expect(raw).toBe(404);
    await page.close();
  });

  it('shows the source that filed it the status only', async () => {
    const item = items[2]!;
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('analyst', 'demo-referring-centre'));
    await page.goto(`${server.url}/referrals/${item.id}`);
    await page.getByText('Your organisation submitted this referral.').waitFor();
    expect(await page.locator('main').textContent()).not.toContain(item.incidentType);
    await screenshot(page, '26-referral-status-only');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('shows an investigator the referral without triage actions', async () => {
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('investigator'));
    await openReferral(page, server, items[0]!);
    await page.getByRole('heading', { name: 'Why this priority' }).waitFor();
    expect(await page.getByRole('button', { name: 'Override priority' }).count()).toBe(0);
    await page.close();
  });
});
