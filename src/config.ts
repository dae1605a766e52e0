/** Configuration, parsed once at start-up from flags and environment and passed down explicitly. */
export interface Config {
  readonly db: DbUrl;
  /** Largest accepted single input (one report document, one HTTP body, one NDJSON line), in bytes. */
  readonly maxInputBytes: number;
  /** The organisation that receives everything until routing rules exist. */
  readonly receivingOrg: string;
  /** HTTP requests a minute per client (a principal, or an address when anonymous). */
  readonly rateLimit: number;
  /** Browser origins allowed to call the API cross-origin; none by default. */
  readonly corsOrigins: readonly string[];
  /** Fold Gmail addresses by Google's documented rules (dots, `+tag`) before comparing them. */
  readonly emailProviderRules: boolean;
  /** An agency's own MaxMind-format database (city or country); DB-IP's country database by default. */
  readonly geoDatabase?: string;
  /** An agency's linking rules (windows, caps, exclusion list); config/linking.rules.json by default. */
  readonly linkingRules?: string;
  /** PEM files for TLS; `serve` speaks plain HTTP without them. */
  readonly tls?: { readonly certPath: string; readonly keyPath: string };
}

export type DbUrl =
  { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string };

export const DEFAULT_DB = 'sqlite:./data/conduit.db';

export function parseDbUrl(s: string): DbUrl | undefined {
  if (s.startsWith('sqlite:')) {
    const path = s.slice('sqlite:'.length);
    return path ? { kind: 'sqlite', path } : undefined;
  }
  if (s.startsWith('postgres://') || s.startsWith('postgresql://')) return { kind: 'postgres', url: s };
  return undefined;
}

export function loadConfig(opts: { db?: string }, env: NodeJS.ProcessEnv): Config {
  const raw = opts.db ?? env.CONDUIT_DB ?? DEFAULT_DB;
  const db = parseDbUrl(raw);
  if (!db)
    throw new ConfigError(
      `--db / CONDUIT_DB: expected sqlite:<path> or postgres://…, got ${JSON.stringify(raw)}`,
    );
  const max =
    env.CONDUIT_MAX_INPUT_BYTES === undefined ? 10 * 1024 * 1024 : Number(env.CONDUIT_MAX_INPUT_BYTES);
  if (!Number.isInteger(max) || max <= 0)
    throw new ConfigError('CONDUIT_MAX_INPUT_BYTES: expected a positive integer');
  const rateLimit = env.CONDUIT_RATE_LIMIT === undefined ? 1200 : Number(env.CONDUIT_RATE_LIMIT);
  if (!Number.isInteger(rateLimit) || rateLimit <= 0)
    throw new ConfigError('CONDUIT_RATE_LIMIT: expected a positive integer (requests a minute per client)');
  const corsOrigins = (env.CONDUIT_CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of corsOrigins)
    if (!/^https?:\/\/[^/\s]+$/.test(o))
      throw new ConfigError(`CONDUIT_CORS_ORIGINS: ${o} is not an origin like https://ui.example.org`);
  const { CONDUIT_TLS_CERT: certPath, CONDUIT_TLS_KEY: keyPath } = env;
  if ((certPath === undefined) !== (keyPath === undefined))
    throw new ConfigError('CONDUIT_TLS_CERT and CONDUIT_TLS_KEY: set both (PEM files) or neither');
  const rules = env.CONDUIT_EMAIL_PROVIDER_RULES ?? 'on';
  if (rules !== 'on' && rules !== 'off') throw new ConfigError('CONDUIT_EMAIL_PROVIDER_RULES: on or off');
  return {
    db,
    emailProviderRules: rules === 'on',
    maxInputBytes: max,
    receivingOrg: env.CONDUIT_RECEIVING_ORG ?? 'hub',
    rateLimit,
    corsOrigins,
    ...(env.CONDUIT_GEOIP_DB !== undefined &&
      env.CONDUIT_GEOIP_DB !== '' && { geoDatabase: env.CONDUIT_GEOIP_DB }),
    ...(env.CONDUIT_LINKING_RULES !== undefined &&
      env.CONDUIT_LINKING_RULES !== '' && { linkingRules: env.CONDUIT_LINKING_RULES }),
    ...(certPath !== undefined && keyPath !== undefined && { tls: { certPath, keyPath } }),
  };
}

export class ConfigError extends Error {}
