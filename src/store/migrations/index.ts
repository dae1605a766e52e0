import type { Migration } from 'kysely';
import type { Dialect } from '../db.ts';
import { init } from './0001_init.ts';
import { access } from './0002_access.ts';
import { hashlists } from './0003_hashlists.ts';
import { triage } from './0004_triage.ts';
import { linking } from './0005_linking.ts';

/** Every migration, in order. Written out rather than discovered, so the list is reviewable. */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_init': init(dialect),
    '0002_access': access(),
    '0003_hashlists': hashlists(),
    '0004_triage': triage(),
    '0005_linking': linking(),
  };
}
