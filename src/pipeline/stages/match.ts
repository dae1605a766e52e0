import {
  EXACT_HASH_KINDS,
  MEDIA_CATEGORIES,
  type HashMatch,
  type MediaCategory,
  type MediaSummary,
} from '../../domain/media.ts';
import { effectiveHashes } from '../../domain/referral.ts';
import type { StageResult } from '../../domain/result.ts';
import type { Ports } from '../ports.ts';
import type { PipelineState } from '../state.ts';

/**
 * Matches every file of the referral against the loaded hash lists: exact MD5/SHA-1/SHA-256, and PDQ
 * within the configured radius unless the hash's quality is below the threshold (kept, not matched, and
 * said so). Matches on negative (known benign) lists are recorded but suppress, they do not count.
 */
export function matchStage(ports: Pick<Ports, 'hashes'>) {
  return function match(state: PipelineState): StageResult<PipelineState> {
    const index = ports.hashes;
    const matches: HashMatch[] = [];
    const unknown: number[] = [];
    const lowQualityPdq: number[] = [];
    const suppressed: number[] = [];
    const byCategory: Partial<Record<MediaCategory, number>> = {};
    let matched = 0;
    state.document.files.forEach((f, file) => {
      const hashes = effectiveHashes(f);
      const found: HashMatch[] = [];
      let weak = false;
      for (const kind of EXACT_HASH_KINDS) {
        const hex = hashes[kind];
        if (hex) for (const hit of index.exact(kind, hex)) found.push({ ...hit, file, kind, distance: 0 });
      }
      if (hashes.pdq) {
        if (f.hashes.pdqQuality !== undefined && f.hashes.pdqQuality < index.pdqMinQuality) {
          lowQualityPdq.push(file);
          weak = true;
        } else
          for (const hit of index.pdq(hashes.pdq, index.pdqRadius)) found.push({ ...hit, file, kind: 'pdq' });
      }
      matches.push(...found);
      const positive = found.filter((m) => !m.list.negative);
      if (positive.length) {
        matched++;
        const worst = MEDIA_CATEGORIES.find((c) => positive.some((m) => m.category === c)) ?? 'uncategorised';
        byCategory[worst] = (byCategory[worst] ?? 0) + 1;
      } else if (found.length) suppressed.push(file);
      // A file whose perceptual hash was too weak to look up cannot be called new.
      else if (!weak) unknown.push(file);
    });
    const media: MediaSummary = {
      files: state.document.files.length,
      matched,
      byCategory,
      unknown,
      lowQualityPdq,
      suppressed,
    };
    return { kind: 'ok', value: { ...state, matches, media } };
  };
}
