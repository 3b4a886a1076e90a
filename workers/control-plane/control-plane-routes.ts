/**
 * @module workers/control-plane/control-plane-routes
 * Every session-authenticated control-plane route, behind `requireUser()` and
 * the denial auditor. `/v1/databases/{database}` PATCH/DELETE is mounted
 * separately (databaseAdminRoutes) behind the data-plane auth middleware.
 */
import type { AuthEnv } from '../auth/auth-context.ts';
import { requireUser } from '../auth/session-middleware.ts';
import { apiRouter } from '../openapi/api-router.ts';
import { apiKeyRoutes } from './api-key-routes.ts';
import { auditDenials } from './audit-actor.ts';
import { auditLogRoutes } from './audit-log-routes.ts';
import { projectDatabasesRoutes } from './databases-routes.ts';
import { invitationsRoutes } from './invitations-routes.ts';
import { membersRoutes } from './members-routes.ts';
import { orgsRoutes } from './orgs-routes.ts';
import { projectsRoutes } from './projects-routes.ts';

export { databaseAdminRoutes } from './databases-routes.ts';

const guarded = ['/v1/orgs/*', '/v1/projects/*', '/v1/invitations/*'];

export const controlPlaneRoutes = apiRouter<AuthEnv>();
for (const path of guarded) controlPlaneRoutes.use(path, requireUser(), auditDenials());
controlPlaneRoutes
  .route('/', orgsRoutes)
  .route('/', projectsRoutes)
  .route('/', projectDatabasesRoutes)
  .route('/', apiKeyRoutes)
  .route('/', membersRoutes)
  .route('/', invitationsRoutes)
  .route('/', auditLogRoutes);
