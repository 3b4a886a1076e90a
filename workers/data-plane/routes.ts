/**
 * @module workers/data-plane/routes
 * Every data-plane route. Authentication is mounted by `workers/app.ts`
 * (`/v1/databases/*` and `/api/v2/*`); handlers read `principal`.
 */
import type { AppEnv } from '../app-context.ts';
import { apiRouter } from '../openapi/api-router.ts';
import { auditAdminCalls } from './authorize.ts';
import { holdIdempotencyKeys } from './idempotency.ts';
import { ingestRoutes } from './ingest-routes.ts';
import { sqlRoutes } from './sql-routes.ts';

export const dataPlaneRoutes = apiRouter<AppEnv>()
  // DDL and management calls are audited with their outcome (refusals are audited where refused).
  .use('/v1/databases/:database/sql', auditAdminCalls())
  // Writes hold their Idempotency-Key until answered: a retry meanwhile waits for them.
  .use('/v1/databases/:database/sql', holdIdempotencyKeys())
  .use('/v1/databases/:database/tables/:table/rows', holdIdempotencyKeys())
  .use('/api/v2/write', holdIdempotencyKeys())
  .route('/', sqlRoutes)
  .route('/', ingestRoutes);
