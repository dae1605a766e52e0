import { verifyAuditChain, type ChainVerdict } from '../store/audit.repo.ts';
import type { Database } from '../store/db.ts';

export interface AuditService {
  /** Recomputes the whole hash chain; the first broken link, if any, is the verdict. */
  verify(): Promise<ChainVerdict>;
}

export function createAuditService(deps: { readonly database: Database }): AuditService {
  return { verify: () => verifyAuditChain(deps.database.db) };
}
