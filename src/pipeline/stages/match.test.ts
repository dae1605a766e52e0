import { describe, expect, it } from 'vitest';
import { canonicalReferral } from '../../../test/support/fixtures.ts';
import { instantOf, type OrganisationId } from '../../domain/ids.ts';
import type { ListHit, ListRef } from '../../domain/media.ts';
import type { Organisation } from '../../domain/organisation.ts';
import { parseCanonical } from '../../intake/formats/canonical.ts';
import type { HashIndexPort } from '../ports.ts';
import { initialState } from '../state.ts';
import { matchStage } from './match.ts';

const source: Organisation = {
  id: '0190a3c2-0000-7000-8000-000000000009' as OrganisationId,
  slug: 'esp',
  name: 'ESP',
  kind: 'provider',
  country: null,
  parentId: null,
  covers: [],
};
const known: ListRef = { id: 'l1', name: 'known', version: 3, negative: false };
const benign: ListRef = { id: 'l2', name: 'benign', version: 1, negative: true };
const hit = (list: ListRef, entry: string, category: ListHit['category']): ListHit => ({
  list,
  entry,
  category,
  sourceScheme: 'vics-us',
  sourceCode: category === 'illegal' ? '1' : '2',
  series: null,
  victimIdentified: null,
});
const MD5_KNOWN = 'aa'.repeat(16);
const MD5_BENIGN = 'bb'.repeat(16);
const PDQ_NEAR = 'cd'.repeat(32);

/** A plain-object index: the stage reads only through the port. */
const index: HashIndexPort = {
  exact: (kind, hex) =>
    kind === 'md5' && hex === MD5_KNOWN
      ? [hit(known, '17', 'exploitive')]
      : kind === 'md5' && hex === MD5_BENIGN
        ? [hit(benign, '4', 'non-pertinent')]
        : [],
  pdq: (hex, radius) =>
    hex === PDQ_NEAR && radius === 31 ? [{ ...hit(known, '99', 'illegal'), distance: 12 }] : [],
  pdqRadius: 31,
  pdqMinQuality: 50,
};

function stateWith(files: unknown[]) {
  const r = parseCanonical(canonicalReferral('m', { files }));
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return initialState(r.value, source, instantOf(new Date('2026-01-01T00:00:00Z')));
}

describe('match stage', () => {
  it('records every match with its list, version, entry and distance, and sums the files up', () => {
    const state = stateWith([
      { hashes: { md5: MD5_KNOWN.toUpperCase(), pdq: PDQ_NEAR } },
      { hashes: { md5: MD5_BENIGN } },
      { hashes: { md5: 'ee'.repeat(16) } },
      { hashes: { pdq: PDQ_NEAR, pdqQuality: 30 } },
    ]);
    const r = matchStage({ hashes: index })(state);
    if (r.kind !== 'ok') throw new Error('expected ok');
    expect(r.value.matches).toEqual([
      { ...hit(known, '17', 'exploitive'), file: 0, kind: 'md5', distance: 0 },
      { ...hit(known, '99', 'illegal'), file: 0, kind: 'pdq', distance: 12 },
      { ...hit(benign, '4', 'non-pertinent'), file: 1, kind: 'md5', distance: 0 },
    ]);
    expect(r.value.media).toEqual({
      files: 4,
      matched: 1,
      // A file counts once, under the most serious category among its matches.
      byCategory: { illegal: 1 },
      unknown: [2],
      // Kept, not matched perceptually: the hash is too weak to say anything.
      lowQualityPdq: [3],
      suppressed: [1],
    });
  });

  it('says every file is unknown when no list is loaded', () => {
    const state = stateWith([{ hashes: { md5: MD5_KNOWN } }]);
    const empty: HashIndexPort = { ...index, exact: () => [], pdq: () => [] };
    const r = matchStage({ hashes: empty })(state);
    expect(r.kind === 'ok' && r.value.media).toMatchObject({ matched: 0, unknown: [0] });
  });
});
