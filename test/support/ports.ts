import { instantOf } from '../../src/domain/ids.ts';
import type { Organisation } from '../../src/domain/organisation.ts';
import { compileLexicons } from '../../src/pipeline/priority/lexicon.ts';
import { loadDefaultPriorityRules } from '../../src/pipeline/priority/rules.ts';
import { NO_GEO, NO_HASH_LISTS, type Ports, type RulesSnapshot } from '../../src/pipeline/ports.ts';
import { loadDefaultRoutingRules } from '../../src/rules/routing-rules.ts';

/** The shipped rules and no lexicons, as a fresh instance has them. */
export function defaultRules(): RulesSnapshot {
  return {
    routing: loadDefaultRoutingRules(),
    priority: loadDefaultPriorityRules(),
    lexicon: compileLexicons([]),
  };
}

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
  const rules = defaultRules();
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
