import type { StageResult } from '../../domain/result.ts';
import type { Ports } from '../ports.ts';
import type { PipelineState } from '../state.ts';

/**
 * Decides the recipient. Until jurisdiction rules exist, everything goes to the instance's receiving
 * organisation; without one the referral is held for manual triage rather than lost.
 */
export function routeStage(ports: Pick<Ports, 'routing'>) {
  return function route(state: PipelineState): StageResult<PipelineState> {
    const recipient = ports.routing.receivingOrganisation();
    if (!recipient) {
      const detail = 'no receiving organisation is configured';
      return {
        kind: 'hold',
        reason: 'no_recipient',
        detail,
        value: {
          ...state,
          jurisdiction: {
            country: null,
            region: null,
            recipientOrgId: null,
            confidence: 0,
            reasons: [detail],
          },
        },
      };
    }
    return {
      kind: 'ok',
      value: {
        ...state,
        jurisdiction: {
          country: null,
          region: null,
          recipientOrgId: recipient.id,
          confidence: 0,
          reasons: [`no routing rules yet: delivered to the receiving organisation ${recipient.slug}`],
        },
      },
    };
  };
}
