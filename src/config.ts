/** Configuration, parsed once at start-up from flags and environment and passed down explicitly. */
export interface Config {
  readonly db: DbUrl;
  /** Largest accepted single input (one report document, one HTTP body, one NDJSON line), in bytes. */
  readonly maxInputBytes: number;
  /** The organisation that receives everything until routing rules exist. */
  readonly receivingOrg: string;
  /** Until API keys exist, an optional shared password for the CyberTipline-compatible intake. */
  readonly ispwsPassword?: string;
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
  return {
    db,
    maxInputBytes: max,
    receivingOrg: env.CONDUIT_RECEIVING_ORG ?? 'hub',
    ...(env.CONDUIT_ISPWS_PASSWORD !== undefined && { ispwsPassword: env.CONDUIT_ISPWS_PASSWORD }),
  };
}

export class ConfigError extends Error {}
