import type { Kysely, Transaction } from 'kysely';
import type { Tables } from './schema.ts';

export type RuleSetRow = Tables['rule_sets'];
export type RuleSetKind = 'routing' | 'priority' | 'lexicon';

/** The version in force of every rule set (the newest per kind and name); retired lexicons included. */
export async function currentRuleSets(db: Kysely<Tables> | Transaction<Tables>): Promise<RuleSetRow[]> {
  const rows = await db
    .selectFrom('rule_sets')
    .selectAll()
    .orderBy('kind')
    .orderBy('name')
    .orderBy('version', 'desc')
    .execute();
  const seen = new Set<string>();
  return rows.filter((r) => {
    const key = `${r.kind}|${r.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Rule sets are only ever appended, so their count tells whether another process loaded one. */
export async function ruleSetsSignature(db: Kysely<Tables>): Promise<string> {
  const r = await db
    .selectFrom('rule_sets')
    .select((eb) => [eb.fn.countAll<number | string>().as('n')])
    .executeTakeFirstOrThrow();
  return String(r.n);
}

/** Appends the next version of (kind, name); the unique constraint refuses a concurrent duplicate. */
export async function appendRuleSet(
  trx: Transaction<Tables>,
  row: Omit<RuleSetRow, 'version'>,
): Promise<RuleSetRow> {
  const last = await trx
    .selectFrom('rule_sets')
    .select((eb) => [eb.fn.max('version').as('v')])
    .where('kind', '=', row.kind)
    .where('name', '=', row.name)
    .executeTakeFirst();
  const version = Number(last?.v ?? 0) + 1;
  const full = { ...row, version };
  await trx.insertInto('rule_sets').values(full).execute();
  return full;
}
