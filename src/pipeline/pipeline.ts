import type { Decision } from '../domain/decision.ts';
import type { Problem } from '../domain/errors.ts';
import type { Instant } from '../domain/ids.ts';
import type { Organisation } from '../domain/organisation.ts';
import type { ReferralDocument } from '../domain/referral.ts';
import type { StageResult } from '../domain/result.ts';
import type { Ports } from './ports.ts';
import { normaliseStage, type NormaliseOptions } from './stages/normalise.ts';
import { enrichStage } from './stages/enrich.ts';
import { linkStage } from './stages/link.ts';
import { matchStage } from './stages/match.ts';
import { prioritiseStage } from './stages/prioritise.ts';
import { routeStage } from './stages/route.ts';
import { validateStage } from './stages/validate.ts';
import { initialState, type PipelineState } from './state.ts';

export type Stage = (state: PipelineState) => StageResult<PipelineState>;

export type PipelineOutcome =
  | { readonly kind: 'accepted'; readonly decision: Decision }
  | { readonly kind: 'rejected'; readonly problems: readonly Problem[] };

export type Pipeline = (
  document: ReferralDocument,
  source: Organisation,
  receivedAt: Instant,
) => PipelineOutcome;

/** The one place where the order of stages is written. */
export function pipelineStages(ports: Ports, options: PipelineOptions = {}): readonly Stage[] {
  return [
    validateStage(ports),
    normaliseStage(options),
    matchStage(ports),
    enrichStage(ports),
    linkStage(ports),
    prioritiseStage(ports),
    routeStage(ports),
  ];
}

/** Choices an agency makes once, in its configuration (not rules that change at run time). */
export type PipelineOptions = NormaliseOptions;

/** Runs the stages in order. A stage that holds lets the later ones still run. */
export function createPipeline(ports: Ports, options: PipelineOptions = {}): Pipeline {
  const stages = pipelineStages(ports, options);
  return (document, source, receivedAt) => {
    let state = initialState(document, source, receivedAt);
    for (const stage of stages) {
      const r = stage(state);
      switch (r.kind) {
        case 'reject':
          return { kind: 'rejected', problems: r.problems };
        case 'hold':
          state = {
            ...r.value,
            holds: [...r.value.holds, { reason: r.reason, detail: r.detail }],
            trace: [...r.value.trace, { stage: stage.name, result: 'hold', note: r.detail }],
          };
          break;
        case 'ok':
          state = { ...r.value, trace: [...r.value.trace, { stage: stage.name, result: 'ok' }] };
          break;
      }
    }
    const hold = state.holds[0];
    return {
      kind: 'accepted',
      decision: {
        outcome: hold ? 'held' : 'routed',
        ...(hold && { hold }),
        jurisdiction: state.jurisdiction ?? {
          country: null,
          region: null,
          recipientOrgId: null,
          confidence: 0,
          reasons: [],
          signals: state.signals,
          candidates: [],
          rulesVersion: null,
        },
        priority: state.priority,
        classification: state.classification ?? { kind: 'actionable', reasons: [] },
        identifiers: state.identifiers,
        ...(state.prior.length > 0 && { prior: state.prior }),
        matches: state.matches,
        media: state.media,
        trace: state.trace,
      },
    };
  };
}
