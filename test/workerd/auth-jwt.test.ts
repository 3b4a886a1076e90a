/**
 * Attacks on JWT access tokens: every forged or stale token must get 401,
 * while a correctly signed one (the control) gets 200.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { base64url, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSigningJwk } from '../../workers/auth/jwt-keys.ts';
import { withControlPlane } from '../../workers/db/client.ts';
import { localJwtKeys } from '../../workers/db/schema.ts';
import worker from '../../workers/index.ts';
import { BASE, call, type Session, signIn } from './auth-fixtures.ts';

let session: Session;
let serverKey: JWK;

beforeAll(async () => {
  session = await signIn();
  const rows = await withControlPlane(env, (db) => db.select().from(localJwtKeys));
  serverKey = rows[rows.length - 1].privateJwk as JWK;
});

function claims(over: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: env.JWT_ISSUER,
    aud: 'orochi-edge',
    sub: session.user.id,
    sid: decodePayload(session.accessToken).sid,
    email: session.user.email,
    iat: now,
    exp: now + 300,
    ...over,
  };
}

function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(base64url.decode(token.split('.')[1])));
}

const enc = (o: unknown) => base64url.encode(JSON.stringify(o));

async function forge(
  payload: Record<string, unknown>,
  header: Record<string, unknown> = {},
  key: JWK = serverKey,
) {
  const k = await importJWK(key, 'ES256');
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key.kid, ...header })
    .sign(k);
}

async function me(token: string) {
  return call('/v1/auth/me', { token });
}

describe('JWT access tokens', () => {
  it('serves a JWKS with public ES256 keys only', async () => {
    const { status, json } = await call('/.well-known/jwks.json');
    expect(status).toBe(200);
    expect(json.keys.length).toBeGreaterThan(0);
    for (const k of json.keys) {
      expect(k).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
      expect(k.kid).toBeTruthy();
      expect(k.d).toBeUndefined();
    }
    const header = JSON.parse(new TextDecoder().decode(base64url.decode(session.accessToken.split('.')[0])));
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(json.keys.map((k: JWK) => k.kid)).toContain(header.kid);
  });

  it('accepts a correctly signed token (control)', async () => {
    expect((await me(session.accessToken)).status).toBe(200);
    expect((await me(await forge(claims()))).status).toBe(200);
  });

  it('rejects alg: none', async () => {
    const token = `${enc({ alg: 'none', typ: 'at+jwt', kid: serverKey.kid })}.${enc(claims())}.`;
    const res = await me(token);
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('invalid_token');
  });

  it('rejects HS256 signed with the public key (algorithm confusion)', async () => {
    const { keys } = (await call('/.well-known/jwks.json')).json;
    const pub = keys.find((k: JWK) => k.kid === serverKey.kid);
    const imported = await crypto.subtle.importKey(
      'jwk',
      pub as JsonWebKey,
      { name: 'ECDSA', namedCurve: 'P-256' },
      true,
      ['verify'],
    );
    const raw = (await crypto.subtle.exportKey('raw', imported)) as ArrayBuffer;
    const secrets = [new TextEncoder().encode(JSON.stringify(pub)), new Uint8Array(raw)];
    for (const secret of secrets) {
      const token = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: serverKey.kid })
        .sign(secret);
      expect((await me(token)).status).toBe(401);
    }
  });

  it('rejects an unknown kid and a known kid signed by another key', async () => {
    const stranger = await generateSigningJwk();
    expect((await me(await forge(claims(), {}, stranger))).status).toBe(401);
    expect((await me(await forge(claims(), {}, { ...stranger, kid: serverKey.kid }))).status).toBe(401);
  });

  it('rejects expired tokens, wrong audience, wrong issuer, wrong type', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = await me(await forge(claims({ iat: past - 600, exp: past })));
    expect(expired.status).toBe(401);
    expect(expired.json.error.code).toBe('token_expired');
    expect((await me(await forge(claims({ aud: 'someone-else' })))).status).toBe(401);
    expect((await me(await forge(claims({ iss: 'https://evil.example' })))).status).toBe(401);
    expect((await me(await forge(claims(), { typ: 'JWT' }))).status).toBe(401);
  });

  it('rejects a tampered payload', async () => {
    const [h, , s] = session.accessToken.split('.');
    const other = await signIn();
    const tampered = `${h}.${enc({ ...decodePayload(session.accessToken), sub: other.user.id })}.${s}`;
    expect((await me(tampered)).status).toBe(401);
  });

  it('rejects a valid token whose session was revoked (logout)', async () => {
    const s = await signIn();
    expect((await call('/v1/auth/logout', { token: s.accessToken, method: 'POST' })).status).toBe(200);
    const res = await me(s.accessToken);
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('session_revoked');
  });
});

describe('key rotation via JWT_SIGNING_KEYS', () => {
  async function fetchWith(keys: JWK[], path: string, token?: string) {
    const e = { ...env, JWT_SIGNING_KEYS: JSON.stringify({ keys }) } as Env;
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`${BASE}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }),
      e,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  }

  it('verifies tokens of every key in the set and signs with the last', async () => {
    const old = await generateSigningJwk();
    const fresh = await generateSigningJwk();
    const oldToken = await forge(claims(), {}, old);
    const jwks = (await (await fetchWith([old, fresh], '/.well-known/jwks.json')).json()) as { keys: JWK[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([old.kid, fresh.kid]);
    expect((await fetchWith([old, fresh], '/v1/auth/me', oldToken)).status).toBe(200);
    // Once the old key is dropped, its tokens stop verifying.
    expect((await fetchWith([fresh], '/v1/auth/me', oldToken)).status).toBe(401);
  });

  it('refuses to run without keys outside local mode', async () => {
    const e = { ...env, ENVIRONMENT: 'production', JWT_SIGNING_KEYS: undefined } as unknown as Env;
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(`${BASE}/.well-known/jwks.json`), e, ctx);
    expect(res.status).toBe(503);
  });

  it('rejects a non-ES256 key set', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const rsa = { ...(await exportJWK(privateKey)), kid: 'rsa' };
    expect((await fetchWith([rsa], '/.well-known/jwks.json')).status).toBe(503);
  });
});
