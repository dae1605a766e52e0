import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommunityView, SubjectView } from '../../src/linking/subjects.service.ts';
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

const country = (code: string) => new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code;

describe('web application: communities, the view that turns a batch into investigations', () => {
  let server: WebServer;
  let browser: Browser;
  let communities: CommunityView[];
  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchChromium()]);
    const r = await server.app.subjects.communities({}, OPERATOR);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    communities = r.value;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function analyst(org?: string): Promise<Page> {
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('analyst', org));
    return page;
  }

  it('lists communities with their members, referrals and per-country counts', async () => {
    expect(communities.length).toBeGreaterThan(0);
    const page = await analyst();
    await page.getByRole('link', { name: 'Communities' }).click();
    await page.getByRole('heading', { level: 1, name: 'Communities' }).waitFor();
    const list = page.getByRole('region', { name: 'Communities in your reach' });
    await list.locator('tbody tr').first().waitFor();
    expect(await list.locator('tbody tr').count()).toBe(communities.length);
    for (const c of communities) {
      const row = list
        .locator('tbody tr')
        .filter({ has: page.getByRole('link', { name: c.group, exact: true }) });
      const cells = row.getByRole('cell');
      await expect(cells.nth(0).textContent()).resolves.toBe(c.service);
      await expect(cells.nth(1).textContent()).resolves.toBe(String(c.subjects));
      await expect(cells.nth(2).textContent()).resolves.toBe(String(c.referrals));
      for (const x of c.countries)
        await row
          .getByRole('listitem')
          .filter({ hasText: `${x.subjects} in ${country(x.country)}` })
          .waitFor();
    }
    // The totals per country, across communities.
    const totals = new Map<string, number>();
    for (const c of communities)
      for (const x of c.countries) totals.set(x.country, (totals.get(x.country) ?? 0) + x.subjects);
    const byCountry = page.getByRole('region', { name: 'Prospective investigations by country' });
    for (const [code, n] of totals)
      await byCountry
        .getByRole('listitem')
        .filter({ hasText: `${n === 1 ? 'investigation' : 'investigations'} in ${country(code)}` })
        .waitFor();
    await screenshot(page, '40-communities');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('shows a community: per-country investigations, members by country, their accounts and referrals', async () => {
    const c = communities[0];
    if (!c) throw new Error('no community');
    const detail = await server.app.subjects.communities({ detail: c.id }, OPERATOR);
    const members = detail.ok ? (detail.value[0]?.members ?? []) : [];
    expect(members.length).toBe(c.subjects);
    const page = await analyst();
    await page.goto(`${server.url}/communities`);
    await page.getByRole('link', { name: c.group, exact: true }).click();
    await page.waitForURL(new RegExp(`/communities/${c.id}$`));
    await page.getByRole('heading', { level: 1, name: `Community ${c.group}` }).waitFor();

    // "Would become: N investigations in <country>", per country.
    const becomes = page.getByRole('region', { name: 'Would become' });
    for (const x of c.countries)
      await expect(
        becomes
          .getByRole('listitem')
          .filter({ hasText: `in ${country(x.country)}` })
          .textContent(),
      ).resolves.toBe(
        `${x.subjects} ${x.subjects === 1 ? 'investigation' : 'investigations'} in ${country(x.country)}`,
      );

    const byCountry = page.getByRole('region', { name: 'Members by country' });
    for (const x of c.countries) {
      const section = byCountry.getByRole('region', { name: country(x.country) });
      await section
        .getByRole('heading', {
          name: `${country(x.country)} (${x.country}): ${x.subjects} ${x.subjects === 1 ? 'member' : 'members'}`,
        })
        .waitFor();
      expect(await section.locator('tbody tr').count()).toBe(x.subjects);
    }
    // Each member: its subject, its accounts (linking to the subject), its referrals (to their pages).
    for (const mb of members) {
      const r = await server.app.subjects.get(mb.subject, OPERATOR);
      if (!r.ok) throw new Error();
      const s: SubjectView = r.value;
      const row = byCountry.locator('tbody tr').filter({ has: page.getByRole('link', { name: mb.subject }) });
      for (const a of s.accounts) {
        const account = row.getByRole('link', { name: new RegExp(a.slice(a.indexOf('|') + 1)) });
        expect(await account.getAttribute('href')).toBe(`/subjects/${mb.subject}`);
      }
      for (const ref of s.referralsVisible.slice(0, 5))
        expect(await row.getByRole('link', { name: ref.id }).getAttribute('href')).toBe(
          `/referrals/${ref.id}`,
        );
    }
    await screenshot(page, '41-community');
    expect(await seriousViolations(page)).toEqual([]);

    // From a member's account to its subject.
    const first = members[0];
    if (!first) throw new Error();
    await byCountry
      .locator('tbody tr')
      .filter({ has: page.getByRole('link', { name: first.subject }) })
      .getByRole('cell')
      .first()
      .getByRole('link')
      .first()
      .click();
    await page.waitForURL(new RegExp(`/subjects/${first.subject}$`));
    await page.getByRole('heading', { level: 1, name: `Subject ${first.subject}` }).waitFor();
    await page.close();
  });

  it('says so when a community is not there or not in reach, and shows outsiders none', async () => {
    const page = await analyst();
    await page.goto(`${server.url}/communities/bm9uZXxub25l`);
    await page.getByRole('heading', { name: 'No such community in your reach' }).waitFor();
    await screenshot(page, '42-community-not-found');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();

    const c = communities[0];
    if (!c) throw new Error();
    const outsider = await analyst('demo-referring-centre');
    await outsider.goto(`${server.url}/communities`);
    await outsider
      .getByText(
        'No communities: no group or chat is shared by two or more subjects in referrals you can read.',
      )
      .waitFor();
    await screenshot(outsider, '43-communities-none');
    expect(await seriousViolations(outsider)).toEqual([]);
    await outsider.goto(`${server.url}/communities/${c.id}`);
    await outsider.getByRole('heading', { name: 'No such community in your reach' }).waitFor();
    expect(await outsider.getByText(c.group).count()).toBe(0);
    await outsider.close();
  });
});
