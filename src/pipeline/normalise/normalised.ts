import type { IdentifierFacts } from '../../domain/identifier.ts';

/** What one normaliser returns: the canonical value for matching and what was learned on the way. */
export interface Normalised {
  readonly value: string;
  /** Absent when nothing was learned. */
  readonly facts?: IdentifierFacts;
}

/** `{ value, facts }` with facts dropped when every field is undefined, and undefined fields left out. */
export function normalised(
  value: string,
  facts: { -readonly [K in keyof IdentifierFacts]: IdentifierFacts[K] | undefined },
): Normalised {
  const out: { -readonly [K in keyof IdentifierFacts]: IdentifierFacts[K] } = {};
  let any = false;
  for (const [k, v] of Object.entries(facts)) {
    if (v === undefined) continue;
    Object.assign(out, { [k]: v });
    any = true;
  }
  return any ? { value, facts: out } : { value };
}
