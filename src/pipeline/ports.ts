import type { Instant } from '../domain/ids.ts';
import type { Organisation } from '../domain/organisation.ts';

/** What stages may read. Real implementations live in adapters/; tests pass plain objects. */
export interface Ports {
  readonly clock: { now(): Instant };
  readonly routing: {
    /** The organisation that receives referrals until routing rules exist (issue: jurisdiction routing). */
    receivingOrganisation(): Organisation | undefined;
  };
}
