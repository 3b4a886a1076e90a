/**
 * @module cli/device-login
 * `orochi login --browser` and `orochi logout`. Login runs the device
 * authorization grant (RFC 8628): it asks the API for a code pair, prints the
 * page and the code for the user to confirm in a signed-in browser (it opens
 * nothing itself, so it behaves the same over SSH and in CI), polls at the
 * interval the API asks for (longer after a `slow_down`) and stores the
 * session it receives (cli/session.ts). Logout ends the session on the server
 * and forgets the stored credentials.
 */
import { hostname } from 'node:os';
import { ApiError, unwrap } from '../client/api-error.ts';
import { cliClient } from './api.ts';
import { ConfigError, type ConfigFlags, readStoredConfig } from './config.ts';
import { forgetCredentials, sessionBearer, storeSession } from './session.ts';

/** The grant type of a device token request (RFC 8628 §3.4). */
const DEVICE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

/** Seams for tests: where messages go and how the CLI waits. */
export interface DeviceLoginIo {
  print(line: string): void;
  sleep(ms: number): Promise<void>;
}

const defaultIo: DeviceLoginIo = {
  print: (line) => console.error(line),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/** Signs in through the browser; returns the line to print. */
export async function loginWithBrowser(flags: ConfigFlags, io: DeviceLoginIo = defaultIo): Promise<string> {
  const stored = readStoredConfig();
  const url = (flags.url || process.env.OROCHI_URL || stored.url)?.replace(/\/+$/, '');
  if (!url) throw new ConfigError('no API URL: pass --url or set OROCHI_URL');
  const client = cliClient(url, async () => null);
  const codes = await unwrap(
    client.POST('/v1/auth/device', { body: { client_name: `orochi CLI on ${hostname()}`.slice(0, 100) } }),
  );
  io.print(`To sign in, open ${codes.verification_uri_complete}`);
  io.print(`and check that it shows the code ${codes.user_code} (or enter it at ${codes.verification_uri}).`);
  io.print(`Waiting for approval (the code expires in ${Math.round(codes.expires_in / 60)} minutes)…`);
  let interval = codes.interval;
  const deadline = Date.now() + codes.expires_in * 1000;
  while (Date.now() < deadline) {
    await io.sleep(interval * 1000);
    let answer: Awaited<ReturnType<typeof poll>>;
    try {
      answer = await poll(client, codes.device_code);
    } catch (e) {
      if (e instanceof ApiError && e.retryable) continue; // the network: try again at the next interval
      throw e;
    }
    const { data, error, response } = answer;
    if (response.ok && data) {
      const path = storeSession(url, data);
      return `logged in to ${url} as ${data.user.email}; session saved to ${path}`;
    }
    const code = (error as { error?: { code?: string } } | undefined)?.error?.code;
    if (code === 'authorization_pending') continue;
    if (code === 'slow_down') {
      interval += 5;
      continue;
    }
    if (code === 'access_denied') throw new ConfigError('the sign-in was denied in the browser');
    if (code === 'expired_token')
      throw new ConfigError('the code expired before it was approved; run it again');
    if (response.status >= 500 || response.status === 429) continue;
    throw new ApiError(response.status, code ?? `http_${response.status}`, 'device sign-in failed');
  }
  throw new ConfigError('the code expired before it was approved; run `orochi login --browser` again');
}

function poll(client: ReturnType<typeof cliClient>, deviceCode: string) {
  return client.POST('/v1/auth/device/token', {
    body: { grant_type: DEVICE_GRANT_TYPE, device_code: deviceCode },
  });
}

/** Ends the stored session on the server (when there is one) and forgets the stored credentials. */
export async function logout(flags: ConfigFlags): Promise<string> {
  const stored = readStoredConfig();
  const url = (flags.url || process.env.OROCHI_URL || stored.url)?.replace(/\/+$/, '');
  let ended = '';
  if (stored.session && url && stored.url?.replace(/\/+$/, '') === url) {
    try {
      await unwrap(cliClient(url, sessionBearer(url)).POST('/v1/auth/logout', {}));
      ended = ` and ended the session of ${stored.session.email}`;
    } catch (e) {
      // Already ended (revoked elsewhere, expired): forgetting it locally is all that is left.
      if (!(e instanceof ConfigError) && (e as ApiError).status !== 401) throw e;
    }
  }
  const path = forgetCredentials(process.env, true);
  return `logged out${ended}; credentials removed from ${path}`;
}
