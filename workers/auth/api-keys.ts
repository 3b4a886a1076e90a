/**
 * @module workers/auth/api-keys
 * API-key format and storage. A key reads `oro_<prefix>_<secret>`: the
 * 12-hex-digit prefix is stored in the clear (it finds the row and is shown in
 * listings), the whole key only as a SHA-256 hash. The key itself is shown
 * once, at creation.
 */
import type { ControlPlaneDb } from '../db/client.ts';
import { type ApiKeyRole, apiKeys } from '../db/schema.ts';
import { hashSecret, randomToken } from './token-hash.ts';

const KEY_FORMAT = /^oro_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** The visible prefix of a well-formed key, or null when the string is not one of ours. */
export function parseApiKey(secret: string): { prefix: string } | null {
  const m = KEY_FORMAT.exec(secret);
  return m ? { prefix: m[1] } : null;
}

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
}

export interface NewApiKey {
  projectId: string;
  databaseId?: string | null;
  name: string;
  role: ApiKeyRole;
  createdBy: string | null;
  expiresAt?: Date | null;
}

/** Creates a key; the returned `secret` is the only time the full key exists outside the client. */
export async function createApiKey(db: ControlPlaneDb, input: NewApiKey) {
  const prefix = randomHex(6);
  const secret = `oro_${prefix}_${randomToken(32)}`;
  const [row] = await db
    .insert(apiKeys)
    .values({
      projectId: input.projectId,
      databaseId: input.databaseId ?? null,
      name: input.name,
      role: input.role,
      createdBy: input.createdBy,
      expiresAt: input.expiresAt ?? null,
      prefix,
      secretHash: await hashSecret(secret),
    })
    .returning();
  return { row, secret };
}

/** The public view of a key row (never the hash). */
export function publicApiKey(row: typeof apiKeys.$inferSelect) {
  return {
    id: row.id,
    name: row.name,
    prefix: `oro_${row.prefix}`,
    projectId: row.projectId,
    databaseId: row.databaseId,
    role: row.role,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
  };
}
