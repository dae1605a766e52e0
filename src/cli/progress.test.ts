import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressReporter } from './progress.ts';

describe('ingest progress bar', () => {
  it('shows count out of total, rate, ETA and outcome counts on one rewritten line', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const p = progressReporter(out);
    p.discovered(40);
    p.update({ received: 10, accepted: 8, duplicates: 1, rejected: 1, errors: [] });
    p.done();
    expect(text.startsWith('\r[')).toBe(true);
    expect(text).toMatch(/10\/40 · \d+\/s ETA \d+s · accepted 8 dup 1 rejected 1/);
    expect(text.endsWith('\n')).toBe(true);
  });
});
