import type { Writable } from 'node:stream';
import type { IngestSummary } from '../intake/ingest.ts';

/** A one-line progress bar on a terminal: count, rate and, once the total is known, ETA. */
export function progressReporter(out: Writable) {
  const started = Date.now();
  let total = 0;
  let last = 0;
  const render = (s: Readonly<IngestSummary>, force = false) => {
    const now = Date.now();
    if (!force && now - last < 200) return;
    last = now;
    const done = s.received;
    const rate = done / Math.max(0.001, (now - started) / 1000);
    const width = 30;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const bar = total > 0 ? `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}] ` : '';
    const eta = total > 0 && rate > 0 ? ` ETA ${formatSeconds((total - done) / rate)}` : '';
    out.write(
      `\r${bar}${done}${total ? `/${total}` : ''} · ${Math.round(rate)}/s${eta} · accepted ${s.accepted} dup ${s.duplicates} rejected ${s.rejected}  `,
    );
  };
  let latest: Readonly<IngestSummary> | undefined;
  return {
    discovered: (n: number) => {
      total += n;
    },
    update: (s: Readonly<IngestSummary>) => {
      latest = s;
      render(s);
    },
    done: () => {
      if (latest) render(latest, true);
      out.write('\n');
    },
  };
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${Math.round(s % 60)}s` : `${Math.round(s)}s`;
}
