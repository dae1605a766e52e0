/**
 * The linker as a service: takes stored referrals not yet linked, in order, links their mentions with the
 * in-memory engine and writes what changed (subjects, their mentions and evidence), the values found too
 * common, prior-record hits and deconfliction notices — one transaction per batch.
 *
 * Every process keeps its own engine. The `link_state` row is locked for each batch and carries the
 * sequence the referrals were linked in, so a process whose engine is behind (another process linked
 * since) first replays the missing referrals without writing; the engine is deterministic, so every
 * process holds the same subjects. A failed batch drops the engine: it is rebuilt by replay on next use.
 */
import { randomUUID } from 'node:crypto';
import type { Instant } from '../domain/ids.ts';
import type { Database } from '../store/db.ts';
import {
  clearLinks,
  linkedReferrals,
  lockLinkState,
  markLinked,
  saveLinkState,
  unlinkedReferrals,
  writeSubjects,
  type LinkInput,
} from '../store/link.repo.ts';
import type { Tables } from '../store/schema.ts';
import type { Transaction } from 'kysely';
import type { PriorRecordHit } from '../domain/decision.ts';
import type { LinkPort } from '../pipeline/ports.ts';
import { Linker, type SubjectState } from './engine.ts';
import { describeKey, mentionsOf } from './keys.ts';
import type { LinkRules } from './rules.ts';
import { RegisterIndex, type PriorHit } from './register-index.ts';

export interface LinkServiceDeps {
  readonly db: Database;
  readonly rules: LinkRules;
  readonly clock: { now(): Instant };
  /** Referrals per transaction (default 500). */
  readonly batch?: number;
}

export interface LinkRunSummary {
  readonly linked: number;
  readonly subjectsChanged: number;
  readonly notices: number;
}

export interface LinkService {
  /** Links every stored referral not yet linked. Concurrent calls in one process run one after another. */
  catchUp(): Promise<LinkRunSummary>;
  /** Schedules a catch-up soon (after an intake commit); errors are reported to `onError`. */
  nudge(): void;
  /** Stops taking nudges and waits for the linking under way (before the database closes). */
  stop(): Promise<void>;
  /**
   * Holds nudges while `work` runs (a bulk ingest links once at the end, in full batches, instead of after
   * every batch it stores), then links what was stored.
   */
  deferred<T>(work: () => Promise<T>): Promise<T>;
  /** Drops every subject and links everything again, in the order it was first linked. */
  rebuild(): Promise<LinkRunSummary & { readonly seconds: number }>;
  /** The engine, caught up (for reads that need it: decisions, nickname index). */
  engine(): Promise<Linker>;
  /** Runs work inside the linker's lock with a caught-up engine; the engine's changes are written after. */
  withEngine<T>(work: (engine: Linker, trx: Transaction<Tables>) => Promise<T>): Promise<T>;
  /** The prior-records register, reloaded after an import. */
  reloadRegister(): Promise<void>;
  /** Matches every subject against the register again (after an import); returns how many have hits. */
  refreshPrior(): Promise<number>;
  /**
   * Deconfliction after a referral is accepted: if another organisation holds (has accepted a referral of)
   * the same subject, both sides get a notice. Returns how many notices were written.
   */
  deconflictAccepted(referralId: string): Promise<number>;
  /** What the pipeline's link stage reads: register hits, directly or through known subjects. */
  readonly port: LinkPort;
}

