import { Worker } from 'node:worker_threads';
import type { Submission } from './intake.service.ts';
import type { ParsedUnit } from './parse.ts';
import type { Unit } from './sources.ts';

/** Parsing (XML/JSON, hashing, compression) on worker threads, so the main thread only reads and stores. */
export interface ParsePool {
  parse(units: readonly Unit[], now: Date): Promise<ParsedUnit[]>;
  close(): Promise<void>;
}

interface Reply {
  readonly id: number;
  /** Parsed units whose documents are JSON text (see parse.worker.ts). */
  readonly parsed?: WireParsed[];
  readonly error?: string;
}

export function createParsePool(size: number): ParsePool {
  const workers = Array.from(
    { length: size },
    () => new Worker(new URL('./parse.worker.js', import.meta.url)),
  );
  const pending = new Map<number, { resolve: (p: ParsedUnit[]) => void; reject: (e: Error) => void }>();
  let next = 0;
  // A worker that dies takes the pool down with it: every pending and later parse fails at once, so the
  // ingest ends with an error (its stored batches stay stored) instead of waiting forever.
  let dead: Error | undefined;
  const fail = (e: Error) => {
    dead ??= e;
    for (const p of pending.values()) p.reject(dead);
    pending.clear();
  };
  let closing = false;
  for (const w of workers) {
    w.on('message', (m: Reply) => {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (!p) return;
      if (m.parsed) p.resolve(m.parsed.map(asBuffers));
      else p.reject(new Error(`parse worker: ${m.error ?? 'no reply'}`));
    });
    w.on('error', fail);
    w.on('exit', (code) => {
      if (!closing) fail(new Error(`parse worker exited (code ${code})`));
    });
  }
  return {
    parse(units, now) {
      const id = next++;
      const worker = workers[id % workers.length];
      if (!worker) throw new Error('bug: empty parse pool');
      return new Promise((resolve, reject) => {
        if (dead) return reject(dead);
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, now: now.getTime(), units });
      });
    },
    async close() {
      closing = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** Structured clone turns Buffers into Uint8Arrays; the database drivers bind Buffers. */
function asBuffers(p: WireParsed): ParsedUnit {
  if (p.kind !== 'ok') return p;
  const s = p.submission;
  return {
    ...p,
    submission: {
      ...s,
      raw: bufferView(s.raw),
      rawGzip: bufferView(s.rawGzip),
      document: JSON.parse(s.document) as Submission['document'],
    },
  };
}

type WireParsed =
  | Extract<ParsedUnit, { kind: 'rejected' }>
  | {
      readonly kind: 'ok';
      readonly input: string;
      readonly submission: Omit<Submission, 'document'> & { readonly document: string };
    };

/** A Buffer over the same memory as a Uint8Array (what structured clone turns Buffers into); no copy. */
export function bufferView(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
