/**
 * A bounded cache of a pure normaliser's results. Selectors recur across referrals (a person's phone and
 * addresses, a provider's contact number), and parsing them (libphonenumber above all) is the stage's cost.
 * Cleared whole when full: simple, and a working set re-fills it at once.
 */
export function memo<A extends readonly unknown[], R>(
  fn: (...args: A) => R,
  key: (...args: A) => string,
  max = 50_000,
): (...args: A) => R {
  const cache = new Map<string, R>();
  return (...args: A): R => {
    const k = key(...args);
    const hit = cache.get(k);
    if (hit !== undefined) return hit;
    const r = fn(...args);
    if (cache.size >= max) cache.clear();
    cache.set(k, r);
    return r;
  };
}
