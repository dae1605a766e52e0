import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { DIALECTS, openTestDatabase, type TestDialect } from '../../test/support/databases.ts';
import type { RequestContext } from '../domain/access.ts';
import type { Instant } from '../domain/ids.ts';
import { createHashIndexHolder, loadHashIndex, type PdqIndexBuilderFactory } from './hash-index.ts';
import { createHashListsService } from './hashlists.service.ts';

const OPERATOR: RequestContext = { principal: { kind: 'operator', name: 'test' }, requestId: null };
const text = (s: string) => Readable.from([Buffer.from(s)]);

function distance(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    let x = parseInt(a[i] ?? '0', 16) ^ parseInt(b[i] ?? '0', 16);
    for (; x; x &= x - 1) d++;
  }
  return d;
}
/** The stand-in: a linear scan, the definition the real index must agree with. */
const bruteForce: PdqIndexBuilderFactory = () => {
  const items: { hash: string; id: number }[] = [];
  return {
    add: (hash, id) => items.push({ hash, id }),
    build: () => ({
      search: (q, radius) =>
        items.map((i) => ({ id: i.id, distance: distance(q, i.hash) })).filter((r) => r.distance <= radius),
    }),
  };
};
/** `hash` with `bits` random bits flipped. */
function flip(hash: string, bits: number): string {
  const b = Buffer.from(hash, 'hex');
  const done = new Set<number>();
  while (done.size < bits) {
    const bit = Math.floor(Math.random() * 256);
    if (done.has(bit)) continue;
    done.add(bit);
    b[bit >> 3]! ^= 1 << (bit & 7);
  }
  return b.toString('hex');
}

describe.each(DIALECTS)('hash index on %s', (dialect: TestDialect) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup.length = 0;
  });
  async function setup() {
    const database = await openTestDatabase(dialect);
    cleanup.push(() => database.dispose());
    const service = createHashListsService({
      database,
      clock: { now: () => new Date().toISOString() as Instant },
      newId: () => uuidv7(),
    });
    return { database, service };
  }

  it('finds exact hashes in every list that has them, with the list, version and entry flags', async () => {
    const { database, service } = await setup();
    const md5 = 'ab'.repeat(16);
    await service.import(
      text(
        `hash_type,hash,category,scheme,series,victim_identified,id\nmd5,${md5.toUpperCase()},1,vics-us,S1,true,e1\nsha256,${'c'.repeat(64)},B2,industry,,,e2\n`,
      ),
      { name: 'known' },
      OPERATOR,
    );
    await service.import(
      text(`hash_type,hash,category\nmd5,${md5},\n`),
      { name: 'benign', negative: true },
      OPERATOR,
    );
    const index = await loadHashIndex(database.db, { pageSize: 1 });
    expect(index).toMatchObject({ lists: 2, entries: 3, pdqRadius: 31, pdqMinQuality: 50 });
    const hits = index.exact('md5', md5);
    expect(
      hits.map((h) => [
        h.list.name,
        h.list.version,
        h.list.negative,
        h.entry,
        h.category,
        h.series,
        h.victimIdentified,
      ]),
    ).toEqual([
      ['benign', 1, true, '2', 'uncategorised', null, null],
      ['known', 1, false, 'e1', 'illegal', 'S1', true],
    ]);
    expect(index.exact('sha256', 'c'.repeat(64))[0]).toMatchObject({
      sourceScheme: 'industry',
      sourceCode: 'B2',
    });
    expect(index.exact('sha1', 'c'.repeat(40))).toEqual([]);
  });

  it('answers PDQ radius queries exactly as brute force does, with the real index and the stand-in', async () => {
    const { database, service } = await setup();
    const bank = Array.from({ length: 3000 }, () => randomBytes(32).toString('hex'));
    await service.import(
      text(`hash_type,hash,category\n${bank.map((h) => `pdq,${h},`).join('\n')}\n`),
      { name: 'pdq' },
      OPERATOR,
    );
    const real = await loadHashIndex(database.db, { pdqRadius: 40 });
    const oracle = await loadHashIndex(database.db, { pdqIndexBuilder: bruteForce });
    expect(real.pdqRadius).toBe(40);
    const queries = [
      ...bank.slice(0, 50).map((h, i) => flip(h, i % 45)),
      ...Array.from({ length: 20 }, () => randomBytes(32).toString('hex')),
    ];
    for (const q of queries) {
      const key = (r: { entry: string; distance: number }) => `${r.entry}:${r.distance}`;
      const got = real.pdq(q, 31).map(key);
      expect(got).toEqual(oracle.pdq(q, 31).map(key));
    }
    const near = real.pdq(flip(bank[7] ?? '', 5), 31);
    expect(near.map((h) => [h.list.name, h.entry, h.distance])).toEqual([['pdq', '9', 5]]);
  });

  it('swaps a rebuilt index in whole; readers keep the one they hold', async () => {
    const { database, service } = await setup();
    const holder = createHashIndexHolder(database.db);
    const before = holder.current();
    expect(holder.port.exact('md5', 'a'.repeat(32))).toEqual([]);
    await service.import(text(`hash_type,hash,category\nmd5,${'a'.repeat(32)},\n`), { name: 'x' }, OPERATOR);
    expect(await holder.reloadIfChanged()).toBe(true);
    expect(await holder.reloadIfChanged()).toBe(false);
    expect(before.exact('md5', 'a'.repeat(32))).toEqual([]);
    expect(holder.port.exact('md5', 'a'.repeat(32))).toHaveLength(1);
    await service.remove('x', OPERATOR);
    await Promise.all([holder.reload(), holder.reload()]);
    expect(holder.port.exact('md5', 'a'.repeat(32))).toEqual([]);
  });
});
