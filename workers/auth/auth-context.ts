/**
 * @module workers/auth/auth-context
 * Context types for routes authenticated by a user session (JWT bearer or
 * cookie), on top of the shared AppEnv.
 */
import type { Context } from 'hono';
import type { AppVariables } from '../app-context.ts';

/** Who a control-plane request acts as, after its access token was verified. */
export interface SessionUser {
  readonly userId: string;
  readonly email: string;
  readonly sessionId: string;
  /** Cookie-authenticated requests need a CSRF token on state-changing methods. */
  readonly via: 'bearer' | 'cookie';
}

export interface AuthVariables extends AppVariables {
  user?: SessionUser;
}

export interface AuthEnv {
  Bindings: Env;
  Variables: AuthVariables;
}

export type AuthContext = Context<AuthEnv>;

/** Client address and agent for audit entries. `cf-connecting-ip` is set by Cloudflare's edge. */
export function requestMeta(c: Context): { ip: string | null; userAgent: string | null } {
  return {
    ip: c.req.header('cf-connecting-ip') ?? null,
    userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
  };
}

/** The session user; throws 401 when middleware did not set one (a wiring bug otherwise). */
export function sessionUser(c: AuthContext): SessionUser {
  const user = c.get('user');
  if (!user) throw new Error('route is missing requireUser()');
  return user;
}
