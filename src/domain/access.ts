import type { Brand } from './brand.ts';
import type { OrganisationId } from './ids.ts';

export type UserId = Brand<string, 'UserId'>;
export type ApiKeyId = Brand<string, 'ApiKeyId'>;

/** People's roles. An auditor reads the trail and nothing else; an admin manages accounts, not referrals. */
export const ROLES = ['admin', 'supervisor', 'analyst', 'investigator', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** What a machine client's API key may do: file reports (and follow their status), or read referrals. */
export const SCOPES = ['submit', 'read'] as const;
export type Scope = (typeof SCOPES)[number];

/** Every operation an edge can ask for. Routes declare one; services check the object as well. */
export const PERMISSIONS = [
  'referral.submit',
  /** Follow one's own submissions: whether and when they were received, nothing of their content. */
  'referral.status',
  'referral.read',
  'organisation.read',
  'organisation.write',
  'user.read',
  'user.write',
  'apikey.read',
  'apikey.write',
  'audit.read',
  /** See the hash lists and match hashes against them. */
  'hashlist.read',
  /** Import, replace and remove hash lists. */
  'hashlist.write',
  /** Work the triage queue: accept, reassign, override priority, re-run routing. */
  'referral.triage',
  /** See the routing and priority rules and the lexicons' names and sizes (never their terms). */
  'rules.read',
  /** Load routing and priority rules and indicator lexicons. */
  'rules.write',
  /** See subjects, links, communities, nickname traces and deconfliction notices (within reach). */
  'subject.read',
  /** Confirm, split and merge subjects. */
  'subject.decide',
  /** See which prior-records registers are loaded (names and sizes). */
  'register.read',
  /** Import and replace prior-records registers. */
  'register.write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: [
    'organisation.read',
    'organisation.write',
    'user.read',
    'user.write',
    'apikey.read',
    'apikey.write',
    'hashlist.read',
    'hashlist.write',
    'rules.read',
    'rules.write',
  ],
  supervisor: [
    'referral.submit',
    'referral.status',
    'referral.read',
    'referral.triage',
    'organisation.read',
    'user.read',
    'hashlist.read',
    'hashlist.write',
    'rules.read',
    'rules.write',
    'subject.read',
    'subject.decide',
    'register.read',
    'register.write',
  ],
  analyst: [
    'referral.submit',
    'referral.status',
    'referral.read',
    'referral.triage',
    'organisation.read',
    'hashlist.read',
    'rules.read',
    'subject.read',
    'subject.decide',
    'register.read',
  ],
  investigator: ['referral.status', 'referral.read', 'organisation.read', 'hashlist.read', 'subject.read'],
  auditor: ['audit.read', 'organisation.read', 'user.read', 'apikey.read'],
};

const SCOPE_PERMISSIONS: Readonly<Record<Scope, readonly Permission[]>> = {
  submit: ['referral.submit', 'referral.status'],
  read: ['referral.status', 'referral.read'],
};

/** What a role may do: the web application shows only what its user can use. */
export function permissionsOf(role: Role): readonly Permission[] {
  return ROLE_PERMISSIONS[role];
}

/** Who is asking. Every service call carries one; the audit trail names it. */
export type Principal =
  | {
      readonly kind: 'user';
      readonly id: UserId;
      readonly email: string;
      readonly orgId: OrganisationId;
      readonly role: Role;
      readonly sessionId: string;
    }
  | {
      readonly kind: 'client';
      readonly id: ApiKeyId;
      readonly orgId: OrganisationId;
      readonly scopes: readonly Scope[];
    }
  /** Someone at the machine's shell with the database in reach (the CLI): unrestricted, but audited. */
  | { readonly kind: 'operator'; readonly name: string };

/** The context of one service call: who, and which request (for the audit trail). */
export interface RequestContext {
  readonly principal: Principal;
  readonly requestId: string | null;
}

export function can(p: Principal, permission: Permission): boolean {
  switch (p.kind) {
    case 'operator':
      return true;
    case 'user':
      return ROLE_PERMISSIONS[p.role].includes(permission);
    case 'client':
      return p.scopes.some((s) => SCOPE_PERMISSIONS[s].includes(permission));
  }
}

/** How the audit trail names a principal: `user:<email>`, `apikey:<id>`, `cli:<name>`. */
export function actorOf(p: Principal): string {
  switch (p.kind) {
    case 'user':
      return `user:${p.email}`;
    case 'client':
      return `apikey:${p.id}`;
    case 'operator':
      return `cli:${p.name}`;
  }
}

export function orgOf(p: Principal): OrganisationId | null {
  return p.kind === 'operator' ? null : p.orgId;
}

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}
export function isScope(s: string): s is Scope {
  return (SCOPES as readonly string[]).includes(s);
}
