import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { actorOf, type RequestContext } from '../domain/access.ts';
import { problem, type Problem } from '../domain/errors.ts';
import type { Instant, ReferralId, Sha256Hex } from '../domain/ids.ts';
import type { Organisation } from '../domain/organisation.ts';
import type { InputFormat, ReferralDocument, ReferralStatus } from '../domain/referral.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import { appendAudit, lockAuditHead, type AuditEntry } from '../store/audit.repo.ts';
import type { Database } from '../store/db.ts';
import {
  findReferralIds,
  insertOutbox,
  insertReferrals,
  type ReferralRecord,
  type StoredReferral,
} from '../store/referrals.repo.ts';
import { canonicalJson } from '../domain/canonical-json.ts';

/** One parsed input, ready for the pipeline. Edges make these; nothing is stored before `submit`. */
export interface Submission {
  readonly format: InputFormat;
  readonly mediaType: string;
  /** The input exactly as received, kept (compressed) for chain of custody. */
  readonly raw: Uint8Array;
  /** SHA-256 of `raw`, and `raw` gzip-compressed: computed where the input is parsed (see `seal`). */
  readonly contentSha256: Sha256Hex;
  readonly rawGzip: Uint8Array;
  readonly document: ReferralDocument;
  /** Used when the document carries no `sourceRef` (e.g. the file's stem); else the content hash is. */
  readonly fallbackRef?: string;
}

export type IntakeResult =
  | {
      readonly kind: 'accepted';
      readonly id: ReferralId;
      readonly status: ReferralStatus;
      readonly sourceRef: string;
    }
  | { readonly kind: 'duplicate'; readonly id: ReferralId; readonly sourceRef: string }
  | { readonly kind: 'rejected'; readonly problems: readonly Problem[] };

export type { RequestContext };

const ctxActor = (ctx: RequestContext | undefined) => (ctx ? actorOf(ctx.principal) : 'unknown');

export interface IntakeService {
  /** Runs each submission through the pipeline and stores the accepted ones in one transaction. */
  submit(
    source: Organisation,
    submissions: readonly Submission[],
    ctx: RequestContext,
  ): Promise<IntakeResult[]>;
  /** The same for several requests at once (one transaction; each keeps its own context in the audit). */
  submitMany(
    source: Organisation,
    groups: readonly { readonly submissions: readonly Submission[]; readonly ctx: RequestContext }[],
  ): Promise<IntakeResult[][]>;
}

export function createIntakeService(deps: {
  readonly database: Database;
  readonly pipeline: Pipeline;
  readonly clock: { now(): Instant };
  readonly newId: () => string;
}): IntakeService {
  const { database, pipeline, clock, newId } = deps;

  const service: IntakeService = {
    submit: (source, submissions, ctx) =>
      submitItems(
        source,
        submissions.map((submission) => ({ submission, ctx })),
      ),
    async submitMany(source, groups) {
      const flat = await submitItems(
        source,
        groups.flatMap((g) => g.submissions.map((submission) => ({ submission, ctx: g.ctx }))),
      );
      let at = 0;
      return groups.map((g) => flat.slice(at, (at += g.submissions.length)));
    },
  };
  return service;

  async function submitItems(
    source: Organisation,
    items: readonly { readonly submission: Submission; readonly ctx: RequestContext }[],
  ): Promise<IntakeResult[]> {
    const receivedAt = clock.now();
    const results: (IntakeResult | { kind: 'pending'; record: ReferralRecord })[] = [];
    const firstInBatch = new Map<string, number>();
    const contextOf = new Map<string, RequestContext>();
    for (const { submission: s, ctx } of items) {
      const outcome = pipeline(s.document, source, receivedAt);
      if (outcome.kind === 'rejected') {
        results.push({ kind: 'rejected', problems: outcome.problems });
        continue;
      }
      const sourceRef = s.document.sourceRef ?? s.fallbackRef ?? s.contentSha256;
      if (!firstInBatch.has(sourceRef)) firstInBatch.set(sourceRef, results.length);
      const record = recordOf(source, receivedAt, s, outcome.decision, sourceRef);
      contextOf.set(record.referral.id, ctx);
      results.push({ kind: 'pending', record });
    }

    // Only the first of several submissions with one reference in a batch is a candidate to insert.
    const candidates = [...firstInBatch.values()].map((i) => {
      const r = results[i];
      if (r?.kind !== 'pending') throw new Error('bug: batch index does not point at a pending record');
      return r.record;
    });
    if (candidates.length === 0) return results.filter(isFinal);

    const inserted = await database.db.transaction().execute(async (trx) => {
      const head = await lockAuditHead(trx);
      const ids = await insertReferrals(trx, candidates, receivedAt);
      const fresh = candidates.filter((c) => ids.has(c.referral.id));
      const audit: AuditEntry[] = fresh.map((c) => ({
        at: receivedAt,
        actor: ctxActor(contextOf.get(c.referral.id)),
        orgId: source.id,
        action: 'referral.receive',
        objectType: 'referral',
        objectId: c.referral.id,
        requestId: contextOf.get(c.referral.id)?.requestId ?? null,
        outcome: 'ok',
        details: {
          sourceRef: c.referral.sourceRef,
          contentSha256: c.referral.contentSha256,
          status: c.referral.status,
          recipientOrgId: c.referral.recipientOrgId,
        },
      }));
      await appendAudit(trx, head, audit);
      await insertOutbox(
        trx,
        fresh.map((c) => ({
          id: newId(),
          topic: 'referral.accepted',
          payload: {
            referralId: c.referral.id,
            status: c.referral.status,
            recipientOrgId: c.referral.recipientOrgId,
          },
          at: receivedAt,
        })),
      );
      return ids;
    });

    const missing = candidates.filter((c) => !inserted.has(c.referral.id)).map((c) => c.referral.sourceRef);
    const existing = missing.length
      ? await findReferralIds(database.db, source.id, missing)
      : new Map<string, StoredReferral>();
    // What is now stored under each reference: the one just inserted, or the one found.
    const stored = new Map<string, ReferralRecord['referral'] | StoredReferral>();
    for (const c of candidates) {
      const ref = c.referral.sourceRef;
      const found = inserted.has(c.referral.id) ? c.referral : existing.get(ref);
      if (!found) throw new Error(`bug: referral ${ref} neither inserted nor found`);
      stored.set(ref, found);
    }
    return results.map((r): IntakeResult => {
      if (r.kind !== 'pending') return r;
      const { id, sourceRef, contentSha256, status } = r.record.referral;
      const s = stored.get(sourceRef);
      if (!s) throw new Error('bug: unsettled submission');
      if (s.id === id) return { kind: 'accepted', id, status, sourceRef };
      // Same reference and the same report (same bytes, or the same content in another form, e.g. a JSON
      // file re-sent as an NDJSON line): a resubmission. Another report under that reference: not ours to drop.
      if (s.contentSha256 === contentSha256 || sameDocument(s, r.record.referral.document)) {
        return { kind: 'duplicate', id: s.id, sourceRef };
      }
      return {
        kind: 'rejected',
        problems: [
          problem(
            'conflict',
            '/sourceRef',
            `a different report with the reference ${sourceRef} was already received from this source (referral ${s.id}); a correction needs its own reference`,
          ),
        ],
      };
    });
  }

  function recordOf(
    source: Organisation,
    receivedAt: Instant,
    s: Submission,
    decision: ReferralRecord['decision'],
    sourceRef: string,
  ): ReferralRecord {
    return {
      referral: {
        id: newId() as ReferralId,
        sourceOrgId: source.id,
        sourceRef,
        contentSha256: s.contentSha256,
        format: s.format,
        receivedAt,
        status: decision.outcome,
        recipientOrgId: decision.jurisdiction.recipientOrgId,
        document: { ...s.document, sourceRef },
      },
      decision,
      raw: {
        mediaType: s.mediaType,
        encoding: 'gzip',
        size: s.raw.byteLength,
        sha256: s.contentSha256,
        bytes: s.rawGzip,
      },
    };
  }
}

