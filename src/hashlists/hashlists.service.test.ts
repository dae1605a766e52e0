import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { DIALECTS, openTestDatabase, type TestDialect } from '../../test/support/databases.ts';
import type { RequestContext } from '../domain/access.ts';
import type { Instant, OrganisationId } from '../domain/ids.ts';
import type { UserId } from '../domain/access.ts';
import type { Database } from '../store/db.ts';
import { verifyAuditChain } from '../store/audit.repo.ts';
import { pdqIndexBuilder } from '../media/pdq-index.ts';
import { loadHashIndex, type LoadedHashIndex } from './hash-index.ts';
import { createHashListsService } from './hashlists.service.ts';

const VICS = join(import.meta.dirname, '../../../shared/reference/vics');
const OPERATOR: RequestContext = { principal: { kind: 'operator', name: 'test' }, requestId: null };
const ANALYST: RequestContext = {
  principal: {
    kind: 'user',
    id: uuidv7() as UserId,
    email: 'a@example.org',
    orgId: uuidv7() as OrganisationId,
    role: 'analyst',
    sessionId: 's',
  },
  requestId: 'r1',
};
const text = (s: string) => Readable.from([Buffer.from(s)]);
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
const csvOf = (n: number, offset = 0) =>
  `hash_type,hash,category,scheme\n${Array.from({ length: n }, (_, i) => `md5,${hex(i + offset, 32)},1,vics-us\n`).join('')}`;

