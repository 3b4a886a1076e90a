/**
 * @module web/api/control-plane
 * Control-plane resources from issue 5: organizations, members, invitations,
 * projects, databases, API keys and the audit log, through the typed client;
 * the resource types are the API's own (client/openapi-types.ts).
 */
import type { paths, Schemas } from '../../../client/api-client.ts';
import { client, unwrap } from './http.ts';

export type OrgRole = Schemas['OrgRole'];
export type KeyRole = Schemas['KeyRole'];

export type Org = Schemas['Org'];
export type Project = Schemas['Project'];
export type Member = Schemas['Member'];
export type Invitation = Schemas['Invitation'];
export type Database = Schemas['Database'];
/** A database to create; `locationHint` is a Durable Object location hint (see databases/regions.ts). */
export type NewDatabase = NonNullable<
  paths['/v1/projects/{project}/databases']['post']['requestBody']
>['content']['application/json'];
export type ApiKey = Schemas['ApiKey'];
export type AuditEntry = Schemas['AuditEntry'];
export interface AuditFilter {
  action?: string;
  actorId?: string;
  targetType?: string;
  outcome?: string;
  since?: string;
  until?: string;
}

/** List answers are `{ <plural>: [...] }`. */
const signalOf = (signal?: AbortSignal) => (signal ? { signal } : {});

export const listOrgs = (signal?: AbortSignal) =>
  unwrap(client.GET('/v1/orgs', signalOf(signal))).then((r) => r.orgs);
export const createOrg = (name: string, slug: string) =>
  unwrap(client.POST('/v1/orgs', { body: { name, slug } }));
export const createProject = (org: string, name: string) =>
  unwrap(client.POST('/v1/orgs/{org}/projects', { params: { path: { org } }, body: { name } }));
export const listProjects = (org: string, signal?: AbortSignal) =>
  unwrap(client.GET('/v1/orgs/{org}/projects', { params: { path: { org } }, ...signalOf(signal) })).then(
    (r) => r.projects,
  );

export const listMembers = (org: string, signal?: AbortSignal) =>
  unwrap(client.GET('/v1/orgs/{org}/members', { params: { path: { org } }, ...signalOf(signal) })).then(
    (r) => r.members,
  );
export const updateMemberRole = (org: string, userId: string, role: OrgRole) =>
  unwrap(
    client.PATCH('/v1/orgs/{org}/members/{user}', {
      params: { path: { org, user: userId } },
      body: { role },
    }),
  );
export const removeMember = (org: string, userId: string) =>
  unwrap(client.DELETE('/v1/orgs/{org}/members/{user}', { params: { path: { org, user: userId } } }));
export const listInvitations = (org: string, signal?: AbortSignal) =>
  unwrap(client.GET('/v1/orgs/{org}/invitations', { params: { path: { org } }, ...signalOf(signal) })).then(
    (r) => r.invitations,
  );
export const createInvitation = (org: string, email: string, role: OrgRole) =>
  unwrap(client.POST('/v1/orgs/{org}/invitations', { params: { path: { org } }, body: { email, role } }));
/** Accepts an emailed invitation; the signed-in user's email must match it. */
export const acceptInvitation = (token: string) =>
  unwrap(client.POST('/v1/invitations/accept', { body: { token } }));
export const revokeInvitation = (org: string, id: string) =>
  unwrap(
    client.DELETE('/v1/orgs/{org}/invitations/{invitation}', { params: { path: { org, invitation: id } } }),
  );

export const listDatabases = (project: string, signal?: AbortSignal) =>
  unwrap(
    client.GET('/v1/projects/{project}/databases', { params: { path: { project } }, ...signalOf(signal) }),
  ).then((r) => r.databases);
export const getDatabase = (database: string, signal?: AbortSignal) =>
  unwrap(client.GET('/v1/databases/{database}', { params: { path: { database } }, ...signalOf(signal) }));
export const createDatabase = (project: string, db: NewDatabase) =>
  unwrap(client.POST('/v1/projects/{project}/databases', { params: { path: { project } }, body: db }));
export const deleteDatabase = (database: string) =>
  unwrap(client.DELETE('/v1/databases/{database}', { params: { path: { database } } }));

export const listApiKeys = (project: string, signal?: AbortSignal) =>
  unwrap(
    client.GET('/v1/projects/{project}/api-keys', { params: { path: { project } }, ...signalOf(signal) }),
  ).then((r) => r.apiKeys);
/** The secret (`key`) comes back once, in this response only. */
export const createApiKey = (
  project: string,
  input: { name: string; role: KeyRole; databaseId?: string; expiresInSeconds?: number },
) => unwrap(client.POST('/v1/projects/{project}/api-keys', { params: { path: { project } }, body: input }));
export const revokeApiKey = (project: string, id: string) =>
  unwrap(client.DELETE('/v1/projects/{project}/api-keys/{key}', { params: { path: { project, key: id } } }));

/** One page of the audit log; pass the previous page's `nextCursor` to continue. */
export function listAudit(org: string, filter: AuditFilter, cursor?: string, signal?: AbortSignal) {
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(filter)) if (v) query[k] = v;
  if (cursor) query.cursor = cursor;
  return unwrap(
    client.GET('/v1/orgs/{org}/audit-log', { params: { path: { org }, query }, ...signalOf(signal) }),
  );
}
