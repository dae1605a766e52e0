import {
  EXACT_HASH_KINDS,
  MEDIA_CATEGORIES,
  type HashMatch,
  type MediaCategory,
  type MediaSummary,
} from '../../domain/media.ts';
import { effectiveHashes } from '../../domain/referral.ts';
import type { StageResult } from '../../domain/result.ts';
import type { HashIndexPort, Ports } from '../ports.ts';
import type { PipelineState } from '../state.ts';

/** The hashes of one file, as the matcher takes them (from a referral's file, or from an API caller). */
export interface FileHashSet {
  readonly md5?: string | null;
  readonly sha1?: string | null;
  readonly sha256?: string | null;
  readonly pdq?: string | null;
  readonly pdqQuality?: number | undefined;
}

/**
 * Matches files against the loaded hash lists: exact MD5/SHA-1/SHA-256, and PDQ within the configured
 * radius unless the hash's quality is below the threshold (kept, not matched, and said so). Matches on
 * negative (known benign) lists are recorded but suppress, they do not count. Hashes are lower-case hex.
 */
export function matchFiles(
  index: HashIndexPort,
  files: readonly FileHashSet[],
): { matches: HashMatch[]; media: MediaSummary } {
  const matches: HashMatch[] = [];
  const unknown: number[] = [];
  const lowQualityPdq: number[] = [];
  const suppressed: number[] = [];
  const byCategory: Partial<Record<MediaCategory, number>> = {};
  let matched = 0;
  files.forEach((hashes, file) => {
    const found: HashMatch[] = [];
    let weak = false;
    for (const kind of EXACT_HASH_KINDS) {
      const hex = hashes[kind];
      if (hex) for (const hit of index.exact(kind, hex)) found.push({ ...hit, file, kind, distance: 0 });
    }
    if (hashes.pdq) {
      if (hashes.pdqQuality !== undefined && hashes.pdqQuality < index.pdqMinQuality) {
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
  return {
    matches,
    media: { files: files.length, matched, byCategory, unknown, lowQualityPdq, suppressed },
  };
}

/** The pipeline stage: every file of the referral, its effective hashes, through `matchFiles`. */
export function matchStage(ports: Pick<Ports, 'hashes'>) {
  return function match(state: PipelineState): StageResult<PipelineState> {
    const files = state.document.files.map((f) => ({
      ...effectiveHashes(f),
      pdqQuality: f.hashes.pdqQuality,
    }));
    const { matches, media } = matchFiles(ports.hashes, files);
    return { kind: 'ok', value: { ...state, matches, media } };
  };
}
