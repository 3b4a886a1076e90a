/**
 * @module workers/auth/jwt-keys
 * The JWT signing key ring. Production reads `JWT_SIGNING_KEYS`, a JWK set of
 * ES256 private keys, each with a `kid`. Every key in the set verifies; the
 * LAST one signs. Rotation without signing anyone out: append a new key
 * (tokens signed by the old one keep verifying), deploy, and drop the old key
 * once the access-token lifetime has passed.
 *
 * Local mode without `JWT_SIGNING_KEYS`: one keypair is generated and kept in
 * the control-plane table `local_jwt_keys`, so sessions survive restarts.
 * Production never does this: a missing secret is a 503.
 */
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { isLocalMode } from '../app-context.ts';
import { withControlPlane } from '../db/client.ts';
import { localJwtKeys } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { randomToken } from './token-hash.ts';

/** The one signature algorithm accepted; anything else (none, HS256, RS256) is rejected. */
export const JWT_ALG = 'ES256';

export interface KeyRing {
  readonly signingKid: string;
  readonly signingKey: CryptoKey;
  /** Public halves of every key, as served at /.well-known/jwks.json. */
  readonly jwks: { keys: JWK[] };
  readonly verifyKey: JWTVerifyGetKey;
}

let cached: { source: string; ring: Promise<KeyRing> } | undefined;

function publicHalf(jwk: JWK): JWK {
  const { kty, crv, x, y, kid } = jwk;
  return { kty, crv, x, y, kid, alg: JWT_ALG, use: 'sig' };
}

async function buildRing(privateJwks: JWK[]): Promise<KeyRing> {
  if (privateJwks.length === 0) throw new ApiError(503, 'jwt_keys_unconfigured', 'no JWT signing keys');
  for (const k of privateJwks) {
    if (!k.kid || k.kty !== 'EC' || k.crv !== 'P-256' || !k.d) {
      throw new ApiError(503, 'jwt_keys_invalid', 'JWT_SIGNING_KEYS must hold ES256 private JWKs with a kid');
    }
  }
  const newest = privateJwks[privateJwks.length - 1];
  const signingKey = (await importJWK({ ...newest, alg: JWT_ALG }, JWT_ALG)) as CryptoKey;
  const jwks = { keys: privateJwks.map(publicHalf) };
  return { signingKid: newest.kid!, signingKey, jwks, verifyKey: createLocalJWKSet(jwks) };
}

function parseSecret(raw: string): JWK[] {
  try {
    const parsed = JSON.parse(raw) as { keys?: JWK[] };
    if (!Array.isArray(parsed.keys)) throw new Error('no keys array');
    return parsed.keys;
  } catch {
    throw new ApiError(503, 'jwt_keys_invalid', 'JWT_SIGNING_KEYS is not a JWK set');
  }
}

async function loadLocalKey(env: Env): Promise<JWK[]> {
  return withControlPlane(env, async (db) => {
    const existing = await db.select().from(localJwtKeys).orderBy(localJwtKeys.createdAt);
    if (existing.length > 0) return existing.map((r) => r.privateJwk as JWK);
    const jwk = await generateSigningJwk();
    await db.insert(localJwtKeys).values({ kid: jwk.kid!, privateJwk: jwk }).onConflictDoNothing();
    // Another isolate may have raced us; whatever is stored wins.
    const rows = await db.select().from(localJwtKeys).orderBy(localJwtKeys.createdAt);
    return rows.map((r) => r.privateJwk as JWK);
  });
}

/** A new ES256 private JWK with a random kid (also used by tests and for rotation). */
export async function generateSigningJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(JWT_ALG, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: randomToken(9), alg: JWT_ALG };
}

/** The key ring for this environment, cached per isolate per key source. */
export function keyRing(env: Env): Promise<KeyRing> {
  const secret = env.JWT_SIGNING_KEYS;
  let source: string;
  if (secret) source = `secret:${secret}`;
  else if (isLocalMode(env)) source = `local:${env.DATABASE_URL ?? ''}`;
  else return Promise.reject(new ApiError(503, 'jwt_keys_unconfigured', 'JWT_SIGNING_KEYS is not set'));
  if (cached?.source !== source) {
    const ring = secret ? buildRing(parseSecret(secret)) : loadLocalKey(env).then(buildRing);
    // A failed load must not stick in the cache.
    ring.catch(() => {
      if (cached?.ring === ring) cached = undefined;
    });
    cached = { source, ring };
  }
  return cached.ring;
}
