/**
 * @module workers/control-plane/roles
 * Organization role checks. Outsiders get 404 (an org, project or database
 * they cannot see does not exist for them); members below the required role
 * get 403.
 *
 * | action                                   | minimum role |
 * |------------------------------------------|--------------|
 * | read org, members, projects, databases   | viewer       |
 * | create/update databases                  | member       |
 * | projects, API keys, invitations, members, delete databases, audit log | admin |
 * | delete org, grant or revoke `owner`       | owner        |
 */
import { and, eq } from 'drizzle-orm';
import type { ControlPlaneDb } from '../db/client.ts';
import { databases, memberships, type OrgRole, projects } from '../db/schema.ts';
import { ApiError } from '../errors.ts';

const RANK: Record<OrgRole, number> = { viewer: 1, member: 2, admin: 3, owner: 4 };

/** True when `role` is at least `min`. */
export function atLeast(role: OrgRole, min: OrgRole): boolean {
  return RANK[role] >= RANK[min];
}

/** The data-plane role an org role grants when a user session reaches a database. */
export function dataPlaneRole(role: OrgRole): 'read' | 'write' | 'admin' {
  return role === 'viewer' ? 'read' : role === 'member' ? 'write' : 'admin';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a syntactically valid UUID (anything else cannot name a row, so it is a 404 early). */
export function isUuid(s: string): boolean {
  return UUID.test(s);
}

/** The caller's role in an org; 404 when not a member, 403 when below `min`. */
export async function requireOrgRole(
  db: ControlPlaneDb,
  userId: string,
  orgId: string,
  min: OrgRole,
): Promise<OrgRole> {
  if (!isUuid(orgId)) throw new ApiError(404, 'not_found', 'organization not found');
  const [m] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  if (!m) throw new ApiError(404, 'not_found', 'organization not found');
  if (!atLeast(m.role, min)) throw new ApiError(403, 'forbidden', `requires the ${min} role or higher`);
  return m.role;
}

/** A project and the caller's role in its org (same 404/403 rules). */
export async function requireProjectRole(
  db: ControlPlaneDb,
  userId: string,
  projectId: string,
  min: OrgRole,
) {
  if (!isUuid(projectId)) throw new ApiError(404, 'not_found', 'project not found');
  const [row] = await db
    .select({ project: projects, role: memberships.role })
    .from(projects)
    .innerJoin(memberships, and(eq(memberships.orgId, projects.orgId), eq(memberships.userId, userId)))
    .where(eq(projects.id, projectId));
  if (!row) throw new ApiError(404, 'not_found', 'project not found');
  if (!atLeast(row.role, min)) throw new ApiError(403, 'forbidden', `requires the ${min} role or higher`);
  return row;
}

/** A database (by id), its project's org, and the caller's role (same 404/403 rules). */
export async function requireDatabaseRole(
  db: ControlPlaneDb,
  userId: string,
  databaseId: string,
  min: OrgRole,
) {
  if (!isUuid(databaseId)) throw new ApiError(404, '3D000', 'database not found');
  const [row] = await db
    .select({ database: databases, orgId: projects.orgId, role: memberships.role })
    .from(databases)
    .innerJoin(projects, eq(projects.id, databases.projectId))
    .innerJoin(memberships, and(eq(memberships.orgId, projects.orgId), eq(memberships.userId, userId)))
    .where(eq(databases.id, databaseId));
  if (!row) throw new ApiError(404, '3D000', 'database not found');
  if (!atLeast(row.role, min)) throw new ApiError(403, 'forbidden', `requires the ${min} role or higher`);
  return row;
}
