import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { loadConfig } from '../config.ts';
import { launchChromium } from './chromium.ts';
import type { RequestContext } from '../domain/access.ts';
import { scenario } from '../generate/scenario.ts';
import { buildServer } from '../http/server.ts';
import { WEB_DIST } from '../http/web.ts';
import { seal, type Submission } from '../intake/intake.service.ts';
import { createApp } from '../main.ts';

const OPERATOR: RequestContext = { principal: { kind: 'operator', name: 'bench' }, requestId: null };
const PASSWORD = 'bench password, synthetic';
const ANALYST = 'analyst@ncc-it.example.org';
const DAY = 86_400_000;

/**
 * Issue 7's figures. A SQLite database with `rows` referrals in one national centre's queue (built once
 * under .bench/ and reused): 200 real generated referrals go through intake, then their rows are cloned
 * with fresh ids, receipt times over a year, levels, held flags and triage states. Then, over real HTTP on
 * loopback: the first queue page and a page 90 % deep (median and p95 of repeated requests), the queue
 * screen's time to interactive in Debian's Chromium, and the JavaScript the first screen ships (gzip).
 */
export async function webBench(rows = 1_000_000): Promise<Record<string, number | string>> {
  const path = join('.bench', `queue-${rows}.db`);
  const built = `${path}.complete`;
  let buildSeconds: number | string = 'reused';
  if (!existsSync(built)) {
    const t = performance.now();
    await buildDatabase(path, rows);
    writeFileSync(built, '');
    buildSeconds = Math.round((performance.now() - t) / 100) / 10;
  }
  const config = loadConfig({}, { CONDUIT_RATE_LIMIT: '1000000' });
  const app = await createApp({ ...config, db: { kind: 'sqlite', path } });
  const http = await buildServer({
    ...app,
    maxInputBytes: config.maxInputBytes,
    rateLimit: config.rateLimit,
    corsOrigins: [],
    now: () => new Date(),
    logger: false,
    secureCookies: false,
  });
  const base = await http.listen({ port: 0, host: '127.0.0.1' });
  try {
    const signIn = await fetch(`${base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ANALYST, password: PASSWORD }),
    });
    if (signIn.status !== 201) throw new Error(`sign-in: ${signIn.status} ${await signIn.text()}`);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const time = async (url: string) => {
      const samples: number[] = [];
      for (let i = 0; i < 25; i++) {
        const t = performance.now();
        const r = await fetch(`${base}${url}`, { headers: { cookie } });
        const body = (await r.json()) as { items?: unknown[] };
        if (r.status !== 200 || body.items?.length !== 50) throw new Error(`${url}: ${r.status}`);
        if (i >= 5) samples.push(performance.now() - t);
      }
      samples.sort((a, b) => a - b);
      const at = (q: number) => Math.round((samples[Math.floor(q * (samples.length - 1))] ?? 0) * 10) / 10;
      return { median: at(0.5), p95: at(0.95) };
    };
    const deep = deepCursor(path, rows);
    const first = await time('/api/v1/queue?limit=50');
    const deepPage = await time(`/api/v1/queue?limit=50&after=${deep}`);
    const filtered = await time('/api/v1/queue?limit=50&level=2,3&hasMatches=false');
    const tti = await timeToInteractive(base);
    const js = firstScreenJs();
    return {
      referrals: rows,
      'database build (s)': buildSeconds,
      'first page median (ms)': first.median,
      'first page p95 (ms)': first.p95,
      'page 90 % deep median (ms)': deepPage.median,
      'page 90 % deep p95 (ms)': deepPage.p95,
      'filtered first page median (ms)': filtered.median,
      'queue time to interactive, median of 5 (ms)': tti.median,
      'queue time to interactive, worst of 5 (ms)': tti.worst,
      'first-screen JS (KB gzip)': js.gzipKb,
      'first-screen JS (KB raw)': js.rawKb,
      'first-screen files': js.files,
    };
  } finally {
    await http.close();
    await app.close();
  }
}

async function buildDatabase(path: string, rows: number): Promise<void> {
  mkdirSync('.bench', { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  const config = loadConfig({}, {});
  const app = await createApp({ ...config, db: { kind: 'sqlite', path } });
  try {
    const add = async (o: Parameters<typeof app.organisations.add>[0]) => {
      const r = await app.organisations.add(o, OPERATOR);
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      return r.organisation;
    };
    const source = await add({ slug: 'bench-source', kind: 'referring-centre' });
    await add({ slug: 'ncc-it', kind: 'national-centre', parent: app.receiving.slug, covers: ['IT'] });
    const user = await app.access.addUser(
      { org: 'ncc-it', email: ANALYST, role: 'analyst', password: PASSWORD },
      OPERATOR,
    );
    if (!user.ok) throw new Error(JSON.stringify(user.problems));
    const submissions: Submission[] = [];
    for (const e of scenario({ reports: 200, seed: 'bench-web', geoIps: true })) {
      if (e.kind !== 'report') continue;
      const raw = Buffer.from(JSON.stringify(e.doc));
      submissions.push({
        format: 'conduit-json',
        mediaType: 'application/json',
        raw,
        ...seal(raw),
        document: e.doc,
      });
    }
    await app.intake.submit(source, submissions, OPERATOR);
  } finally {
    await app.close();
  }
  // The clones: written straight into the tables, as many times as needed, in big transactions.
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const ncc = (db.prepare(`SELECT id FROM organisations WHERE slug = 'ncc-it'`).get() as { id: string }).id;
    const templates = db
      .prepare(
        `SELECT r.*, d.outcome AS d_outcome, d.decision AS d_decision, d.decided_at AS d_decided_at
         FROM referrals r JOIN decisions d ON d.referral_id = r.id`,
      )
      .all() as Record<string, unknown>[];
    const columns = Object.keys(templates[0] ?? {}).filter((c) => !c.startsWith('d_'));
    const insert = db.prepare(
      `INSERT INTO referrals (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
    );
    const decide = db.prepare(
      `INSERT INTO decisions (referral_id, outcome, recipient_org_id, decision, decided_at)
       VALUES (?, ?, ?, ?, ?)`,
    );
    const start = Date.parse('2025-11-28T00:00:00Z');
    const step = (365 * DAY) / rows;
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const t = templates[i % templates.length]!;
        const at = Math.floor(start + i * step);
        const id = `${at
          .toString(16)
          .padStart(12, '0')
          .replace(
            /^(.{8})(.{4})$/,
            '$1-$2',
          )}-7${(i >>> 20).toString(16).padStart(3, '0')}-8${((i >>> 12) & 0xff).toString(16).padStart(3, '0')}-${i.toString(16).padStart(12, '0')}`;
        const rank = random() < 0.02 ? 0 : 1 + Math.floor(random() * 3);
        const receivedAt = new Date(at).toISOString();
        insert.run({
          ...Object.fromEntries(columns.map((c) => [c, t[c]])),
          id,
          source_ref: `bench-${i}`,
          received_at: receivedAt,
          recipient_org_id: ncc,
          status: random() < 0.05 ? 'held' : 'routed',
          priority_rank: rank,
          priority_level: rank === 0 ? 'E' : String(rank),
          classification: random() < 0.05 ? 'informational' : 'actionable',
          triage: random() < 0.1 ? 'accepted' : 'pending',
          country: 'IT',
          link_seq: null,
        });
        decide.run(id, t.d_outcome, ncc, t.d_decision, new Date(at + 40).toISOString());
      }
    });
    for (let i = 0; i < rows; i += 20_000) batch(i, Math.min(rows, i + 20_000));
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** The cursor of the queue 90 % of the way down (as the API would have handed it out). */
function deepCursor(path: string, rows: number): string {
  const db = new Database(path, { readonly: true });
  try {
    const r = db
      .prepare(
        `SELECT priority_rank AS rank, received_at AS at, id FROM referrals
         WHERE recipient_org_id = (SELECT id FROM organisations WHERE slug = 'ncc-it')
           AND classification = 'actionable' AND triage = 'pending'
         ORDER BY priority_rank, received_at, id LIMIT 1 OFFSET ?`,
      )
      .get(Math.floor(rows * 0.9 * 0.85)) as { rank: number; at: string; id: string };
    return Buffer.from(JSON.stringify([r.rank, r.at, r.id])).toString('base64url');
  } finally {
    db.close();
  }
}

