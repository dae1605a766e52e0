/**
 * The prior-records register in memory, keyed the way mentions are (see keys.ts), so a subject is matched
 * by looking up each of its link keys. E-mails and phones match whether or not the referral verified
 * them; screen names match by look-alike skeleton (a weaker reason, said so); IP entries are kept for the
 * record but never match (an address alone, without a time, identifies no one).
 */
import type { Kysely } from 'kysely';
import type { PriorRecordHit } from '../domain/decision.ts';
import { skeleton } from '../pipeline/normalise/screen-name.ts';
import type { Tables } from '../store/schema.ts';

export type PriorHit = PriorRecordHit;

interface Entry {
  readonly register: string;
  readonly reference: string;
  readonly label: string | null;
  readonly since: string | null;
  readonly kind: string;
  readonly value: string;
  readonly service: string;
}

/** The link keys under which a register entry is found. */
export function registerKeys(e: { kind: string; value: string; service: string }): string[] {
  switch (e.kind) {
    case 'email':
      return [`e|${e.value}`];
    case 'phone':
      return [`p|${e.value}`];
    case 'device-id':
      return [`d|${e.value}`];
    case 'service-user-id':
      return e.service ? [`a|${e.service}|${e.value}`] : [];
    case 'screen-name':
      return [`n|${skeleton(e.value)}`];
    default:
      return [];
  }
}

export class RegisterIndex {
  private constructor(private readonly byKey: ReadonlyMap<string, readonly Entry[]>) {}

  static readonly EMPTY = new RegisterIndex(new Map());

  static async load(db: Kysely<Tables>): Promise<RegisterIndex> {
    const rows = await db.selectFrom('prior_records').selectAll().execute();
    return RegisterIndex.of(rows);
  }

  static of(rows: readonly Entry[]): RegisterIndex {
    const byKey = new Map<string, Entry[]>();
    for (const r of rows) {
      for (const k of registerKeys(r)) {
        const list = byKey.get(k) ?? [];
        list.push(r);
        byKey.set(k, list);
      }
    }
    return new RegisterIndex(byKey);
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Hits for a subject's link keys, one per register entry. */
  hits(keys: readonly string[]): PriorHit[] {
    if (this.byKey.size === 0) return [];
    const out = new Map<string, PriorHit>();
    for (const key of keys) {
      // Verified e-mails and phones are keyed `e!`/`p!`; the register matches either form.
      const k = key[1] === '!' ? `${key[0] ?? ''}|${key.slice(2)}` : key;
      for (const e of this.byKey.get(k) ?? []) {
        const id = `${e.register}|${e.reference}|${e.kind}|${e.value}`;
        if (out.has(id)) continue;
        out.set(id, {
          register: e.register,
          reference: e.reference,
          label: e.label,
          since: e.since,
          kind: e.kind,
          value: e.value,
          reason:
            e.kind === 'screen-name'
              ? `a screen name looks like ${e.value} (same confusable skeleton) — weak, check`
              : `same ${e.kind} ${e.value}${e.service ? ` on ${e.service}` : ''}`,
        });
      }
    }
    return [...out.values()];
  }
}