describe.each(DIALECTS)('hash lists service on %s', (dialect: TestDialect) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup.length = 0;
  });
  async function setup() {
    const database = await openTestDatabase(dialect);
    cleanup.push(() => database.dispose());
    let changes = 0;
    const service = createHashListsService({
      database,
      clock: { now: () => new Date().toISOString() as Instant },
      newId: () => uuidv7(),
      onChange: () => {
        changes++;
      },
    });
    return { database, service, changes: () => changes };
  }
  const rows = async (d: Database) =>
    Number(
      (
        await d.db
          .selectFrom('hash_list_entries')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('imports a VICS file, lists it, and replaces it atomically on re-import', async () => {
    const { database, service, changes } = await setup();
    const first = await service.import(
      join(VICS, 'sample-vics-1.3-hashset.synthetic.json'),
      { name: 'vic-us' },
      OPERATOR,
    );
    expect(first).toMatchObject({ ok: true, entries: 3, skipped: 0, ignored: { PhotoDNA: 1 } });
    if (!first.ok) return;
    expect(first.list).toMatchObject({
      name: 'vic-us',
      version: 1,
      format: 'vics',
      scheme: 'vics-us',
      negative: false,
    });

    const second = await service.import(text(csvOf(5)), { name: 'vic-us', scheme: 'vics-us' }, OPERATOR);
    expect(second).toMatchObject({
      ok: true,
      entries: 5,
      list: { version: 2, format: 'csv', id: first.list.id },
    });
    expect(await rows(database)).toBe(5);
    const listed = await service.list(OPERATOR);
    expect(listed.ok && listed.value.map((l) => [l.name, l.version, l.entries])).toEqual([['vic-us', 2, 5]]);
    expect(changes()).toBe(2);

    const events = await database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'hashlist.import')
      .execute();
    expect(events.map((e) => [e.object_id, e.outcome])).toEqual([
      [first.list.id, 'ok'],
      [first.list.id, 'ok'],
    ]);
    expect((await verifyAuditChain(database.db)).ok).toBe(true);
  });

  it('refuses a file with bad rows: every problem listed, the previous version untouched, nothing staged left', async () => {
    const { database, service, changes } = await setup();
    await service.import(text(csvOf(3)), { name: 'l', scheme: 'vics-us' }, OPERATOR);
    const bad = `${csvOf(25_000, 100)}md5,nothex,1,vics-us\nsha1,${'a'.repeat(40)},1,nope\n`;
    const r = await service.import(text(bad), { name: 'l' }, OPERATOR);
    expect(r).toMatchObject({ ok: false, refused: true, totalProblems: 2 });
    expect(!r.ok && r.problems.map((p) => p.path)).toEqual(['line 25002/hash', 'line 25003/scheme']);
    const listed = await service.list(OPERATOR);
    expect(listed.ok && listed.value.map((l) => [l.version, l.entries])).toEqual([[1, 3]]);
    expect(await rows(database)).toBe(3);
    expect(await database.db.selectFrom('hash_list_imports').selectAll().execute()).toEqual([]);
    expect(changes()).toBe(1);
    const refused = await database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('outcome', '=', 'error')
      .execute();
    expect(refused).toHaveLength(1);
  });

  it('never shows a reader a half-written list while an import is staged', async () => {
    const { database, service } = await setup();
    await service.import(text(csvOf(2)), { name: 'l', scheme: 'vics-us' }, OPERATOR);
    const seen: Promise<LoadedHashIndex>[] = [];
    const again = await service.import(
      text(csvOf(35_000, 1000)),
      { name: 'l', scheme: 'vics-us', onProgress: () => seen.push(loadHashIndex(database.db)) },
      OPERATOR,
    );
    expect(again.ok).toBe(true);
    expect(seen.length).toBeGreaterThan(2);
    const sizes = new Set((await Promise.all(seen)).map((i) => i.entries));
    expect([...sizes].every((n) => n === 2 || n === 35_000)).toBe(true);
    expect(sizes.has(2)).toBe(true);
    expect((await loadHashIndex(database.db)).entries).toBe(35_000);
  });

  it('never shows a reader a half list while the replaced version is being deleted', async () => {
    const { database, service } = await setup();
    await service.import(text(csvOf(30_000)), { name: 'l', scheme: 'vics-us' }, OPERATOR);
    let racing: Promise<unknown> | undefined;
    // The re-import starts once the loader has read which imports are current, so the old rows are
    // deleted while it pages through them.
    const index = await loadHashIndex(database.db, {
      pageSize: 1000,
      pdqIndexBuilder: (n) => {
        racing ??= service.import(text(csvOf(3, 50_000)), { name: 'l', scheme: 'vics-us' }, OPERATOR);
        return pdqIndexBuilder(n);
      },
    });
    await racing;
    expect([30_000, 3]).toContain(index.entries);
    expect((await loadHashIndex(database.db)).entries).toBe(3);
  });

  it('detects the format, validates options, and refuses a list with no usable hash', async () => {
    const { service } = await setup();
    expect(
      await service.import(join(VICS, 'sample-vics-2.0-US-case.synthetic.json'), { name: 'case' }, OPERATOR),
    ).toMatchObject({
      ok: true,
      list: { format: 'vics' },
    });
    const opts = await service.import(text(''), { name: '../x', format: 'xml', scheme: 'us' }, OPERATOR);
    expect(!opts.ok && opts.problems.map((p) => p.path)).toEqual(['name', 'format', 'scheme']);
    expect(opts).toMatchObject({ refused: false });
    const empty = await service.import(text('hash_type,hash,category\n'), { name: 'e' }, OPERATOR);
    expect(empty).toMatchObject({ ok: false, refused: true });
    const missing = await service.import('/nonexistent/list.csv', { name: 'm' }, OPERATOR);
    expect(!missing.ok && missing.problems[0]?.code).toBe('unreadable');
  });

  it('removes a list, audited; an unknown name is not found', async () => {
    const { database, service, changes } = await setup();
    await service.import(text(csvOf(4)), { name: 'gone', negative: true, scheme: 'vics-us' }, OPERATOR);
    const r = await service.remove('gone', OPERATOR);
    expect(r).toMatchObject({ ok: true, value: { name: 'gone', negative: true } });
    expect(await rows(database)).toBe(0);
    expect(changes()).toBe(2);
    expect(await service.remove('gone', OPERATOR)).toMatchObject({
      ok: false,
      problems: [{ code: 'not_found' }],
    });
    const events = await database.db.selectFrom('audit_events').select('action').execute();
    expect(events.map((e) => e.action)).toEqual(['hashlist.import', 'hashlist.remove']);
  });

  it('refuses roles without the hash-list permissions', async () => {
    const { service } = await setup();
    expect(await service.import(text(csvOf(1)), { name: 'x' }, ANALYST)).toMatchObject({
      ok: false,
      problems: [{ code: 'forbidden' }],
    });
    expect(await service.remove('x', ANALYST)).toMatchObject({
      ok: false,
      problems: [{ code: 'forbidden' }],
    });
  });
});
