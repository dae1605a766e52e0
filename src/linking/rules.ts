/**
 * The linking rules: how long an IP address identifies one subscriber, when a value is too common to
 * link, and the agency's exclusion list. Shipped as config/linking.rules.json (versioned like the
 * routing and priority rules); an agency loads its own with `conduit rules load --kind linking`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config.ts';
import type { LinkKind } from './keys.ts';

const Kind = Type.Union([
  Type.Literal('account'),
  Type.Literal('device'),
  Type.Literal('email'),
  Type.Literal('phone'),
  Type.Literal('ip'),
  Type.Literal('nickname'),
]);

const Caps = Type.Object(
  {
    account: Type.Integer({ minimum: 1 }),
    device: Type.Integer({ minimum: 1 }),
    email: Type.Integer({ minimum: 1 }),
    phone: Type.Integer({ minimum: 1 }),
    ip: Type.Integer({ minimum: 1 }),
    nickname: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);

export const LinkRulesDocument = Type.Object(
  {
    format: Type.Literal('conduit.linking-rules/1'),
    version: Type.String({ minLength: 1, maxLength: 100 }),
    /** IPv6 addresses link within this many hours (residential prefixes are stable for days). */
    ipv6WindowHours: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 365 }),
    /** IPv4 address + source port link within this many hours (carrier NAT reassigns ports). */
    ipv4WindowHours: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 365 }),
    /** A value seen with more distinct accounts than this is too common to link (reported). */
    maxAccountsPerValue: Caps,
    /** Values never used for linking (normalised as the pipeline does), e.g. a help-desk address. */
    exclude: Type.Array(
      Type.Object(
        { kind: Kind, value: Type.String({ minLength: 1, maxLength: 500 }) },
        { additionalProperties: false },
      ),
      { maxItems: 100_000 },
    ),
  },
  { additionalProperties: false },
);
export type LinkRulesDocument = Static<typeof LinkRulesDocument>;

/** The compiled rules the linker reads. */
export interface LinkRules {
  readonly version: string;
  readonly ipv6WindowHours: number;
  readonly ipv4WindowHours: number;
  readonly caps: Readonly<Record<Exclude<LinkKind, 'analyst'>, number>>;
  /** `kind|value` */
  readonly excluded: ReadonlySet<string>;
}

export type LinkRulesParse =
  | { readonly ok: true; readonly rules: LinkRules; readonly document: LinkRulesDocument }
  | { readonly ok: false; readonly problems: readonly { readonly path: string; readonly message: string }[] };

export function parseLinkRules(input: unknown): LinkRulesParse {
  if (!Value.Check(LinkRulesDocument, input)) {
    const problems = [...Value.Errors(LinkRulesDocument, input)]
      .slice(0, 50)
      .map((e) => ({ path: e.path || '/', message: e.message }));
    return { ok: false, problems };
  }
  return { ok: true, rules: compileLinkRules(input), document: input };
}

export function compileLinkRules(d: LinkRulesDocument): LinkRules {
  return {
    version: d.version,
    ipv6WindowHours: d.ipv6WindowHours,
    ipv4WindowHours: d.ipv4WindowHours,
    caps: d.maxAccountsPerValue,
    excluded: new Set(d.exclude.map((x) => `${x.kind}|${x.value}`)),
  };
}

const SHIPPED = new URL('../../config/linking.rules.json', import.meta.url);

/** The rules shipped in config/linking.rules.json. */
export function loadDefaultLinkRules(): LinkRules {
  return loadLinkRules(SHIPPED);
}

/** Rules from a file; a file that does not parse or validate stops start-up, naming every problem. */
export function loadLinkRules(path: string | URL): LinkRules {
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new LinkRulesError(`${String(path)}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = parseLinkRules(input);
  if (!parsed.ok)
    throw new LinkRulesError(
      `${String(path)}: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    );
  return parsed.rules;
}

/** A start-up error (exit 2 with the message), like any other configuration mistake. */
export class LinkRulesError extends ConfigError {}
