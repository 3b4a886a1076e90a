/**
 * @module workers/auth/constant-time
 * Secret comparison whose running time does not depend on where inputs differ.
 */

const encoder = new TextEncoder();

/**
 * Compares two secrets in constant time (for equal-length inputs; a length
 * mismatch returns false after the same amount of work). Both sides are hashed
 * first so the comparison length never reveals the secret's length.
 */
export async function secretsEqual(a: string, b: string): Promise<boolean> {
  const [ha, hb] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(a)),
    crypto.subtle.digest('SHA-256', encoder.encode(b)),
  ]);
  const x = new Uint8Array(ha);
  const y = new Uint8Array(hb);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}
