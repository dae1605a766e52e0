import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../config.ts';
import { createApp } from '../main.ts';

const BIN = new URL('../../bin/conduit.js', import.meta.url).pathname;
// One line, so the same template serves single JSON bodies and NDJSON batches.
const TEMPLATE = JSON.stringify(
  JSON.parse(readFileSync(new URL('./referral.json', import.meta.url), 'utf8')),
);
const OPERATOR = { principal: { kind: 'operator', name: 'bench' }, requestId: null } as const;

export type HttpLoad = 'write' | 'read' | 'bulk';

/** Where the load goes, and as whom: a fresh local server with real credentials, or a given one. */
export interface Target {
  readonly url: string;
  /** Headers a writer sends (an API key of a provider), and a reader's (an analyst's session). */
  readonly writer: Record<string, string>;
  readonly reader: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * A local server on a fresh SQLite database, with a provider's API key for writing and a signed-in
 * analyst of the receiving hub for reading — the path every real request takes: authentication, rate
 * limit (raised out of the way), authorisation, the audited service call.
 */
export async function localTarget(work: string): Promise<Target> {
  const db = join(work, 'http.db');
  for (const s of ['', '-wal', '-shm']) rmSync(db + s, { force: true });
  const app = await createApp(loadConfig({ db: `sqlite:${db}` }, {}));
  const password = 'bench password, synthetic';
  let key: string;
  try {
    const org = await app.organisations.add({ slug: 'bench-provider', kind: 'provider' }, OPERATOR);
    if (!org.ok) throw new Error(JSON.stringify(org.problems));
    const k = await app.access.createApiKey({ org: 'bench-provider', scopes: ['submit'] }, OPERATOR);
    if (!k.ok) throw new Error(JSON.stringify(k.problems));
    key = k.value.key;
    const u = await app.access.addUser(
      { org: app.receiving.slug, email: 'bench@hub.example.org', role: 'analyst', password },
      OPERATOR,
    );
    if (!u.ok) throw new Error(JSON.stringify(u.problems));
  } finally {
    await app.close();
  }
  const port = 18080 + Math.floor(Math.random() * 1000);
  const server = spawn(process.execPath, [BIN, '--db', `sqlite:${db}`, 'serve', '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CONDUIT_RATE_LIMIT: String(10_000_000) },
  });
  await listening(server);
  const url = `http://127.0.0.1:${port}`;
  const signIn = await fetch(`${url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@hub.example.org', password }),
  });
  const cookie = signIn.headers.get('set-cookie')?.split(';')[0];
  if (signIn.status !== 201 || !cookie) throw new Error(`bench sign-in failed: ${signIn.status}`);
  return {
    url,
    writer: { authorization: `Bearer ${key}` },
    reader: { cookie },
    stop: () => {
      server.kill('SIGTERM');
      return Promise.resolve();
    },
  };
}

/** An already running server (another build, a staging host), with the headers given for both roles. */
export function remoteTarget(url: string, headers: Record<string, string>): Target {
  return { url: url.replace(/\/$/, ''), writer: headers, reader: headers, stop: () => Promise.resolve() };
}

function listening(server: ChildProcess): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.stdout?.on('data', (d: Buffer) => d.toString().includes('serving') && resolve());
    server.on('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
}

let seq = 0;
const referral = () => TEMPLATE.replace('__REF__', `bench-${process.pid}-${Date.now()}-${seq++}`);

/** Runs one load against the target for `seconds`; figures as autocannon reports them. */
export async function httpLoad(
  load: HttpLoad,
  target: Target,
  seconds: number,
): Promise<{ command: string; figures: Record<string, number> }> {
  switch (load) {
    case 'write': {
      const r = await autocannon({
        url: `${target.url}/api/v1/referrals`,
        connections: 10,
        duration: seconds,
        method: 'POST',
        headers: { ...target.writer, 'content-type': 'application/json' },
        // A new reference per request, so every request stores a referral (no duplicate short-cut).
        requests: [{ setupRequest: (req) => ({ ...req, body: referral() }) }],
      });
      return {
        command: `autocannon -c 10 -d ${seconds} POST /api/v1/referrals (one JSON referral, API key, SQLite)`,
        figures: figures(r),
      };
    }
    case 'bulk': {
      const batch = 500;
      const r = await autocannon({
        url: `${target.url}/api/v1/referrals`,
        connections: 2,
        duration: seconds,
        method: 'POST',
        headers: { ...target.writer, 'content-type': 'application/x-ndjson' },
        requests: [
          { setupRequest: (req) => ({ ...req, body: Array.from({ length: batch }, referral).join('\n') }) },
        ],
      });
      const f = figures(r);
      return {
        command: `autocannon -c 2 -d ${seconds} POST /api/v1/referrals (NDJSON, ${batch} referrals a request, API key, SQLite)`,
        figures: { referralsPerSecond: Math.round(((f.total ?? 0) * batch) / seconds), ...f },
      };
    }
    case 'read': {
      // Something to read: a few thousand stored referrals, then GET them by id in turn.
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${target.url}/api/v1/referrals`, {
          method: 'POST',
          headers: { ...target.writer, 'content-type': 'application/x-ndjson' },
          body: Array.from({ length: 500 }, referral).join('\n'),
        });
        const body = (await res.json()) as { results: { id?: string }[] };
        for (const x of body.results) if (x.id) ids.push(x.id);
      }
      if (ids.length === 0) throw new Error('bench: nothing stored to read');
      let n = 0;
      const r = await autocannon({
        url: `${target.url}/api/v1/referrals/${ids[0]}`,
        connections: 10,
        duration: seconds,
        headers: target.reader,
        requests: [
          { setupRequest: (req) => ({ ...req, path: `/api/v1/referrals/${ids[n++ % ids.length]}` }) },
        ],
      });
      return {
        command: `autocannon -c 10 -d ${seconds} GET /api/v1/referrals/:id (${ids.length} ids in turn, analyst session, SQLite)`,
        figures: figures(r),
      };
    }
  }
}

function figures(r: autocannon.Result): Record<string, number> {
  return {
    requestsPerSecond: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: r.errors + r.non2xx,
    total: r.requests.total,
  };
}
