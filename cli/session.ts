/**
 * @module cli/session
 * The signed-in user's session that `orochi login --browser` stored: a bearer
 * provider for the typed client that hands out the cached access token while
 * it is valid and otherwise rotates the refresh token through `POST
 * /v1/auth/refresh`, writing the new pair back at once (a rotated refresh
 * token is the only one that works next time). The control-plane commands
 * (`databases`, `keys`) need it; an API key cannot act for a user.
 */
import { unwrap } from '../client/api-error.ts';
import { type Bearer, cliClient } from './api.ts';
import {
  ConfigError,
  type ConfigFlags,
  readStoredConfig,
  type StoredSession,
  writeStoredConfig,
} from './config.ts';

/** Refresh this long before the access token expires, so a call never leaves with a dying one. */
const EXPIRY_MARGIN_MS = 30_000;

const LOGIN_HINT = 'run `orochi login --browser`';

/** The tokens of a bearer-mode sign-in or refresh. */
export interface SessionTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresIn: number;
  readonly user: { readonly email: string };
}

/** Stores a new session for `url` (mode 0600); returns the config file's path. */
export function storeSession(
  url: string,
  tokens: SessionTokens,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const stored = readStoredConfig(env);
  const session: StoredSession = {
    refreshToken: tokens.refreshToken,
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: Date.now() + tokens.expiresIn * 1000,
    email: tokens.user.email,
  };
  return writeStoredConfig({ ...stored, url, session }, env);
}

/** Forgets the stored session; with `apiKey`, the stored API key too (`logout` leaves no credential). */
export function forgetCredentials(env: NodeJS.ProcessEnv = process.env, apiKey = false): string {
  const { session: _session, ...rest } = readStoredConfig(env);
  return writeStoredConfig(apiKey ? { ...rest, apiKey: undefined } : rest, env);
}

/** The API URL and a bearer provider over the stored session; a clear error when there is none. */
export function requireSession(
  flags: ConfigFlags,
  command: string,
  env: NodeJS.ProcessEnv = process.env,
): { url: string; bearer: Bearer; email: string } {
  const stored = readStoredConfig(env);
  const url = (flags.url || env.OROCHI_URL || stored.url)?.replace(/\/+$/, '');
  if (!url) throw new ConfigError(`no API URL: ${LOGIN_HINT} or set OROCHI_URL`);
  // A session belongs to the API that issued it.
  const session = stored.url?.replace(/\/+$/, '') === url ? stored.session : undefined;
  if (!session) {
    const keyOnly = flags.apiKey || env.OROCHI_API_KEY || stored.apiKey;
    throw new ConfigError(
      keyOnly
        ? `\`orochi ${command}\` acts as a signed-in user and only an API key is configured: ${LOGIN_HINT}`
        : `not signed in to ${url}: ${LOGIN_HINT}`,
    );
  }
  return { url, bearer: sessionBearer(url, env), email: session.email };
}

/** Cached access token while it lives; a refresh when it does not or when the API refused it. */
export function sessionBearer(url: string, env: NodeJS.ProcessEnv = process.env): Bearer {
  return async (fresh) => {
    const session = readStoredConfig(env).session;
    if (!session) throw new ConfigError(`not signed in: ${LOGIN_HINT}`);
    if (!fresh && session.accessTokenExpiresAt - EXPIRY_MARGIN_MS > Date.now()) return session.accessToken;
    return (await refreshSession(url, session, env)).accessToken;
  };
}

/** Rotates the refresh token and stores the new pair; an ended session asks for a new sign-in. */
export async function refreshSession(
  url: string,
  session: StoredSession,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SessionTokens> {
  const anonymous = cliClient(url, async () => null);
  let answer: Awaited<ReturnType<typeof unwrapRefresh>>;
  try {
    answer = await unwrapRefresh(anonymous, session.refreshToken);
  } catch (e) {
    if ((e as { status?: number }).status === 401) {
      forgetCredentials(env);
      throw new ConfigError(`your session has ended (signed out or expired): ${LOGIN_HINT}`);
    }
    throw e;
  }
  if (!('accessToken' in answer)) throw new ConfigError('the API did not answer a bearer-mode refresh');
  storeSession(url, answer, env);
  return answer;
}

function unwrapRefresh(client: ReturnType<typeof cliClient>, refreshToken: string) {
  return unwrap(client.POST('/v1/auth/refresh', { body: { refreshToken } }));
}
