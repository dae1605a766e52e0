import type { Kysely, Transaction } from 'kysely';
import type { Identifier } from '../domain/identifier.ts';
import { chunks } from './audit.repo.ts';
import { identifierOf } from './referrals.repo.ts';
import type { Tables } from './schema.ts';

type Db = Kysely<Tables> | Transaction<Tables>;

export interface LinkInput {
  readonly id: string;
  readonly receivedAt: string;
  readonly recipientOrgId: string | null;
  readonly identifiers: Identifier[];
}

/** Takes the linker's row (creating it), serialising linkers on both dialects; its sequence and rules. */
export async function lockLinkState(
  trx: Transaction<Tables>,
  rulesVersion: string,
  at: string,
): Promise<{ seq: number; rulesVersion: string }> {
  await trx
    .insertInto('link_state')
    .values({ id: 'linker', seq: 0, rules_version: rulesVersion, updated_at: at })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const row = await trx
    .updateTable('link_state')
    .set({ updated_at: at })
    .where('id', '=', 'linker')
    .returning(['seq', 'rules_version'])
    .executeTakeFirstOrThrow();
  return { seq: Number(row.seq), rulesVersion: row.rules_version };
}

export async function saveLinkState(
  trx: Transaction<Tables>,
  seq: number,
  rulesVersion: string,
): Promise<void> {
  await trx
    .updateTable('link_state')
    .set({ seq, rules_version: rulesVersion })
    .where('id', '=', 'linker')
    .execute();
}

/** Referrals the linker has not taken yet, oldest first. */
export async function unlinkedReferrals(db: Db, limit: number): Promise<LinkInput[]> {
  const rows = await db
    .selectFrom('referrals')
    .select(['id', 'received_at', 'recipient_org_id'])
    .where('link_seq', 'is', null)
    .orderBy('id')
    .limit(limit)
    .execute();
  return withIdentifiers(db, rows);
}

/** Referrals already linked with `from < link_seq <= to`, in link order (for replay). */
export async function linkedReferrals(db: Db, from: number, to: number, limit: number): Promise<LinkInput[]> {
  const rows = await db
    .selectFrom('referrals')
    .select(['id', 'received_at', 'recipient_org_id'])
    .where('link_seq', '>', from)
    .where('link_seq', '<=', to)
    .orderBy('link_seq')
    .limit(limit)
    .execute();
  return withIdentifiers(db, rows);
}

async function withIdentifiers(
  db: Db,
  rows: readonly { id: string; received_at: string; recipient_org_id: string | null }[],
): Promise<LinkInput[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const found = await db
    .selectFrom('identifiers')
    .selectAll()
    .where('referral_id', 'in', ids)
    .where('role', 'in', ['reported', 'associated', 'incident', 'file'])
    .orderBy('referral_id')
    .orderBy('ord')
    .execute();
  const by = new Map<string, Identifier[]>(ids.map((id) => [id, []]));
  for (const r of found) {
    by.get(r.referral_id)?.push(identifierOf(r));
  }
  return rows.map((r) => ({
    id: r.id,
    receivedAt: r.received_at,
    recipientOrgId: r.recipient_org_id,
    identifiers: by.get(r.id) ?? [],
  }));
}

export async function markLinked(
  trx: Transaction<Tables>,
  ids: readonly { id: string; seq: number }[],
): Promise<void> {
  for (const { id, seq } of ids)
    await trx.updateTable('referrals').set({ link_seq: seq }).where('id', '=', id).execute();
}

export interface SubjectWrite {
  readonly id: string;
  readonly mentions: readonly {
    readonly referralId: string;
    readonly slot: number;
    readonly account: string;
  }[];
  readonly referrals: number;
  readonly accounts: readonly string[];
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly prior: unknown;
  readonly evidence: readonly { from: string; to: string; rule: string; keys: readonly string[] }[];
}

/** Replaces what is stored of these subjects (and drops `removed` ones). */
export async function writeSubjects(
  trx: Transaction<Tables>,
  changed: readonly SubjectWrite[],
  removed: readonly string[],
  at: string,
): Promise<void> {
  const ids = [...new Set([...removed, ...changed.map((s) => s.id)])];
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    await trx.deleteFrom('subject_evidence').where('subject_id', 'in', part).execute();
    await trx.deleteFrom('subjects').where('id', 'in', part).execute();
  }
  const subjects = changed.map((s) => ({
    id: s.id,
    mentions: s.mentions.length,
    referrals: s.referrals,
    accounts: JSON.stringify(s.accounts),
    first_seen: s.firstSeen,
    last_seen: s.lastSeen,
    prior: s.prior === undefined ? null : JSON.stringify(s.prior),
    updated_at: at,
  }));
  for (const c of chunks(subjects, 8)) await trx.insertInto('subjects').values(c).execute();
  const mentions = changed.flatMap((s) =>
    s.mentions.map((m) => ({
      referral_id: m.referralId,
      slot: m.slot,
      subject_id: s.id,
      account: m.account,
    })),
  );
  for (const c of chunks(mentions, 4))
    await trx
      .insertInto('subject_mentions')
      .values(c)
      .onConflict((oc) =>
        oc
          .columns(['referral_id', 'slot'])
          .doUpdateSet((eb) => ({ subject_id: eb.ref('excluded.subject_id') })),
      )
      .execute();
  const evidence = changed.flatMap((s) =>
    s.evidence.map((e, ord) => ({
      subject_id: s.id,
      ord,
      from_mention: e.from,
      to_mention: e.to,
      rule: e.rule,
      keys: JSON.stringify(e.keys),
    })),
  );
  for (const c of chunks(evidence, 6)) await trx.insertInto('subject_evidence').values(c).execute();
}

/** The subjects the linker wrote, for a rebuild (the link order, decisions and the register stay). */
export async function clearLinks(trx: Transaction<Tables>): Promise<void> {
  await trx.deleteFrom('subject_evidence').execute();
  await trx.deleteFrom('subject_mentions').execute();
  await trx.deleteFrom('subjects').execute();
  await trx.deleteFrom('link_common').execute();
}
