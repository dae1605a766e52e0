import type { LocationSignalKind } from './decision.ts';

/**
 * How location signals become a jurisdiction (`conduit.routing-rules/1`). Where each organisation acts is
 * not here: that is the organisations' `covers`, so the tree and its coverage are configuration too.
 */
export interface RoutingRules {
  readonly format: 'conduit.routing-rules/1';
  /** Free text chosen by the agency (`2026-11-28.1`); stored with every decision it made. */
  readonly version: string;
  /** Base weight of one signal of each kind (`source-hint`: the source's own view of the country). */
  readonly weights: Readonly<Record<LocationSignalKind, number>>;
  /** Multipliers applied to a signal's weight. */
  readonly discounts: {
    /** The source flagged the address as a possible proxy/VPN. */
    readonly proxy: number;
    /** The provider said its estimate is not verified. */
    readonly unverifiedEstimate: number;
    /** An IPv4 address many subscribers share (carrier-grade NAT gateways are not told apart offline). */
    readonly sharedAddress: number;
  };
  /** A signal loses half its weight every this many days before the incident (0: no ageing). */
  readonly halfLifeDays: number;
  /** Evidence mass added to the denominator: one weak signal alone never reaches full confidence. */
  readonly prior: number;
  /** Below this confidence the referral is held for manual triage. */
  readonly minConfidence: number;
  /** Held as conflicting when the runner-up country has at least this share of the leader's weight. */
  readonly conflictRatio: number;
  /** Region is decided only when the leading region has at least this share of the country's weight. */
  readonly minRegionShare: number;
  /** Place names (city or region, any language) → ISO 3166-2 subdivision, for estimates and addresses. */
  readonly places: Readonly<Record<string, string>>;
}
