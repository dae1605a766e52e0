import { problem, type Problem } from '../../domain/errors.ts';
import type { StageResult } from '../../domain/result.ts';
import type { Ports } from '../ports.ts';
import type { PipelineState } from '../state.ts';

/** Five minutes of clock skew between the provider and us is tolerated. */
const SKEW_MS = 5 * 60 * 1000;

/**
 * Rules every referral must meet whatever its format (formats check their own syntax at the edge):
 * the incident cannot lie in the future, and each file's hashes agree with what we computed ourselves.
 */
export function validateStage(ports: Pick<Ports, 'clock'>) {
  return function validate(state: PipelineState): StageResult<PipelineState> {
    const problems: Problem[] = [];
    const now = Date.parse(ports.clock.now());
    if (Date.parse(state.document.incident.occurredAt) > now + SKEW_MS) {
      problems.push(problem('invalid_date', '/incident/occurredAt', 'incident time lies in the future'));
    }
    state.document.files.forEach((f, i) => {
      const c = f.computed;
      if (!c) return;
      for (const k of ['md5', 'sha1', 'sha256'] as const) {
        const given = f.hashes[k];
        if (given && given !== c[k]) {
          problems.push(
            problem(
              'invalid_value',
              `/files/${i}/hashes/${k}`,
              `declared ${k} differs from the hash of the uploaded bytes`,
            ),
          );
        }
      }
    });
    return problems.length
      ? { kind: 'reject', reason: 'invalid_report', problems }
      : { kind: 'ok', value: state };
  };
}
