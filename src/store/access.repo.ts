import type { Kysely } from 'kysely';
import type { Tables } from './schema.ts';

export type UserRow = Tables['users'];
export type ApiKeyRow = Tables['api_keys'];

export function findUserByEmail(db: Kysely<Tables>, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

export function listUsers(db: Kysely<Tables>, orgIds?: readonly string[]): Promise<UserRow[]> {
  let q = db.selectFrom('users').selectAll().orderBy('email');
  if (orgIds) q = q.where('org_id', 'in', orgIds.length ? orgIds : ['']);
  return q.execute();
}

export async function insertUser(db: Kysely<Tables>, row: UserRow): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

export async function updateUser(
  db: Kysely<Tables>,
  id: string,
  set: Partial<Omit<UserRow, 'id'>>,
): Promise<void> {
  await db.updateTable('users').set(set).where('id', '=', id).execute();
}

/** The session and its user, in one read; the caller checks expiry, revocation and the user's state. */
export function findSession(db: Kysely<Tables>, id: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id as sessionId',
      'sessions.expires_at as expiresAt',
      'sessions.revoked_at as revokedAt',
      'users.id as userId',
      'users.email as email',
      'users.org_id as orgId',
      'users.role as role',
      'users.disabled_at as disabledAt',
    ])
    .where('sessions.id', '=', id)
    .executeTakeFirst();
}

export async function insertSession(db: Kysely<Tables>, row: Tables['sessions']): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export async function revokeSessions(
  db: Kysely<Tables>,
  where: { readonly id: string } | { readonly userId: string },
  at: string,
): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ revoked_at: at })
    .where('id' in where ? 'id' : 'user_id', '=', 'id' in where ? where.id : where.userId)
    .where('revoked_at', 'is', null)
    .execute();
}

export function findApiKey(db: Kysely<Tables>, id: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listApiKeys(db: Kysely<Tables>, orgIds?: readonly string[]): Promise<ApiKeyRow[]> {
  let q = db.selectFrom('api_keys').selectAll().orderBy('created_at');
  if (orgIds) q = q.where('org_id', 'in', orgIds.length ? orgIds : ['']);
  return q.execute();
}

export async function insertApiKey(db: Kysely<Tables>, row: ApiKeyRow): Promise<void> {
  await db.insertInto('api_keys').values(row).execute();
}

export async function revokeApiKey(db: Kysely<Tables>, id: string, at: string): Promise<void> {
  await db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).execute();
}
