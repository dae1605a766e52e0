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

/**
 * The journey, end to end in one sitting, keyboard first: an analyst signs in, triages a referral
 * from the queue, reads why it went where it went, follows its link to the subject graph, overrides its
 * priority with a reason, accepts it; then a user of another organisation finds none of it.
 */
describe('web application: an analyst’s journey', () => {
  let server: WebServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchChromium()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs in, triages, reads the reasons, follows the link to the graph, overrides, accepts; another organisation sees nothing', async () => {
    // The first referral of the hub's queue whose reported person was linked into a subject.
    const queue = await server.app.triage.queue({ org: 'hub', limit: 200 }, OPERATOR);
    if (!queue.ok) throw new Error(JSON.stringify(queue.problems));
    let target: { id: string; sourceRef: string; subject: string; position: number } | undefined;
    for (const [position, item] of queue.value.items.entries()) {
      const links = await server.app.subjects.referralLinks(item.id, OPERATOR);
      const subject = links.ok ? links.value.mentions.find((m) => m.subject)?.subject?.id : undefined;
      if (subject) {
        target = { id: item.id, sourceRef: item.sourceRef, subject, position };
        break;
      }
    }
    if (!target) throw new Error('the demo data has no linked referral in the hub queue');

    const analyst = await server.user('analyst');
    const page = await newPage(browser);
    await signIn(page, server.url, analyst);
    await page.waitForURL(/\/queue/);
    const rows = page.locator('table.queue-table tbody tr');
    await rows.first().waitFor();

    // Keyboard triage: j down to the referral, Enter opens it.
    for (let i = 0; i <= target.position; i++) await page.keyboard.press('j');
    expect(await rows.nth(target.position).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/referrals/${target.id}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(`Referral ${target.sourceRef}`) }).waitFor();

    // Why here, why this priority.
    const signals = page.getByRole('table', { name: 'Location signals and their weights' });
    expect(await signals.locator('tbody tr').count()).toBeGreaterThan(0);
    const factors = page.getByRole('table', { name: 'Priority factors and their points' });
    expect(await factors.locator('tbody tr').count()).toBeGreaterThan(0);
    await screenshot(page, '90-journey-referral');
    expect(await seriousViolations(page)).toEqual([]);

    // Its link to the subject, and the subject's graph.
    const links = page.getByRole('region', { name: 'Links to subjects and referrals' });
    await links
      .getByRole('link', { name: new RegExp(`^Subject ${target.subject}`) })
      .first()
      .click();
    await page.waitForURL(`**/subjects/${target.subject}`);
    const graph = page.getByRole('region', { name: 'Graph' });
    await graph.locator('.graph-canvas canvas').first().waitFor();
    expect(await graph.locator('.graph-list').nth(0).locator('tbody tr').count()).toBeGreaterThan(1);
    await screenshot(page, '91-journey-subject-graph');
    expect(await seriousViolations(page)).toEqual([]);

    // Back to the referral: override its priority with a reason, then accept it.
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: new RegExp(`Referral ${target.sourceRef}`) }).waitFor();
    await page.getByRole('button', { name: 'Override priority' }).click();
    const override = page.getByRole('dialog', { name: 'Override the priority' });
    await override.getByLabel('New priority level').selectOption('E');
    await override.getByLabel('Reason').fill('Synthetic journey: the reporter says contact is ongoing');
    await override.getByRole('button', { name: 'Override priority' }).click();
    await override.waitFor({ state: 'hidden' });
    await page.locator('h1').getByText('overridden').waitFor();
    await page.getByRole('button', { name: 'Accept', exact: true }).click();
    const accept = page.getByRole('dialog', { name: 'Accept this referral' });
    await accept.getByRole('button', { name: 'Accept', exact: true }).click();
    await accept.waitFor({ state: 'hidden' });
    await page.getByText('This referral is accepted.').waitFor();

    // The server agrees: level E by override, accepted, and each step is in the audit trail.
    const after = await server.app.referrals.get(target.id, OPERATOR);
    expect(after && after.access === 'full' && after.priority).toBe('E');
    expect(after && after.access === 'full' && after.triage).toBe('accepted');
    const trail = await server.app.audit.search({ actor: `user:${analyst.email}`, limit: 200 }, OPERATOR);
    const actions = trail.ok ? new Set(trail.items.map((e) => e.action)) : new Set<string>();
    for (const a of ['queue.read', 'referral.read', 'referral.override-priority', 'referral.accept'])
      expect(actions.has(a), a).toBe(true);

    // A user of another organisation: not in their queue, no referral, no subject.
    const stranger = await server.user('analyst', 'demo-unit-roma');
    const theirs = await newPage(browser);
    await signIn(theirs, server.url, stranger);
    await theirs.waitForURL(/\/queue/);
    await theirs.getByRole('heading', { level: 1, name: 'Triage queue' }).waitFor();
    expect(await theirs.getByRole('link', { name: target.sourceRef, exact: true }).count()).toBe(0);
    await theirs.goto(`${server.url}/referrals/${target.id}`);
    await theirs.getByRole('alert').getByText('This does not exist, or is not visible to you.').waitFor();
    expect(await theirs.content()).not.toContain(target.sourceRef);
    await theirs.goto(`${server.url}/subjects/${target.subject}`);
    await theirs.getByRole('alert').first().waitFor();
    await screenshot(theirs, '92-journey-other-organisation');
    expect(await seriousViolations(theirs)).toEqual([]);
  }, 120_000);
});
