/**
 * @module workers/app-context
 * The one Hono context type every route shares.
 */
import type { Context } from 'hono';
import type { KeyHolds } from './data-plane/idempotency.ts';

/** Request-scoped variables set by middleware. */
export interface AppVariables {
  /** Set by the API-key middleware on data-plane routes. */
  principal?: ApiPrincipal;
  /** Set on the write routes: the Idempotency-Keys the request holds (see data-plane/idempotency). */
  keyHolds?: KeyHolds;
}

/** Who a data-plane request acts as, after its API key was verified. */
export interface ApiPrincipal {
  readonly keyId: string;
  readonly projectId: string;
  /** When the key is scoped to one database. */
  readonly databaseId?: string;
  readonly role: 'read' | 'write' | 'admin';
}

export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}

export type AppContext = Context<AppEnv>;

/** True only when started by `npm start` or the test pool; production never sets it. */
export function isLocalMode(env: Env): boolean {
  return (env.ENVIRONMENT as string) === 'local';
}