function sameDocument(
  stored: ReferralRecord['referral'] | StoredReferral,
  document: ReferralDocument,
): boolean {
  const theirs: unknown = typeof stored.document === 'string' ? JSON.parse(stored.document) : stored.document;
  return canonicalJson(theirs) === canonicalJson(document);
}

function isFinal(r: IntakeResult | { kind: 'pending' }): r is IntakeResult {
  return r.kind !== 'pending';
}

/** Fingerprints and compresses a raw input once, where it is parsed (possibly off the main thread). */
export function seal(raw: Uint8Array): { contentSha256: Sha256Hex; rawGzip: Uint8Array } {
  return {
    contentSha256: createHash('sha256').update(raw).digest('hex') as Sha256Hex,
    rawGzip: gzipSync(raw),
  };
}

/**
 * Group commit: submissions that arrive while a transaction is being written are stored together in the
 * next one, so N concurrent HTTP requests cost one commit and one audit-head lock, not N. Each caller
 * still gets exactly its own results; a failure fails only the callers of that transaction.
 */
export function coalescingIntake(inner: IntakeService, opts: { readonly maxBatch: number }): IntakeService {
  interface Waiter {
    readonly submissions: readonly Submission[];
    readonly ctx: RequestContext;
    resolve(r: IntakeResult[]): void;
    reject(e: unknown): void;
  }
  const queues = new Map<string, { source: Organisation; waiters: Waiter[] }>();
  let writing = false;
  let scheduled = false;

  async function drain(): Promise<void> {
    writing = true;
    try {
      while (queues.size > 0) {
        const [key, q] = queues.entries().next().value as [
          string,
          { source: Organisation; waiters: Waiter[] },
        ];
        let taken = 0;
        const batch: Waiter[] = [];
        while (
          q.waiters.length > 0 &&
          (batch.length === 0 || taken + (q.waiters[0]?.submissions.length ?? 0) <= opts.maxBatch)
        ) {
          const w = q.waiters.shift() as Waiter;
          taken += w.submissions.length;
          batch.push(w);
        }
        // Round robin between sources: one busy source must not starve the others.
        queues.delete(key);
        if (q.waiters.length > 0) queues.set(key, q);
        try {
          const results = await inner.submitMany(q.source, batch);
          batch.forEach((w, i) => w.resolve(results[i] ?? []));
        } catch (e) {
          for (const w of batch) w.reject(e);
        }
      }
    } finally {
      writing = false;
    }
  }

  return {
    submit(source, submissions, ctx) {
      return new Promise<IntakeResult[]>((resolve, reject) => {
        const q = queues.get(source.id) ?? { source, waiters: [] };
        q.waiters.push({ submissions, ctx, resolve, reject });
        queues.set(source.id, q);
        // Start writing after this turn of the event loop: requests read in the same turn join the batch.
        if (!writing && !scheduled) {
          scheduled = true;
          setImmediate(() => {
            scheduled = false;
            void drain();
          });
        }
      });
    },
    submitMany: (source, groups) => inner.submitMany(source, groups),
  };
}
