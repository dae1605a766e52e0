import { instantOf } from '../../src/domain/ids.ts';
import type { Organisation } from '../../src/domain/organisation.ts';
import { NO_GEO, NO_HASH_LISTS, type Ports } from '../../src/pipeline/ports.ts';
import { shippedRules } from '../../src/rules/rules.service.ts';

/**
 * Pipeline ports for a test: the real stages' defaults (shipped rules, no hash lists, no geo database, no
 * organisation tree: everything located stays at the receiving organisation) with the test's own parts.
 */
export function testPorts(
  parts: Partial<Omit<Ports, 'routing'>> & {
    readonly routing: {
      receivingOrganisation(): Organisation | undefined;
      organisations?(): readonly Organisation[];
    };
  },
): Ports {
  const rules = shippedRules();
  return {
    clock: { now: () => instantOf(new Date()) },
    hashes: NO_HASH_LISTS,
    geo: NO_GEO,
    rules: () => rules,
    ...parts,
    routing: {
      receivingOrganisation: () => parts.routing.receivingOrganisation(),
      organisations: () => parts.routing.organisations?.() ?? [],
    },
  };
}
