import type { ColumnType, Generated } from 'kysely';

/**
 * Table shapes. Portable types on purpose, so one SQL code path serves SQLite and PostgreSQL:
 * instants are ISO-8601 UTC text (sorts lexically), JSON is text parsed at the boundary, bytes are blobs.
 */
export interface Tables {
  organisations: {
    id: string;
    slug: string;
    name: string;
    kind: string;
    country: string | null;
    parent_id: string | null;
    created_at: string;
    /** JSON array of "CC" / "CC-REGION" codes. */
    covers: string;
  };
  users: {
    id: string;
    org_id: string;
    email: string;
    role: string;
    password_hash: string;
    totp_secret: string | null;
    totp_enabled: number;
    failed_logins: number;
    locked_until: string | null;
    disabled_at: string | null;
    created_at: string;
  };
  sessions: {
    id: string;
    user_id: string;
    created_at: string;
    expires_at: string;
    revoked_at: string | null;
  };
  api_keys: {
    id: string;
    org_id: string;
    name: string;
    scopes: string;
    secret_hash: string;
    created_at: string;
    revoked_at: string | null;
  };
  referrals: {
    id: string;
    source_org_id: string;
    source_ref: string;
    content_sha256: string;
    format: string;
    received_at: string;
    incident_type: string;
    incident_at: string;
    status: string;
    recipient_org_id: string | null;
    document: string;
    /** Effective priority (the decision's, or an override): E=0, 1, 2, 3; 4 when not prioritised. */
    priority_level: string | null;
    priority_rank: number;
    priority_score: number | null;
    country: string | null;
    region: string | null;
    confidence: number | null;
    /** actionable | informational. */
    classification: string;
    has_matches: number;
    /** pending | accepted. */
    triage: string;
    /** JSON: the analyst overrides in force ({priority?, recipient?}), each with who, when and why. */
    overrides: string | null;
    /** The order the linker took the referral in; null until linked. */
    link_seq: number | null;
  };
  referral_raw: {
    referral_id: string;
    media_type: string;
    encoding: string;
    size: number;
    sha256: string;
    bytes: Uint8Array;
  };
  decisions: {
    referral_id: string;
    outcome: string;
    recipient_org_id: string | null;
    decision: string;
    decided_at: string;
  };
  identifiers: {
    referral_id: string;
    ord: number;
    kind: string;
    value: string;
    raw: string;
    role: string;
    account: number;
    service: string | null;
    port: number | null;
    seen_at: string | null;
    /** JSON IdentifierFacts, or null. */
    facts: string | null;
  };
  files: {
    referral_id: string;
    ord: number;
    md5: string | null;
    sha1: string | null;
    sha256: string | null;
    pdq: string | null;
    relevance: string;
    classification: string | null;
  };
  rule_sets: {
    id: string;
    kind: string;
    name: string;
    version: number;
    label: string | null;
    document: string | null;
    sha256: string;
    created_at: string;
    created_by: string;
  };
  link_state: { id: string; seq: number; rules_version: string; updated_at: string };
  subjects: {
    id: string;
    mentions: number;
    referrals: number;
    /** JSON string[] */
    accounts: string;
    first_seen: string;
    last_seen: string;
    /** JSON PriorHit[] or null */
    prior: string | null;
    updated_at: string;
  };
  subject_mentions: { referral_id: string; slot: number; subject_id: string; account: string };
  subject_evidence: {
    subject_id: string;
    ord: number;
    from_mention: string;
    to_mention: string;
    rule: string;
    /** JSON string[] of link keys */
    keys: string;
  };
  link_decisions: {
    id: string;
    kind: string;
    subject_id: string;
    accounts: string;
    other: string;
    reason: string;
    created_at: string;
    created_by: string;
    org_id: string | null;
  };
  link_common: { key: string; kind: string; accounts: number; found_at: string };
  prior_records: {
    register: string;
    reference: string;
    kind: string;
    value: string;
    service: string;
    raw: string;
    label: string | null;
    since: string | null;
    imported_at: string;
  };
  deconfliction_notices: {
    id: string;
    org_id: string;
    other_org_id: string;
    subject_id: string;
    referral_id: string;
    held_since: string;
    side: string;
    via: string;
    created_at: string;
  };
  audit_events: {
    seq: ColumnType<number, number, never>;
    at: string;
    actor: string;
    org_id: string | null;
    action: string;
    object_type: string;
    object_id: string | null;
    request_id: string | null;
    outcome: string;
    details: string;
    prev_hash: string;
    hash: string;
  };
  audit_head: { id: number; seq: number; hash: string };
  outbox: {
    id: string;
    topic: string;
    payload: string;
    created_at: string;
    available_at: string;
    attempts: number;
    done_at: string | null;
  };
  ispws_reports: {
    report_id: Generated<number>;
    source_org_id: string;
    report_xml: string;
    status: string;
    created_at: string;
    closed_at: string | null;
    referral_id: string | null;
  };
  ispws_files: {
    file_id: string;
    report_id: number;
    size: number;
    md5: string;
    sha1: string;
    sha256: string;
    details_xml: string | null;
    created_at: string;
  };
  hash_lists: {
    id: string;
    name: string;
    /** Counts the imports of this name: 1 for the first, +1 on every re-import. */
    version: number;
    negative: number;
    format: string;
    scheme: string | null;
    entries: number;
    skipped: number;
    /** The import whose entries are current; swapped in one update by a re-import. */
    import_id: string;
    file_sha256: string;
    imported_at: string;
    imported_by: string;
    created_at: string;
  };
  hash_list_imports: {
    id: string;
    list_name: string;
    state: string;
    started_at: string;
  };
  hash_list_entries: {
    import_id: string;
    /** 0-based position in the import: the key for paging and chunked deletes. */
    seq: number;
    entry: string;
    md5: string | null;
    sha1: string | null;
    sha256: string | null;
    pdq: string | null;
    pdq_quality: number | null;
    category: string;
    source_scheme: string;
    source_code: string | null;
    series: string | null;
    /** 1 / 0, or null when the list does not say. */
    victim_identified: number | null;
  };
}
