import type { StageResult } from '../../domain/result.ts';
import type { Ports } from '../ports.ts';
import type { PipelineState } from '../state.ts';

/**
 * What linking already knows about the reported persons, read through the link port: entries of the
 * agency's prior-records register their selectors match, directly or through a subject they join.
 * Clustering itself happens after the referral is stored (src/linking/), where it may write.
 */
export function linkStage(ports: Ports) {
  return function link(state: PipelineState): StageResult<PipelineState> {
    const prior = ports.links?.priorRecords(state.identifiers) ?? [];
    return { kind: 'ok', value: prior.length === 0 ? state : { ...state, prior } };
  };
}
