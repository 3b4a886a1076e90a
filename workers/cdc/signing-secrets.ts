/**
 * @module workers/cdc/signing-secrets
 * Changefeed signing secrets: Standard Webhooks `whsec_<base64 key>` secrets,
 * shown once at creation or rotation and stored only sealed (AES-GCM, the
 * changefeed id as additional data) under a key derived by HKDF from the
 * `OROCHI_CDC_KEY` Worker secret. HMAC signing needs the secret itself, so it
 * cannot be hashed like an API key. Secrets are never logged.
 */
import type { Changefeed, SealedSecret } from '../../durable-objects/changefeed-store.ts';
import { isLocalMode } from '../app-context.ts';
import { ApiError } from '../errors.ts';

/** Local mode only, when OROCHI_CDC_KEY is unset: a fixed key (local data is not secret). */
const LOCAL_KEY = 'orochi-local-changefeed-key';

const toB64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const fromB64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** A new secret: 32 random bytes. */
export function newSecret(): string {
  return `whsec_${toB64(crypto.getRandomValues(new Uint8Array(32)))}`;
}

/** The HMAC key bytes of a `whsec_` secret. */
export function secretKey(secret: string): Uint8Array {
  return fromB64(secret.startsWith('whsec_') ? secret.slice(6) : secret);
}

async function sealingKey(env: Env): Promise<CryptoKey> {
  const material = env.OROCHI_CDC_KEY || (isLocalMode(env) ? LOCAL_KEY : undefined);
  if (!material)
    throw new ApiError(
      503,
      '55000',
      'changefeeds are not configured: the OROCHI_CDC_KEY secret that encrypts signing secrets is not set',
    );
  const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(material), 'HKDF', false, [
    'deriveKey',
  ]);
  return crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new Uint8Array(0),
      info: new TextEncoder().encode('orochi changefeed signing secrets v1'),
    },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** Seals `secret` for changefeed `feedId`. */
export async function sealSecret(
  env: Env,
  feedId: string,
  secret: string,
  now: number,
): Promise<SealedSecret> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(feedId) },
      await sealingKey(env),
      new TextEncoder().encode(secret),
    ),
  );
  const out = new Uint8Array(iv.length + data.length);
  out.set(iv);
  out.set(data, iv.length);
  return { enc: toB64(out), createdAt: now };
}

/** The secrets that sign now: the newest, and older ones whose overlap has not ended. */
export async function signingSecrets(env: Env, feed: Changefeed, now: number): Promise<string[]> {
  const key = await sealingKey(env);
  const live = feed.secrets.filter((s) => s.expiresAt === undefined || s.expiresAt > now);
  return Promise.all(
    live.map(async (s) => {
      const raw = fromB64(s.enc);
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: raw.slice(0, 12), additionalData: new TextEncoder().encode(feed.id) },
        key,
        raw.slice(12),
      );
      return new TextDecoder().decode(plain);
    }),
  );
}

/** Standard Webhooks `webhook-signature`: `v1,<base64 HMAC-SHA256(id.timestamp.body)>` per secret, space-separated. */
export async function signatureHeader(
  secrets: readonly string[],
  id: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const message = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  const sigs = await Promise.all(
    secrets.map(async (s) => {
      const key = await crypto.subtle.importKey(
        'raw',
        secretKey(s),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      );
      return `v1,${toB64(new Uint8Array(await crypto.subtle.sign('HMAC', key, message)))}`;
    }),
  );
  return sigs.join(' ');
}
