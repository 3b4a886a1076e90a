/**
 * @module workers/auth/api-key-verifier
 * The seam between the data plane and identity: a verifier turns a bearer
 * secret into a principal. Local mode ships a verifier for the single
 * `OROCHI_DEV_API_KEY`; the identity service supplies the real one.
 */
import type { ApiPrincipal } from '../app-context.ts';
import { isLocalMode } from '../app-context.ts';
import { secretsEqual } from './constant-time.ts';
import { DEV_PROJECT_ID } from './dev-ids.ts';

/** Verifies an API key secret; resolves to null when it is not valid. */
export interface ApiKeyVerifier {
  verify(secret: string): Promise<ApiPrincipal | null>;
}

/** Accepts exactly `OROCHI_DEV_API_KEY`, and only in local mode. */
export class DevKeyVerifier implements ApiKeyVerifier {
  constructor(private readonly env: Env) {}

  async verify(secret: string): Promise<ApiPrincipal | null> {
    const devKey = this.env.OROCHI_DEV_API_KEY;
    if (!isLocalMode(this.env) || !devKey) return null;
    if (!(await secretsEqual(secret, devKey))) return null;
    return { keyId: 'dev', projectId: DEV_PROJECT_ID, role: 'admin' };
  }
}
