import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { conduit } from './support/cli.ts';
import { chainHash, type AuditEntry } from '../src/store/audit.repo.ts';
import { openDatabase, type Database } from '../src/store/db.ts';
import { createTestDatabase, DIALECTS } from './support/databases.ts';
import { canonicalReferral } from './support/fixtures.ts';

type Verdict = { ok: true; events: number; headHash: string } | { ok: false; seq: number; reason: string };

type Row = Awaited<ReturnType<typeof rowsOf>>[number];
const rowsOf = (d: Database) => d.db.selectFrom('audit_events').selectAll().orderBy('seq').execute();

/** Everything of a row but its position: what a reordering moves from one seq to another. */
const contentOf = ({ seq: _seq, ...rest }: Row) => rest;

const entryOf = (r: Row): AuditEntry => ({
  at: r.at,
  actor: r.actor,
  orgId: r.org_id,
  action: r.action,
  objectType: r.object_type,
  objectId: r.object_id,
  requestId: r.request_id,
  outcome: r.outcome as AuditEntry['outcome'],
  details: JSON.parse(r.details) as Record<string, unknown>,
});

describe.each(DIALECTS)('the audit trail on %s', (dialect) => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup.length = 0;
  });

  /**
   * A trail of several kinds of event, written through the CLI as in real use: organisations, a user, an
   * API key and three received referrals. `store` is a direct connection to the database to tamper with.
   */
  async function trail(): Promise<{ db: string; store: Database; events: Row[] }> {
    const t = await createTestDatabase(dialect);
    const dir = mkdtempSync(join(tmpdir(), 'conduit-audit-'));
    cleanup.push(
      () => t.dispose(),
      () => rmSync(dir, { recursive: true, force: true }),
    );
    const db = t.cliUrl;
    const steps = [
      await conduit(db, ['org', 'add', '--slug', 'it-nc', '--kind', 'national-centre', '--country', 'IT']),
      await conduit(db, ['org', 'add', '--slug', 'chat', '--kind', 'provider', '--country', 'IE']),
      await conduit(
        db,
        [
          'user',
          'add',
          '--org',
          'it-nc',
          '--email',
          'ana@example.org',
          '--role',
          'analyst',
          '--password-stdin',
        ],
        'a long enough password\n',
      ),
      await conduit(db, ['apikey', 'create', '--org', 'chat', '--scope', 'submit']),
    ];
    for (let i = 0; i < 3; i++)
      writeFileSync(join(dir, `r${i}.referral.json`), JSON.stringify(canonicalReferral(`t-${i}`)));
    steps.push(await conduit(db, ['ingest', dir, '--source', 'chat']));
    expect(steps.map((s) => s.code)).toEqual([0, 0, 0, 0, 0]);

    const store = openDatabase(t.url);
    cleanup.push(() => store.close());
    const events = await rowsOf(store);
    // The receiving hub, two organisations, the user, the key and three receipts.
    expect(events).toHaveLength(8);
    return { db, store, events };
  }

  async function verify(db: string): Promise<{ code: number; verdict: Verdict }> {
    const r = await conduit(db, ['audit', 'verify', '--json']);
    expect(r.err).toBe('');
    expect(r.out.trim().split('\n')).toHaveLength(1);
    return { code: r.code, verdict: JSON.parse(r.out) as Verdict };
  }

  it('verifies an untouched trail with exit 0, naming its length and head', async () => {
    const { db, store, events } = await trail();
    const head = await store.db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
    expect(head).toMatchObject({ seq: 8, hash: events[7]?.hash });
    expect(await verify(db)).toEqual({ code: 0, verdict: { ok: true, events: 8, headHash: head.hash } });
    expect(await conduit(db, ['audit', 'verify'])).toEqual({
      code: 0,
      out: `audit trail intact: 8 events, head ${head.hash}\nkeep this anchor outside the database: --anchor 8:${head.hash}\n`,
      err: '',
    });
  });

  it.each([
    ['actor', { actor: 'cli:someone-else' }],
    ['at', { at: '2020-01-01T00:00:00.000Z' }],
    ['outcome', { outcome: 'denied' }],
    ['object_id', { object_id: 'another-object' }],
    ['org_id', { org_id: 'another-organisation' }],
  ] as const)('catches an edited %s, at that event, with exit 4', async (_field, change) => {
    const { db, store } = await trail();
    await store.db.updateTable('audit_events').set(change).where('seq', '=', 4).execute();
    expect(await verify(db)).toEqual({
      code: 4,
      verdict: { ok: false, seq: 4, reason: 'its content does not match its hash' },
    });
    expect(await conduit(db, ['audit', 'verify'])).toEqual({
      code: 4,
      out: 'audit trail BROKEN at event 4: its content does not match its hash\n',
      err: '',
    });
  });

  it('catches an edited value inside the details', async () => {
    const { db, store, events } = await trail();
    const details = JSON.parse(events[2]?.details ?? '') as Record<string, unknown>;
    expect(details).toHaveProperty('slug', 'chat');
    await store.db
      .updateTable('audit_events')
      .set({ details: JSON.stringify({ ...details, slug: 'someone-else' }) })
      .where('seq', '=', 3)
      .execute();
    expect(await verify(db)).toMatchObject({ code: 4, verdict: { ok: false, seq: 3 } });
  });

  it('catches an event deleted from the middle, naming the missing seq', async () => {
    const { db, store } = await trail();
    await store.db.deleteFrom('audit_events').where('seq', '=', 5).execute();
    expect(await verify(db)).toEqual({
      code: 4,
      verdict: { ok: false, seq: 5, reason: 'event 5 is missing' },
    });
  });

  it.each([1, 3])('catches the last %i event(s) deleted: the head records more', async (n) => {
    const { db, store } = await trail();
    await store.db
      .deleteFrom('audit_events')
      .where('seq', '>', 8 - n)
      .execute();
    expect(await verify(db)).toEqual({
      code: 4,
      verdict: {
        ok: false,
        seq: 8 - n + 1,
        reason: `event ${8 - n + 1} is missing: the head records 8 events`,
      },
    });
  });

  it('catches every event deleted', async () => {
    const { db, store } = await trail();
    await store.db.deleteFrom('audit_events').execute();
    expect(await verify(db)).toMatchObject({ code: 4, verdict: { ok: false, seq: 1 } });
  });

  it('catches two events reordered by swapping their seqs', async () => {
    const { db, store } = await trail();
    // Through a free seq, as seq is the primary key (and Kysely's types rightly forbid changing it).
    for (const [from, to] of [
      [3, -1],
      [4, 3],
      [-1, 4],
    ])
      await sql`UPDATE audit_events SET seq = ${to} WHERE seq = ${from}`.execute(store.db);
    expect(await verify(db)).toEqual({
      code: 4,
      verdict: { ok: false, seq: 3, reason: 'does not link to the previous event' },
    });
  });

  it('catches two events reordered by swapping their contents', async () => {
    const { db, store, events } = await trail();
    const [third, fourth] = [events[2], events[3]];
    if (!third || !fourth) throw new Error('short trail');
    await store.db.updateTable('audit_events').set(contentOf(fourth)).where('seq', '=', 3).execute();
    await store.db.updateTable('audit_events').set(contentOf(third)).where('seq', '=', 4).execute();
    expect(await verify(db)).toMatchObject({ code: 4, verdict: { ok: false, seq: 3 } });
  });

  it('catches an event edited with its own hash recomputed: the next link breaks', async () => {
    const { db, store, events } = await trail();
    const row = events[3];
    if (!row) throw new Error('short trail');
    const forged = { ...entryOf(row), actor: 'cli:someone-else' };
    await store.db
      .updateTable('audit_events')
      .set({ actor: forged.actor, hash: chainHash(row.seq, forged, row.prev_hash) })
      .where('seq', '=', row.seq)
      .execute();
    expect(await verify(db)).toEqual({
      code: 4,
      verdict: { ok: false, seq: 5, reason: 'does not link to the previous event' },
    });

    // Relinking the next event to the forged hash only moves the break to that event's own hash.
    const forgedHash = chainHash(row.seq, forged, row.prev_hash);
    await store.db.updateTable('audit_events').set({ prev_hash: forgedHash }).where('seq', '=', 5).execute();
    expect(await verify(db)).toEqual({
      code: 4,
      verdict: { ok: false, seq: 5, reason: 'its content does not match its hash' },
    });
  });

  it('catches the last event edited with its own hash recomputed: the head no longer matches', async () => {
    const { db, store, events } = await trail();
    const row = events[7];
    if (!row) throw new Error('short trail');
    const forged = { ...entryOf(row), actor: 'cli:someone-else' };
    await store.db
      .updateTable('audit_events')
      .set({ actor: forged.actor, hash: chainHash(row.seq, forged, row.prev_hash) })
      .where('seq', '=', row.seq)
      .execute();
    // Caught by the head row, which records the last event's hash.
    expect(await verify(db)).toEqual({
      code: 4,
      verdict: { ok: false, seq: 8, reason: "event 8 does not match the chain head's hash" },
    });
  });

  it('catches a tail rewritten together with the head, against an anchor kept elsewhere', async () => {
    const { db, store, events } = await trail();
    const anchor = `6:${events[5]?.hash ?? ''}`;
    expect((await conduit(db, ['audit', 'verify', '--anchor', anchor])).code).toBe(0);
    // Forge events 6–8 consistently and move the head: the chain alone is "intact" again…
    let prev = events[4]?.hash ?? '';
    for (const row of events.slice(5)) {
      const forged = { ...entryOf(row), actor: 'cli:someone-else' };
      const hash = chainHash(row.seq, forged, prev);
      await store.db
        .updateTable('audit_events')
        .set({ actor: forged.actor, prev_hash: prev, hash })
        .where('seq', '=', row.seq)
        .execute();
      prev = hash;
    }
    await store.db.updateTable('audit_head').set({ hash: prev }).where('id', '=', 1).execute();
    expect((await verify(db)).code).toBe(0);
    // …but not against the anchor.
    const r = await conduit(db, ['audit', 'verify', '--json', '--anchor', anchor]);
    expect(r.code).toBe(4);
    expect(JSON.parse(r.out)).toEqual({
      ok: false,
      seq: 6,
      reason: 'its hash differs from the anchored one: the trail was rewritten',
    });
    // A truncation to before an anchored event is caught too, and a malformed anchor is a usage error.
    await store.db.deleteFrom('audit_events').where('seq', '>', 5).execute();
    await store.db
      .updateTable('audit_head')
      .set({ seq: 5, hash: events[4]?.hash ?? '' })
      .where('id', '=', 1)
      .execute();
    expect(JSON.parse((await conduit(db, ['audit', 'verify', '--json', '--anchor', anchor])).out)).toEqual({
      ok: false,
      seq: 6,
      reason: 'the trail ends at event 5 but event 6 was anchored',
    });
    expect((await conduit(db, ['audit', 'verify', '--anchor', 'nonsense'])).code).toBe(2);
  });
});
