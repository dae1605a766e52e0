/**
 * The closed list of error codes a client can see. Each edge maps them to its own status
 * (HTTP in http/errors.ts, exit codes in cli/, NCMEC response codes in http/ispws).
 */
export type ErrorCode =
  | 'malformed_input' // not parseable at all: bad XML/JSON, invalid UTF-8
  | 'doctype_forbidden' // <!DOCTYPE> present: entity expansion / XXE is never attempted
  | 'too_large' // over the configured size limit
  | 'unsupported_format' // neither CyberTipline XML, canonical JSON nor NDJSON
  | 'schema_violation' // structurally wrong: missing/unknown element, wrong cardinality or order
  | 'invalid_value' // a value of the wrong form: enum, number, boolean, hash
  | 'invalid_date' // an impossible or malformed date/time, or one in the future where the past is required
  | 'invalid_ip' // not an IPv4/IPv6 address
  | 'invalid_email' // not an e-mail address
  | 'unreadable' // a file that cannot be read (permissions, vanished while walking)
  | 'unknown_organisation'
  | 'not_found'
  | 'conflict' // state does not allow the operation (e.g. finishing a retracted report)
  | 'bad_request' // a request parameter is wrong
  | 'unauthenticated' // no credentials, or credentials that are wrong, expired or revoked
  | 'second_factor_required' // the password was right; a TOTP code is needed as well
  | 'forbidden' // authenticated, but the role or scope does not allow the operation
  | 'csrf' // a cookie-authenticated write without the session's CSRF token
  | 'rate_limited'; // too many requests or failed sign-ins: try again later

/** One problem with an input, naming the field by a path such as `/report/incidentSummary/incidentDateTime`. */
export interface Problem {
  readonly code: ErrorCode;
  readonly path: string;
  readonly message: string;
}

export function problem(code: ErrorCode, path: string, message: string): Problem {
  return { code, path, message };
}
