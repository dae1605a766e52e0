import { parentPort } from 'node:worker_threads';
import { bufferView } from './parse-pool.ts';
import { parseUnit } from './parse.ts';
import type { Unit } from './sources.ts';

const port = parentPort;
if (!port) throw new Error('parse.worker.ts must run in a worker thread');

port.on('message', (m: { id: number; now: number; units: Unit[] }) => {
  try {
    const now = new Date(m.now);
    // Buffers arrive as Uint8Arrays; the parsers read both.
    // Documents cross as JSON text: cheaper to rebuild on the main thread than a structured clone.
    const parsed = m.units.map((u) => {
      const p = parseUnit(withBuffers(u), now);
      return p.kind === 'ok'
        ? { ...p, submission: { ...p.submission, document: JSON.stringify(p.submission.document) } }
        : p;
    });
    port.postMessage({ id: m.id, parsed });
  } catch (e) {
    port.postMessage({ id: m.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});

function withBuffers(u: Unit): Unit {
  switch (u.kind) {
    case 'cybertipline':
      return { ...u, report: bufferView(u.report), fileDetails: u.fileDetails.map(bufferView) };
    case 'json':
      return { ...u, bytes: bufferView(u.bytes) };
    case 'error':
      return u;
  }
}
