/**
 * @module workers/data-plane/routes
 * Every data-plane route. Authentication is mounted by `workers/app.ts`
 * (`/v1/databases/*` and `/api/v2/*`); handlers read `principal`.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../app-context.ts';
import { ingestRoutes } from './ingest-routes.ts';
import { sqlRoutes } from './sql-routes.ts';

export const dataPlaneRoutes = new Hono<AppEnv>().route('/', sqlRoutes).route('/', ingestRoutes);
