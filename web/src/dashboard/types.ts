/** The dashboard's answer, as the server's own type (GET /api/v1/dashboard). */
export type { DashboardView } from '../../../src/referrals/dashboard.service.ts';
