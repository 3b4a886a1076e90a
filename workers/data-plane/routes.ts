/**
 * @module workers/data-plane/routes
 * Every data-plane route. Authentication is mounted by `workers/app.ts`
 * (`/v1/databases/*` and `/api/v2/*`); handlers read `principal`.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../app-context.ts';
import { auditAdminCalls } from './authorize.ts';
import { ingestRoutes } from './ingest-routes.ts';
import { sqlRoutes } from './sql-routes.ts';

export const dataPlaneRoutes = new Hono<AppEnv>()
  // DDL and management calls are audited with their outcome (refusals are audited where refused).
  .use('/v1/databases/:database/sql', auditAdminCalls())
  .route('/', sqlRoutes)
  .route('/', ingestRoutes);