/**
 * From navigation to the queue screen until a key press works on it: the first row is rendered, `j`
 * selects it. Signed in beforehand; the browser's cache is cold for each of the five runs.
 */
async function timeToInteractive(base: string): Promise<{ median: number; worst: number }> {
  const browser = await launchChromium();
  try {
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const signIn = await page.request.post(`${base}/api/v1/session`, {
        data: { email: ANALYST, password: PASSWORD },
      });
      if (signIn.status() !== 201) throw new Error(`sign-in: ${signIn.status()}`);
      const t = Date.now();
      await page.goto(`${base}/queue`, { waitUntil: 'commit' });
      await page.locator('tbody tr').first().waitFor({ timeout: 30_000 });
      await page.keyboard.press('j');
      await page.locator('tbody tr[aria-selected="true"]').first().waitFor({ timeout: 30_000 });
      samples.push(Date.now() - t);
      await context.close();
    }
    samples.sort((a, b) => a - b);
    return { median: samples[2] ?? 0, worst: samples[4] ?? 0 };
  } finally {
    await browser.close();
  }
}

/** The entry chunk and everything it imports statically: what the browser must load for the first screen. */
function firstScreenJs(): { gzipKb: number; rawKb: number; files: string } {
  const manifest = JSON.parse(readFileSync(join(WEB_DIST, '.vite', 'manifest.json'), 'utf8')) as Record<
    string,
    { file: string; imports?: string[]; isEntry?: boolean }
  >;
  const entry = Object.keys(manifest).find((k) => manifest[k]?.isEntry);
  if (!entry) throw new Error('no entry in the web manifest: run npm run build:web');
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const i of manifest[key]?.imports ?? []) visit(i);
  };
  visit(entry);
  let raw = 0;
  let gz = 0;
  const files: string[] = [];
  for (const key of seen) {
    const file = manifest[key]!.file;
    const bytes = readFileSync(join(WEB_DIST, file));
    raw += bytes.length;
    gz += gzipSync(bytes, { level: 9 }).length;
    files.push(file);
  }
  return { gzipKb: Math.round(gz / 102.4) / 10, rawKb: Math.round(raw / 102.4) / 10, files: files.join(' ') };
}
