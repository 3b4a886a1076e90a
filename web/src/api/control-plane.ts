/**
 * @module web/api/control-plane
 * Control-plane resources from issue 5: organizations, members, invitations,
 * projects, databases, API keys and the audit log. List routes answer
 * `{ <plural>: [...] }`; {@link list} also accepts a bare array.
 */
import { api } from './http.ts';

export type OrgRole = 'owner' | 'admin' | 'member' | 'viewer';
export type KeyRole = 'read' | 'write' | 'admin';

export interface Org {
  id: string;
  name: string;
  slug?: string;
  role?: OrgRole;
}
export interface Project {
  id: string;
  name: string;
  orgId?: string;
}
export interface Member {
  userId: string;
  email: string;
  name?: string | null;
  role: OrgRole;
}
export interface Invitation {
  id: string;
  email: string;
  role: OrgRole;
  expiresAt?: string;
  createdAt?: string;
}
export interface Database {
  id: string;
  name: string;
  projectId: string;
  status: string;
  defaultShardCount: number;
  locationHint?: string | null;
  createdAt?: string;
}
export interface NewDatabase {
  name: string;
  /** A Durable Object location hint (see databases/regions.ts); omitted for automatic placement. */
  locationHint?: string;
  defaultShardCount: number;
}
export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  role: KeyRole;
  databaseId?: string | null;
  createdAt: string;
  lastUsedAt?: string | null;
  expiresAt?: string | null;
  revokedAt?: string | null;
}
export interface AuditEntry {
  id: string | number;
  createdAt: string;
  actorType: 'user' | 'api_key' | 'anonymous';
  actorId?: string | null;
  /** Some list routes join the actor's email in. */
  actorEmail?: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  outcome: 'success' | 'failure' | 'denied';
  ip?: string | null;
  userAgent?: string | null;
  detail?: Record<string, unknown> | null;
}
export interface AuditFilter {
  action?: string;
  actorId?: string;
  targetType?: string;
  outcome?: string;
  since?: string;
  until?: string;
}

const enc = encodeURIComponent;

async function list<T>(path: string, key: string, signal?: AbortSignal): Promise<T[]> {
  const body = await api<Record<string, T[]> | T[]>(path, { signal });
  return Array.isArray(body) ? body : (body[key] ?? []);
}

export const listOrgs = (signal?: AbortSignal) => list<Org>('/v1/orgs', 'orgs', signal);
export const createOrg = (name: string, slug: string) =>
  api<Org>('/v1/orgs', { method: 'POST', body: { name, slug } });
export const createProject = (org: string, name: string) =>
  api<Project>(`/v1/orgs/${enc(org)}/projects`, { method: 'POST', body: { name } });
export const listProjects = (org: string, signal?: AbortSignal) =>
  list<Project>(`/v1/orgs/${enc(org)}/projects`, 'projects', signal);

export const listMembers = (org: string, signal?: AbortSignal) =>
  list<Member>(`/v1/orgs/${enc(org)}/members`, 'members', signal);
export const updateMemberRole = (org: string, userId: string, role: OrgRole) =>
  api<void>(`/v1/orgs/${enc(org)}/members/${enc(userId)}`, { method: 'PATCH', body: { role } });
export const removeMember = (org: string, userId: string) =>
  api<void>(`/v1/orgs/${enc(org)}/members/${enc(userId)}`, { method: 'DELETE' });
export const listInvitations = (org: string, signal?: AbortSignal) =>
  list<Invitation>(`/v1/orgs/${enc(org)}/invitations`, 'invitations', signal);
export const createInvitation = (org: string, email: string, role: OrgRole) =>
  api<Invitation>(`/v1/orgs/${enc(org)}/invitations`, { method: 'POST', body: { email, role } });
/** Accepts an emailed invitation; the signed-in user's email must match it. */
export const acceptInvitation = (token: string) =>
  api<{ orgId: string; role: OrgRole }>('/v1/invitations/accept', { method: 'POST', body: { token } });
export const revokeInvitation = (org: string, id: string) =>
  api<void>(`/v1/orgs/${enc(org)}/invitations/${enc(id)}`, { method: 'DELETE' });

export const listDatabases = (project: string, signal?: AbortSignal) =>
  list<Database>(`/v1/projects/${enc(project)}/databases`, 'databases', signal);
export const getDatabase = (database: string, signal?: AbortSignal) =>
  api<Database>(`/v1/databases/${enc(database)}`, { signal });
export const createDatabase = (project: string, db: NewDatabase) =>
  api<Database>(`/v1/projects/${enc(project)}/databases`, { method: 'POST', body: db });
export const deleteDatabase = (database: string) =>
  api<void>(`/v1/databases/${enc(database)}`, { method: 'DELETE' });

export const listApiKeys = (project: string, signal?: AbortSignal) =>
  list<ApiKey>(`/v1/projects/${enc(project)}/api-keys`, 'apiKeys', signal);
/** The secret (`key`) comes back once, in this response only. */
export const createApiKey = (
  project: string,
  input: { name: string; role: KeyRole; databaseId?: string; expiresInSeconds?: number },
) => api<ApiKey & { key: string }>(`/v1/projects/${enc(project)}/api-keys`, { method: 'POST', body: input });
export const revokeApiKey = (project: string, id: string) =>
  api<void>(`/v1/projects/${enc(project)}/api-keys/${enc(id)}`, { method: 'DELETE' });

/** One page of the audit log; pass the previous page's `nextCursor` to continue. */
export function listAudit(org: string, filter: AuditFilter, cursor?: string, signal?: AbortSignal) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v) q.set(k, v);
  if (cursor) q.set('cursor', cursor);
  const qs = q.toString();
  return api<{ entries: AuditEntry[]; nextCursor?: string | null }>(
    `/v1/orgs/${enc(org)}/audit-log${qs ? `?${qs}` : ''}`,
    { signal },
  );
}
