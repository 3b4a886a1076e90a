/**
 * Shared helpers for the auth and control-plane workerd tests: sign in
 * through the real magic-link flow (dev outbox), call the API with a bearer
 * token, and build orgs/projects/databases.
 */
import { SELF } from 'cloudflare:test';

export const BASE = 'https://orochi.test';

// Test files share one Postgres (and its rate-limit counters) but not this module, so each
// module instance draws its own random /16 to keep per-IP limits from colliding across files.
const ipPrefix = `10.${crypto.getRandomValues(new Uint8Array(1))[0]}`;
let ipCounter = 0;
/** A fresh client IP per caller, so per-IP rate limits of one test never leak into another. */
export function freshIp(): string {
  ipCounter++;
  return `${ipPrefix}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

export function uniqueEmail(tag = 'user'): string {
  return `${tag}-${crypto.randomUUID().slice(0, 8)}@example.com`;
}

export interface CallOptions {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  ip?: string;
}

/** Calls the Worker; JSON body in, parsed JSON (or null) out. */
export async function call(path: string, opts: CallOptions = {}) {
  const headers: Record<string, string> = { 'cf-connecting-ip': opts.ip ?? '192.0.2.1', ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await SELF.fetch(`${BASE}${path}`, {
    method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'),
    headers,
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: test convenience
  const json: any = text ? JSON.parse(text) : null;
  return { status: res.status, json, headers: res.headers };
}

/** The newest magic-link token mailed to `email` (from the local dev outbox). */
export async function latestMagicToken(email: string): Promise<string> {
  const { json } = await call(`/v1/dev/outbox?to=${encodeURIComponent(email)}`);
  const text: string = json.emails[0]?.text ?? '';
  const m = /token=([A-Za-z0-9_%-]+)/.exec(text);
  if (!m) throw new Error(`no magic link for ${email}`);
  return decodeURIComponent(m[1]);
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string };
}

/** Signs in by magic link in bearer mode. */
export async function signIn(email = uniqueEmail()): Promise<Session> {
  const ip = freshIp();
  const req = await call('/v1/auth/magic-link', { body: { email }, ip });
  if (req.status !== 202) throw new Error(`magic-link request failed: ${req.status}`);
  const token = await latestMagicToken(email);
  const res = await call('/v1/auth/magic-link/verify', { body: { token, mode: 'bearer' }, ip });
  if (res.status !== 200) throw new Error(`verify failed: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json as Session;
}

/** An org owned by `owner`, with one project and one database. */
export async function tenant(owner: Session, tag = 'org') {
  const slug = `${tag}-${crypto.randomUUID().slice(0, 8)}`;
  const org = await call('/v1/orgs', { token: owner.accessToken, body: { name: tag, slug } });
  if (org.status !== 201) throw new Error(`org: ${org.status} ${JSON.stringify(org.json)}`);
  const project = await call(`/v1/orgs/${org.json.id}/projects`, {
    token: owner.accessToken,
    body: { name: 'app' },
  });
  if (project.status !== 201) throw new Error(`project: ${project.status}`);
  const database = await call(`/v1/projects/${project.json.id}/databases`, {
    token: owner.accessToken,
    body: { name: 'main' },
  });
  if (database.status !== 201)
    throw new Error(`database: ${database.status} ${JSON.stringify(database.json)}`);
  return { org: org.json, project: project.json, database: database.json };
}

/** The newest invitation token mailed to `email`. */
export async function latestInviteToken(email: string): Promise<string> {
  const { json } = await call(`/v1/dev/outbox?to=${encodeURIComponent(email)}`);
  const mail = json.emails.find((e: { subject: string }) => e.subject.includes('invited'));
  const m = /invite\?token=([A-Za-z0-9_%-]+)/.exec(mail?.text ?? '');
  if (!m) throw new Error(`no invitation for ${email}`);
  return decodeURIComponent(m[1]);
}

/** A new user who joined `orgId` with `role` through the real invitation flow. */
export async function memberWithRole(owner: Session, orgId: string, role: string): Promise<Session> {
  const email = uniqueEmail(role);
  const inv = await call(`/v1/orgs/${orgId}/invitations`, {
    token: owner.accessToken,
    body: { email, role },
  });
  if (inv.status !== 201) throw new Error(`invite: ${inv.status} ${JSON.stringify(inv.json)}`);
  const s = await signIn(email);
  const accepted = await call('/v1/invitations/accept', {
    token: s.accessToken,
    body: { token: await latestInviteToken(email) },
  });
  if (accepted.status !== 200) throw new Error(`accept: ${accepted.status}`);
  return s;
}
