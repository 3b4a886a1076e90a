/**
 * @module workers/auth/token-hash
 * Random bearer secrets and their stored form. Every secret we hand out
 * (magic links, refresh tokens, API keys, invitations) is stored only as a
 * SHA-256 hash: the secrets are 256-bit random, so a slow KDF adds nothing,
 * and a database leak yields nothing usable.
 */

const encoder = new TextEncoder();

/** Base64url without padding. */
export function base64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A fresh random secret of `bytes` bytes, base64url-encoded. */
export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** SHA-256 of a secret as lower-case hex: the only form a secret is stored in. */
export async function hashSecret(secret: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(secret)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
