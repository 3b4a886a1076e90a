/**
 * @module workers/control-plane/resources
 * The control-plane resources as the API answers them (OpenAPI response
 * schemas, registered as named components so the generated client has one
 * type per resource). Timestamps are ISO 8601 strings.
 */
import { z } from '@hono/zod-openapi';
import { API_KEY_ROLES, ORG_ROLES } from '../db/schema.ts';

const timestamp = z.string().openapi({ format: 'date-time' });
const id = z.string().openapi({ format: 'uuid' });

export const OrgRole = z.enum(ORG_ROLES).openapi('OrgRole');
export const KeyRole = z.enum(API_KEY_ROLES).openapi('KeyRole');

export const Org = z
  .object({ id, name: z.string(), slug: z.string(), createdAt: timestamp, role: OrgRole })
  .openapi('Org');

export const Project = z.object({ id, orgId: id, name: z.string(), createdAt: timestamp }).openapi('Project');

export const Database = z
  .object({
    id,
    projectId: id,
    name: z.string(),
    locationHint: z.string().nullable(),
    replicaCount: z.number().int(),
    defaultShardCount: z.number().int(),
    status: z.string(),
    createdAt: timestamp,
  })
  .openapi('Database');

export const ApiKey = z
  .object({
    id,
    name: z.string(),
    prefix: z.string().openapi({ description: 'The first characters of the key, to recognise it' }),
    projectId: id,
    databaseId: id.nullable(),
    role: KeyRole,
    createdBy: id.nullable(),
    createdAt: timestamp,
    lastUsedAt: timestamp.nullable(),
    expiresAt: timestamp.nullable(),
    revokedAt: timestamp.nullable(),
  })
  .openapi('ApiKey');

export const Member = z
  .object({
    userId: id,
    email: z.string(),
    displayName: z.string().nullable(),
    role: OrgRole,
    createdAt: timestamp,
  })
  .openapi('Member');

export const Invitation = z
  .object({
    id,
    orgId: id,
    email: z.string(),
    role: OrgRole,
    invitedBy: id.nullable(),
    createdAt: timestamp,
    expiresAt: timestamp,
    acceptedAt: timestamp.nullable(),
    revokedAt: timestamp.nullable(),
  })
  .openapi('Invitation');

export const AuditEntry = z
  .object({
    id: z.number().int(),
    orgId: id.nullable(),
    actorType: z.enum(['user', 'api_key', 'anonymous']),
    actorId: z.string().nullable(),
    action: z.string(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    outcome: z.enum(['success', 'failure', 'denied']),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
    createdAt: timestamp,
  })
  .openapi('AuditEntry');

/** Path parameters shared by the route files. */
export const OrgParam = z.object({ org: z.string().openapi({ description: 'Organization id' }) });
export const ProjectParam = z.object({ project: z.string().openapi({ description: 'Project id' }) });
