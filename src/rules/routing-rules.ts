import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { problem, type Problem } from '../domain/errors.ts';
import type { Parsed } from '../domain/result.ts';
import type { RoutingRules } from '../domain/rules.ts';
import { parseCoverage } from '../domain/organisation.ts';

const Weight = Type.Number({ minimum: 0, maximum: 1000 });
const Share = Type.Number({ minimum: 0, maximum: 1 });

const RoutingRulesSchema = Type.Object(
  {
    format: Type.Literal('conduit.routing-rules/1'),
    version: Type.String({ minLength: 1, maxLength: 64 }),
    weights: Type.Object(
      {
        ip: Weight,
        phone: Weight,
        'provider-estimate': Weight,
        address: Weight,
        cctld: Weight,
        'legal-process': Weight,
        'source-hint': Weight,
      },
      { additionalProperties: false },
    ),
    discounts: Type.Object(
      { proxy: Share, unverifiedEstimate: Share, sharedAddress: Share },
      { additionalProperties: false },
    ),
    halfLifeDays: Type.Number({ minimum: 0, maximum: 36500 }),
    prior: Type.Number({ minimum: 0, maximum: 1000 }),
    minConfidence: Share,
    conflictRatio: Share,
    minRegionShare: Share,
    places: Type.Record(Type.String({ minLength: 1, maxLength: 200 }), Type.String()),
  },
  { additionalProperties: false },
);

/** Routing rules from an agency's file: every problem names its field; coverage codes are checked too. */
export function parseRoutingRules(input: unknown): Parsed<RoutingRules> {
  if (!Value.Check(RoutingRulesSchema, input)) {
    const problems: Problem[] = [...Value.Errors(RoutingRulesSchema, input)]
      .slice(0, 20)
      .map((e) => problem('invalid_value', e.path || '/', e.message));
    return { ok: false, problems };
  }
  const rules: Static<typeof RoutingRulesSchema> = input;
  const problems: Problem[] = [];
  for (const [place, code] of Object.entries(rules.places)) {
    const c = parseCoverage(code);
    if (!c || !c.includes('-'))
      problems.push(
        problem(
          'invalid_value',
          `/places/${place}`,
          `expected an ISO 3166-2 subdivision like IT-62, got ${code}`,
        ),
      );
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: rules };
}

/** The rules shipped with Conduit, used until an agency loads its own. */
export function loadDefaultRoutingRules(): RoutingRules {
  const url = new URL('../../config/routing.rules.json', import.meta.url);
  const r = parseRoutingRules(JSON.parse(readFileSync(url, 'utf8')));
  if (!r.ok) throw new Error(`config/routing.rules.json is invalid: ${JSON.stringify(r.problems)}`);
  return r.value;
}
