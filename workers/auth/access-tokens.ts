/**
 * @module workers/auth/access-tokens
 * Short-lived JWT access tokens. Claims: `iss` (JWT_ISSUER), `aud`
 * (`orochi-edge`), `sub` (user id), `sid` (session id), `email`, `iat`, `exp`;
 * header `alg: ES256`, `typ: at+jwt`, `kid`. Verification pins the algorithm,
 * issuer, audience and type, and picks the key by `kid` from the ring (an
 * unknown kid fails).
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import { ApiError } from '../errors.ts';
import { JWT_ALG, keyRing } from './jwt-keys.ts';

/** Access-token lifetime. Short, because logout and reuse detection act on sessions, not on tokens. */
export const ACCESS_TOKEN_TTL_SECONDS = 600;
export const JWT_AUDIENCE = 'orochi-edge';
const TOKEN_TYPE = 'at+jwt';

export interface AccessClaims {
  readonly userId: string;
  readonly sessionId: string;
  readonly email: string;
}

/** Signs an access token with the newest key. */
export async function issueAccessToken(env: Env, claims: AccessClaims): Promise<string> {
  const ring = await keyRing(env);
  return new SignJWT({ sid: claims.sessionId, email: claims.email })
    .setProtectedHeader({ alg: JWT_ALG, kid: ring.signingKid, typ: TOKEN_TYPE })
    .setIssuer(env.JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setSubject(claims.userId)
    .setIssuedAt()
    .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
    .sign(ring.signingKey);
}

/** Verifies an access token; any failure is a 401 whose message never echoes the token. */
export async function verifyAccessToken(env: Env, token: string): Promise<AccessClaims> {
  const ring = await keyRing(env);
  try {
    const { payload } = await jwtVerify(token, ring.verifyKey, {
      algorithms: [JWT_ALG],
      issuer: env.JWT_ISSUER,
      audience: JWT_AUDIENCE,
      typ: TOKEN_TYPE,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    if (
      typeof payload.sid !== 'string' ||
      typeof payload.sub !== 'string' ||
      typeof payload.email !== 'string'
    ) {
      throw new ApiError(401, 'invalid_token', 'access token is missing claims');
    }
    return { userId: payload.sub, sessionId: payload.sid, email: payload.email };
  } catch (e) {
    if (e instanceof ApiError) throw e;
    const expired = e instanceof errors.JWTExpired;
    throw new ApiError(
      401,
      expired ? 'token_expired' : 'invalid_token',
      expired ? 'access token expired' : 'invalid access token',
    );
  }
}

/** True when a bearer credential is shaped like a JWT (three base64url segments) rather than an API key. */
export function looksLikeJwt(credential: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(credential);
}
