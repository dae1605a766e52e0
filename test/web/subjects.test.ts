import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommunityView, SubjectSummary, SubjectView } from '../../src/linking/subjects.service.ts';
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

interface Elements {
  nodes: { data: { id: string; label: string; type: string } }[];
  edges: { data: { id: string; kind: string; evidence?: string } }[];
}

/** An API answer as the signed-in page's user gets it (the same cookie, the same reach). */
async function apiGet<T>(page: Page, path: string): Promise<T> {
  const r = await page.evaluate(async (p) => {
    const res = await fetch(p);
    return { status: res.status, body: await res.json() };
  }, path);
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as T;
}

describe('web application: subjects, the subject graph, nickname tracing', () => {
  let server: WebServer;
  let browser: Browser;
  let all: SubjectSummary[];
  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchChromium()]);
    const r = await server.app.subjects.list({ limit: 200 }, OPERATOR);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    all = r.value.items;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function get(id: string): Promise<SubjectView> {
    const r = await server.app.subjects.get(id, OPERATOR);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    return r.value;
  }

  async function analyst(org?: string): Promise<Page> {
    const page = await newPage(browser);
    await signIn(page, server.url, await server.user('analyst', org));
    return page;
  }

  it('lists the subjects in reach, a page at a time, and filters those with prior records', async () => {
    expect(all.length).toBeGreaterThan(50);
    const page = await analyst();
    await page.getByRole('link', { name: 'Subjects' }).click();
    await page.getByRole('heading', { level: 1, name: 'Subjects' }).waitFor();
    const list = page.getByRole('region', { name: 'Subjects in your reach' });
    const rows = list.locator('tbody tr');
    await page.getByText('Showing 50 subjects.').waitFor();
    expect(await rows.count()).toBe(50);
    const first = [...all].sort((a, b) => (a.id < b.id ? -1 : 1))[0];
    if (!first) throw new Error('no subject');
    const row = rows.filter({ has: page.getByRole('link', { name: first.id }) });
    await expect(row.getByRole('cell').nth(1).textContent()).resolves.toBe(String(first.referrals));
    await screenshot(page, '30-subjects');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText(`Showing all ${all.length} subjects.`).waitFor();
    expect(await rows.count()).toBe(all.length);
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);

    const withPrior = all.filter((s) => s.prior.length > 0);
    expect(withPrior.length).toBeGreaterThan(0);
    await page.getByLabel('Only subjects with prior records').check();
    await page.waitForURL(/prior=1/);
    await page.getByText(`Showing all ${withPrior.length} subjects.`).waitFor();
    for (const s of withPrior) {
      const r = rows.filter({ has: page.getByRole('link', { name: s.id }) });
      await r.getByText(`${s.prior[0]?.register} ${s.prior[0]?.reference}`).waitFor();
    }
    await screenshot(page, '31-subjects-prior-records');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('shows a register’s “since” as the same calendar date west of UTC', async () => {
    const s = all.find((x) => x.prior.length > 0)!;
    const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'America/New_York' });
    const page = await context.newPage();
    // A register entry known since a calendar day (YYYY-MM-DD), as registers often give it.
    await page.route(`${server.url}/api/v1/subjects/${encodeURIComponent(s.id)}`, async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { prior: { since: string | null }[] };
      body.prior = body.prior.map((h) => ({ ...h, since: '2024-03-05' }));
      await route.fulfill({ response: res, json: body });
    });
    await signIn(page, server.url, await server.user('analyst'));
    await page.goto(`${server.url}/subjects/${encodeURIComponent(s.id)}`);
    const cell = page.locator('time[datetime="2024-03-05"]').first();
    await cell.waitFor();
    expect(await cell.textContent()).toBe('Mar 5, 2024');
    // A calendar date has no UTC moment to tell.
    expect(await cell.getAttribute('title')).toBe(null);
    await context.close();
  });

  it('traces a screen name to ranked look-alikes and the subjects reported under them', async () => {
    let found: { subject: string; name: string } | undefined;
    for (const s of all) {
      const v = await get(s.id);
      const name = v.identifiers.find((x) => x.kind === 'screen-name' && /^[a-z]{6,}$/.test(x.raw));
      if (name) {
        found = { subject: s.id, name: name.raw };
        break;
      }
    }
    if (!found) throw new Error('no screen name in the demo');
    const page = await analyst();
    await page.goto(`${server.url}/subjects`);
    // A variant with a separator and a digit suffix finds the name.
    const variant = `${found.name.slice(0, 3)}_${found.name.slice(3)}7`;
    await page.getByRole('searchbox', { name: 'Screen name' }).fill(variant);
    await page.getByRole('button', { name: 'Trace' }).click();
    await page.waitForURL(/name=/);
    const results = page.locator('.suggestions > li');
    await results.first().waitFor();
    const match = results.filter({ has: page.locator('.name', { hasText: new RegExp(`^${found.name}$`) }) });
    await match.waitFor();
    await expect(match.locator('.tag').textContent()).resolves.toMatch(
      /look-alike|same letters|same stem|similar/,
    );
    await match.getByText(/^score /).waitFor();
    if ((await match.getByRole('button', { name: 'Show subjects' }).count()) > 0)
      await match.getByRole('button', { name: 'Show subjects' }).click();
    await match.getByRole('link', { name: found.subject }).waitFor();
    await screenshot(page, '32-nickname-trace');
    expect(await seriousViolations(page)).toEqual([]);
    await match.getByRole('link', { name: found.subject }).click();
    await page.waitForURL(new RegExp(`/subjects/${found.subject}$`));
    await page.getByRole('heading', { level: 1, name: `Subject ${found.subject}` }).waitFor();

    // The exact name itself, and one that is nowhere.
    await page.goto(`${server.url}/subjects?name=${encodeURIComponent('zz-nobody-qqq')}`);
    await page.getByText('No screen names like “zz-nobody-qqq” in referrals you can read.').waitFor();
    await page.close();
  });

  it('draws a subject’s graph, shows the evidence of a link on focus, and lists the same graph', async () => {
    // A subject of two accounts joined on evidence.
    const subject = all.find((s) => s.accounts.length === 2 && s.referrals >= 4);
    if (!subject) throw new Error('no linked subject');
    const page = await analyst();
    await page.goto(`${server.url}/subjects/${subject.id}`);
    await page.getByRole('heading', { level: 1, name: `Subject ${subject.id}` }).waitFor();
    const graph = await apiGet<Elements>(page, `/api/v1/subjects/${subject.id}/graph`);
    const region = page.getByRole('region', { name: 'Graph' });
    await region.locator('.graph-canvas canvas').first().waitFor();
    await region.getByRole('img', { name: /^Drawing of the graph/ }).waitFor();
    const nodeRows = region.locator('.graph-list').nth(0).locator('tbody tr');
    const edgeRows = region.locator('.graph-list').nth(1).locator('tbody tr');
    expect(await nodeRows.count()).toBe(graph.nodes.length);
    expect(await edgeRows.count()).toBe(graph.edges.length);
    await region.getByText(`Nodes (${graph.nodes.length})`).waitFor();

    // Focusing a link in the list selects it and shows its evidence.
    const evidenced = graph.edges.find((e) => e.data.evidence);
    if (!evidenced?.data.evidence) throw new Error('no evidence edge');
    const label = evidenced.data.kind === 'link:strong' ? 'strong link' : 'weak links that agree';
    const button = region.getByRole('button', { name: new RegExp(`^${label}:`) }).first();
    await button.focus();
    await expect(button.getAttribute('aria-pressed')).resolves.toBe('true');
    const selection = region.locator('.graph-selection');
    await selection.getByText(label, { exact: true }).waitFor();
    await selection.locator('dd.evidence').waitFor();
    expect(await selection.locator('dd.evidence').textContent()).not.toBe('');
    // A node too: the subject's first referral.
    const referral = graph.nodes.find((n) => n.data.type === 'referral');
    if (!referral) throw new Error('no referral node');
    await region.getByRole('button', { name: referral.data.label, exact: true }).focus();
    await selection.getByText('Referral', { exact: true }).waitFor();
    await selection.getByRole('link', { name: `Open ${referral.data.label}` }).waitFor();

    // The page's own lists: accounts, referrals (to their pages), evidence.
    const accounts = page.getByRole('region', { name: 'Accounts' });
    for (const a of subject.accounts) await accounts.getByText(a.slice(a.indexOf('|') + 1)).waitFor();
    const link = page.getByRole('region', { name: 'Referrals' }).getByRole('link').first();
    expect(await link.getAttribute('href')).toMatch(/^\/referrals\//);
    await page.getByRole('region', { name: 'Evidence of each join' }).locator('tbody tr').first().waitFor();
    await screenshot(page, '33-subject-graph');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('expands a community to its other member, then that subject to its graph, and merges the two', async () => {
    const communities = await server.app.subjects.communities({}, OPERATOR);
    if (!communities.ok) throw new Error();
    const c = communities.value[0];
    if (!c) throw new Error('no community in the demo');
    const detail = await server.app.subjects.communities({ detail: c.id }, OPERATOR);
    const members = detail.ok ? ((detail.value[0] as CommunityView).members ?? []) : [];
    const [a, b] = members;
    if (!a || !b) throw new Error('a community of fewer than two');
    const page = await analyst();
    await page.goto(`${server.url}/subjects/${a.subject}`);
    const region = page.getByRole('region', { name: 'Graph' });
    await region.locator('.graph-canvas canvas').first().waitFor();
    const nodeRows = region.locator('.graph-list').nth(0).locator('tbody tr');
    const before = await nodeRows.count();
    expect(await region.getByRole('button', { name: b.subject, exact: true }).count()).toBe(0);

    await region.getByRole('button', { name: `Expand ${c.group}` }).click();
    await region
      .getByRole('status')
      .filter({ hasText: `from ${c.group}:` })
      .waitFor();
    await region.getByRole('button', { name: b.subject, exact: true }).waitFor();
    expect(await nodeRows.count()).toBe(before + 1);
    const community = nodeRows.filter({ has: page.getByRole('button', { name: c.group, exact: true }) });
    await community.getByText('Expanded').waitFor();

    // The other member's own graph joins the drawing.
    const other = await apiGet<Elements>(page, `/api/v1/subjects/${b.subject}/graph`);
    await region.getByRole('button', { name: `Expand ${b.subject}` }).click();
    await region
      .getByRole('status')
      .filter({ hasText: `from ${b.subject}:` })
      .waitFor();
    const referral = other.nodes.find((n) => n.data.type === 'referral');
    if (!referral) throw new Error('no referral');
    await region.getByRole('button', { name: referral.data.label, exact: true }).waitFor();
    expect(await nodeRows.count()).toBeGreaterThan(before + 1);
    await screenshot(page, '34-subject-graph-expanded');
    expect(await seriousViolations(page)).toEqual([]);

    // The merge dialog offers the subject the graph reached.
    await page.getByRole('button', { name: 'Merge…' }).click();
    const dialog = page.getByRole('dialog', { name: `Merge subject ${a.subject} with others` });
    await dialog.waitFor();
    await dialog.getByRole('checkbox', { name: b.subject }).check();
    await dialog.getByLabel('Reason').fill('Same person: the group membership and nickname agree (test).');
    await dialog.getByRole('button', { name: 'Merge' }).click();
    await page.getByText(/^Merged: this subject now holds the accounts of/).waitFor();
    const merged = new URL(page.url()).pathname.split('/').pop() ?? '';
    const view = await apiGet<SubjectView>(page, `/api/v1/subjects/${merged}`);
    expect(view.decisions.map((d) => d.kind)).toContain('merge');
    expect(view.accounts.length).toBe(2);
    await page.close();
  });

  it('confirms a subject with a reason, which is required', async () => {
    const subject = all.find((s) => s.accounts.length === 1 && s.referrals >= 3 && !s.confirmed);
    if (!subject) throw new Error('no subject');
    const page = await analyst();
    await page.goto(`${server.url}/subjects/${subject.id}`);
    await page.getByRole('button', { name: 'Confirm…' }).click();
    const dialog = page.getByRole('dialog', { name: `Confirm subject ${subject.id}` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.getByText('A reason is required.').waitFor();
    await screenshot(page, '35-subject-confirm-dialog');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByLabel('Reason').fill('Checked the account and e-mail: one person (test).');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('status').filter({ hasText: 'The subject is confirmed.' }).waitFor();
    await expect(dialog.isVisible()).resolves.toBe(false);
    const decisions = page.getByRole('region', { name: 'Decisions' }).last();
    await decisions
      .getByRole('cell', { name: 'Checked the account and e-mail: one person (test).' })
      .waitFor();
    await page.locator('h1 .tag.confirmed').waitFor();
    expect((await get(subject.id)).confirmed).toBe(true);
    await screenshot(page, '35-subject-confirmed');
    await page.close();
  });

  it('splits a two-account subject into two, and then refuses to merge them back (409)', async () => {
    const subject = all.find((s) => s.accounts.length === 2 && !s.confirmed && s.id !== all[0]?.id);
    if (!subject) throw new Error('no two-account subject');
    const [keep, out] = subject.accounts;
    if (!keep || !out) throw new Error();
    const page = await analyst();
    await page.goto(`${server.url}/subjects/${subject.id}`);
    await page.getByRole('button', { name: 'Split…' }).click();
    const dialog = page.getByRole('dialog', { name: `Split subject ${subject.id}` });
    await dialog.waitFor();
    // Not all: refused before asking the server.
    for (const box of await dialog.getByRole('checkbox').all()) await box.check();
    await dialog.getByLabel('Reason').fill('Two people share the device (test).');
    await dialog.getByRole('button', { name: 'Split' }).click();
    await dialog.getByText('Choose some, but not all, of the accounts.').waitFor();
    await dialog.getByRole('checkbox').nth(0).uncheck();
    await screenshot(page, '36-subject-split-dialog');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Split' }).click();
    await page.getByText('Split into 2 subjects:').waitFor();

    const views = await Promise.all(
      (await page.locator('.success a').allTextContents()).map((id) =>
        apiGet<SubjectView>(page, `/api/v1/subjects/${id}`),
      ),
    );
    expect(views.map((v) => v.accounts)).toEqual(expect.arrayContaining([[keep], [out]]));
    const created = views.find((v) => v.id !== subject.id);
    if (!created) throw new Error('no new subject');
    // The page refreshed: one account left, the decision listed.
    await page
      .getByRole('region', { name: 'Decisions' })
      .last()
      .getByRole('cell', { name: 'Two people share the device (test).' })
      .waitFor();
    expect(await page.getByRole('button', { name: 'Split…' }).count()).toBe(0);
    await screenshot(page, '36-subject-split');

    // Merging the two sides again is forbidden by the split: the server's reason is shown.
    await page.getByRole('button', { name: 'Merge…' }).click();
    const merge = page.getByRole('dialog', { name: /^Merge subject/ });
    await merge.getByLabel('Other subject ids').fill(created.id);
    await merge.getByLabel('Reason').fill('Try to undo (test).');
    await merge.getByRole('button', { name: 'Merge' }).click();
    const refusal = merge.getByRole('alert');
    await refusal.getByText('This cannot be done now:').waitFor();
    // The server's own words, as it gave them.
    await refusal.getByText('an earlier split keeps some of these accounts apart', { exact: true }).waitFor();
    await screenshot(page, '37-subject-merge-refused');
    expect(await seriousViolations(page)).toEqual([]);
    await merge.getByRole('button', { name: 'Cancel' }).click();
    await expect(merge.isVisible()).resolves.toBe(false);
    await page.close();
  });

  it('shows another organisation’s user nothing of a subject outside its reach, and notes what is held elsewhere', async () => {
    const subject = all[0];
    if (!subject) throw new Error();
    const outsider = await analyst('demo-referring-centre');
    await outsider.goto(`${server.url}/subjects/${subject.id}`);
    await outsider.getByRole('heading', { name: 'No such subject in your reach' }).waitFor();
    await outsider
      .getByText(`There is no subject ${subject.id} that you can see.`, { exact: false })
      .waitFor();
    expect(await outsider.getByText(subject.accounts[0] ?? '-').count()).toBe(0);
    await screenshot(outsider, '38-subject-not-found');
    expect(await seriousViolations(outsider)).toEqual([]);
    await outsider.goto(`${server.url}/subjects`);
    await outsider.getByText('No subjects in referrals you can read.').waitFor();
    await outsider.close();

    // A unit sees its own referrals of a subject, and the rest only as "held elsewhere".
    // Subjects as they are now: the tests above merged and split some.
    const now = await server.app.subjects.list({ limit: 200 }, OPERATOR);
    let shared: SubjectView | undefined;
    for (const s of now.ok ? now.value.items : []) {
      const v = await get(s.id);
      const to = new Set(v.referralsVisible.map((r) => r.recipient));
      if (to.has('demo-unit-roma') && to.size > 1) {
        shared = v;
        break;
      }
    }
    if (!shared) return;
    const unit = await analyst('demo-unit-roma');
    await unit.goto(`${server.url}/subjects/${shared.id}`);
    const held = unit.getByRole('region', { name: 'Held elsewhere' });
    await held.waitFor();
    await held.getByText(/^demo-ncc-it: \d+ referrals since/).waitFor();
    const mine = shared.referralsVisible.filter((r) => r.recipient === 'demo-unit-roma');
    expect(await unit.getByRole('region', { name: 'Referrals' }).locator('tbody tr').count()).toBe(
      mine.length,
    );
    await screenshot(unit, '39-subject-held-elsewhere');
    expect(await seriousViolations(unit)).toEqual([]);
    await unit.close();
  });
});