export function createLinkService(deps: LinkServiceDeps & { onError?: (e: unknown) => void }): LinkService {
  const { db: database, rules, clock } = deps;
  const db = database.db;
  const batch = deps.batch ?? 500;
  let engine: Linker | undefined;
  let engineSeq = 0;
  let register: RegisterIndex | undefined;
  let registerSignature = '';
  let registerCheckedAt = 0;
  let queue: Promise<unknown> = Promise.resolve();
  let pending = false;
  let stopped = false;
  let deferring = 0;

  function serial<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  }

  /** The register, reloaded when another process imported one (checked at most every 5 s). */
  async function loadRegister(): Promise<void> {
    const now = performance.now();
    if (register && now - registerCheckedAt < 5000) return;
    registerCheckedAt = now;
    const sig = await db
      .selectFrom('prior_records')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('imported_at').as('at')])
      .executeTakeFirst();
    const signature = `${String(sig?.n ?? 0)}|${String(sig?.at ?? '')}`;
    if (register && signature === registerSignature) return;
    register = await RegisterIndex.load(db);
    registerSignature = signature;
  }

  /** Brings the engine to the stored sequence (replaying without writing). */
  async function caughtUp(trx: Transaction<Tables>, seq: number, keepChanges = false): Promise<Linker> {
    if (!engine || engineSeq > seq) {
      engine = await freshEngine(trx);
      engineSeq = 0;
    }
    while (engineSeq < seq) {
      const rows = await linkedReferrals(trx, engineSeq, seq, batch);
      if (rows.length === 0) break;
      for (const r of rows) addReferral(engine, r);
      engineSeq += rows.length;
    }
    engineSeq = seq;
    // What a replay changes was written by whoever linked those referrals first.
    if (!keepChanges) engine.drainChanges();
    return engine;
  }

  async function freshEngine(trx: Transaction<Tables>): Promise<Linker> {
    const e = new Linker(rules);
    const decisions = await trx
      .selectFrom('link_decisions')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    for (const d of decisions) {
      const accounts = JSON.parse(d.accounts) as string[];
      if (d.kind === 'split') e.split({ id: d.id, side: accounts, other: JSON.parse(d.other) as string[] });
      else if (d.kind === 'merge') e.merge({ id: d.id, accounts });
    }
    return e;
  }

  function addReferral(e: Linker, r: LinkInput): void {
    for (const m of mentionsOf(r.id, r.receivedAt, r.identifiers, rules)) e.add(m);
  }

  async function step(): Promise<{ linked: number; changed: number; notices: number }> {
    await loadRegister();
    const at = clock.now();
    try {
      return await db.transaction().execute(async (trx) => {
        const state = await lockLinkState(trx, rules.version, at);
        const e = await caughtUp(trx, state.seq);
        const rows = await unlinkedReferrals(trx, batch);
        if (rows.length === 0) return { linked: 0, changed: 0, notices: 0 };
        const commonBefore = e.commonValues().length;
        let seq = state.seq;
        const marks: { id: string; seq: number }[] = [];
        for (const r of rows) {
          addReferral(e, r);
          marks.push({ id: r.id, seq: ++seq });
        }
        const changed = await writeChanges(trx, e, at);
        await writeCommon(trx, e, commonBefore, at);
        await markLinked(trx, marks);
        const notices = await deconflict(trx, e, rows, at);
        await saveLinkState(trx, seq, rules.version);
        engineSeq = seq;
        return { linked: rows.length, changed, notices };
      });
    } catch (err) {
      engine = undefined;
      throw err;
    }
  }

  async function writeChanges(trx: Transaction<Tables>, e: Linker, at: string): Promise<number> {
    const { changed, removed } = e.drainChanges();
    // Loaded before any transaction opens (SQLite has one connection).
    const reg = register ?? RegisterIndex.EMPTY;
    await writeSubjects(
      trx,
      changed.map((s) => toWrite(s, reg.size === 0 ? [] : reg.hits(s.keys))),
      removed,
      at,
    );
    return changed.length;
  }

  async function writeCommon(trx: Transaction<Tables>, e: Linker, from: number, at: string): Promise<void> {
    const fresh = e.commonValues().slice(from);
    for (const c of fresh)
      await trx
        .insertInto('link_common')
        .values({ key: c.key, kind: c.kind, accounts: c.accounts, found_at: at })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
  }

  /**
   * A new referral that joined a subject another organisation holds (has accepted a referral of) gives
   * both sides a notice: who holds it, since when, through which identifiers.
   */
  async function deconflict(
    trx: Transaction<Tables>,
    e: Linker,
    rows: readonly LinkInput[],
    at: string,
  ): Promise<number> {
    let count = 0;
    const wanted = new Map<string, { referral: LinkInput; subjects: Set<string> }>();
    for (const r of rows) {
      if (r.recipientOrgId === null) continue;
      const subjects = new Set<string>();
      for (let slot = 0; slot < 16; slot++) {
        const s = e.subjectOf(`${r.id}.${slot}`);
        if (s === undefined) break;
        subjects.add(s);
      }
      wanted.set(r.id, { referral: r, subjects });
    }
    // Who holds any of these subjects: one query per 500 subjects, not one per referral.
    const all = [...new Set([...wanted.values()].flatMap((w) => [...w.subjects]))];
    const held = new Map<string, { org: string; since: string }[]>();
    for (let i = 0; i < all.length; i += 500) {
      const found = await trx
        .selectFrom('subject_mentions as m')
        .innerJoin('referrals as r', 'r.id', 'm.referral_id')
        .select((eb) => ['m.subject_id', 'r.recipient_org_id as org', eb.fn.min('r.received_at').as('since')])
        .where('m.subject_id', 'in', all.slice(i, i + 500))
        .where('r.triage', '=', 'accepted')
        .where('r.recipient_org_id', 'is not', null)
        .groupBy(['m.subject_id', 'r.recipient_org_id'])
        .execute();
      for (const f of found) {
        if (f.org === null) continue;
        const list = held.get(f.subject_id) ?? [];
        list.push({ org: f.org, since: String(f.since) });
        held.set(f.subject_id, list);
      }
    }
    for (const { referral: r, subjects } of wanted.values()) {
      for (const subjectId of subjects) {
        const holders = (held.get(subjectId) ?? []).filter((h) => h.org !== r.recipientOrgId);
        if (holders.length === 0) continue;
        const state = e.subject(subjectId);
        const via = [
          ...new Set(
            (state?.evidence ?? [])
              .filter((x) => x.from.startsWith(`${r.id}.`) || x.to.startsWith(`${r.id}.`))
              .flatMap((x) => x.keys.map(describeKey)),
          ),
        ];
        for (const h of holders) {
          for (const [org, other, side] of [
            [h.org, r.recipientOrgId ?? '', 'holder'],
            [r.recipientOrgId ?? '', h.org, 'newcomer'],
          ] as const) {
            const res = await trx
              .insertInto('deconfliction_notices')
              .values({
                id: randomUUID(),
                org_id: org,
                other_org_id: other,
                subject_id: subjectId,
                referral_id: r.id,
                held_since: h.since,
                side,
                via: JSON.stringify(via),
                created_at: at,
              })
              .onConflict((oc) =>
                oc.columns(['org_id', 'other_org_id', 'subject_id', 'referral_id']).doNothing(),
              )
              .executeTakeFirst();
            count += Number(res.numInsertedOrUpdatedRows ?? 0);
          }
        }
      }
    }
    return count;
  }

  async function catchUpNow(): Promise<LinkRunSummary> {
    let linked = 0;
    let subjectsChanged = 0;
    let notices = 0;
    for (;;) {
      const r = await step();
      linked += r.linked;
      subjectsChanged += r.changed;
      notices += r.notices;
      if (r.linked < batch) break;
    }
    return { linked, subjectsChanged, notices };
  }

  const service: LinkService = {
    catchUp: () => serial(catchUpNow),

    nudge() {
      if (pending || stopped || deferring > 0) return;
      pending = true;
      setImmediate(() => {
        pending = false;
        if (!stopped) service.catchUp().catch((err: unknown) => deps.onError?.(err));
      });
    },

    async deferred(work) {
      deferring++;
      try {
        return await work();
      } finally {
        deferring--;
        await service.catchUp();
      }
    },

    async stop() {
      stopped = true;
      await queue;
    },

    rebuild: () =>
      serial(async () => {
        await loadRegister();
        const started = performance.now();
        const at = clock.now();
        // Replays the referrals in the order they were first linked, with the rules and decisions in force.
        let changed = 0;
        try {
          changed = await db.transaction().execute(async (trx) => {
            const state = await lockLinkState(trx, rules.version, at);
            await clearLinks(trx);
            engine = await freshEngine(trx);
            engineSeq = 0;
            const e = engine;
            const commonBefore = e.commonValues().length;
            await caughtUp(trx, state.seq, true);
            const n = await writeChanges(trx, e, at);
            await writeCommon(trx, e, commonBefore, at);
            await saveLinkState(trx, state.seq, rules.version);
            return n;
          });
        } catch (err) {
          engine = undefined;
          throw err;
        }
        const more = await catchUpNow();
        return {
          linked: engineSeq,
          subjectsChanged: changed + more.subjectsChanged,
          notices: more.notices,
          seconds: (performance.now() - started) / 1000,
        };
      }),

    engine: () =>
      serial(async () => {
        await catchUpNow();
        if (!engine) throw new Error('linker engine missing after catch-up');
        return engine;
      }),

    withEngine: (work) =>
      serial(async () => {
        await catchUpNow();
        const at = clock.now();
        try {
          return await db.transaction().execute(async (trx) => {
            const state = await lockLinkState(trx, rules.version, at);
            const e = await caughtUp(trx, state.seq);
            const out = await work(e, trx);
            await writeChanges(trx, e, at);
            return out;
          });
        } catch (err) {
          engine = undefined;
          throw err;
        }
      }),

    port: {
      priorRecords(identifiers) {
        const reg = register;
        if (!reg || reg.size === 0) return [];
        const mentions = mentionsOf('', '', identifiers, rules);
        const out = new Map<string, PriorRecordHit>();
        const add = (h: PriorRecordHit) => out.set(`${h.register}|${h.reference}|${h.kind}|${h.value}`, h);
        for (const h of reg.hits(mentions.flatMap((m) => m.keys.map((k) => k.key)))) add(h);
        // Through a subject the referral will join on a strong key (the engine may be a batch behind).
        const e = engine;
        if (e) {
          for (const m of mentions)
            for (const k of m.keys) {
              if (!k.strong) continue;
              for (const id of e.subjectsHolding(k.key)) {
                const s = e.subject(id);
                for (const h of reg.hits(s?.keys ?? []))
                  add({ ...h, reason: `${h.reason}, through subject ${id} (${describeKey(k.key)})` });
              }
            }
        }
        return [...out.values()];
      },
    },

    deconflictAccepted: (referralId) =>
      serial(async () => {
        await catchUpNow();
        const e = engine;
        if (!e) return 0;
        const row = await db
          .selectFrom('referrals')
          .select(['id', 'received_at', 'recipient_org_id'])
          .where('id', '=', referralId)
          .executeTakeFirst();
        if (!row) return 0;
        const input = {
          id: row.id,
          receivedAt: row.received_at,
          recipientOrgId: row.recipient_org_id,
          identifiers: [],
        };
        return db.transaction().execute((trx) => deconflict(trx, e, [input], clock.now()));
      }),

    async reloadRegister() {
      register = undefined;
      await loadRegister();
    },

    refreshPrior: () =>
      serial(async () => {
        await catchUpNow();
        const e = engine;
        const reg = register ?? RegisterIndex.EMPTY;
        if (!e) return 0;
        let matched = 0;
        const updates: { id: string; prior: string | null }[] = [];
        for (const s of e.subjects()) {
          const hits = reg.hits(s.keys);
          if (hits.length > 0) matched++;
          updates.push({ id: s.id, prior: hits.length === 0 ? null : JSON.stringify(hits) });
        }
        await db.transaction().execute(async (trx) => {
          await trx.updateTable('subjects').set({ prior: null }).where('prior', 'is not', null).execute();
          for (const u of updates)
            if (u.prior !== null)
              await trx.updateTable('subjects').set({ prior: u.prior }).where('id', '=', u.id).execute();
        });
        return matched;
      }),
  };
  return service;
}

function toWrite(s: SubjectState, prior: readonly PriorHit[]) {
  return {
    id: s.id,
    mentions: s.mentions.map((m, i) => {
      const dot = m.lastIndexOf('.');
      return {
        referralId: m.slice(0, dot),
        slot: Number(m.slice(dot + 1)),
        account: s.mentionAccounts[i] ?? '',
      };
    }),
    referrals: s.referrals,
    accounts: s.accounts,
    firstSeen: s.firstSeen,
    lastSeen: s.lastSeen,
    prior: prior.length === 0 ? undefined : prior,
    evidence: s.evidence,
  };
}
