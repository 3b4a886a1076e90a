/**
 * @module workers/auth/api-key-middleware
 * Bearer API-key authentication for data-plane routes.
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-context.ts';
import { ApiError } from '../errors.ts';
import type { ApiKeyVerifier } from './api-key-verifier.ts';

/** Reads `Authorization: Bearer <key>` (or `Token <key>` for InfluxDB clients) and sets `principal`. */
export function requireApiKey(makeVerifier: (env: Env) => ApiKeyVerifier) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^(?:Bearer|Token)\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError(401, 'unauthenticated', 'missing API key (Authorization: Bearer <key>)');
    const principal = await makeVerifier(c.env).verify(match[1]);
    if (!principal) throw new ApiError(401, 'unauthenticated', 'invalid API key');
    c.set('principal', principal);
    await next();
  });
}
