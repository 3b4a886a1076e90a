/**
 * Passkeys through real WebAuthn ceremonies: a software authenticator
 * (WebCrypto ES256 + a tiny CBOR encoder) answers the server's options, and
 * the attacks reuse challenges, replay assertions (counter), answer from the
 * wrong origin, and touch another user's passkeys.
 */
import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { BASE, call, freshIp, type Session, signIn } from './auth-fixtures.ts';

// --- minimal CBOR (major types 0,1,2,3,5 — all a COSE key and attestation object need) ---
function head(major: number, n: number): number[] {
  if (n < 24) return [(major << 5) | n];
  if (n < 256) return [(major << 5) | 24, n];
  return [(major << 5) | 25, n >> 8, n & 255];
}
type Cbor = number | string | Uint8Array | CborMap | CborObject;
interface CborMap extends Map<Cbor, Cbor> {}
interface CborObject {
  [key: string]: Cbor;
}
function cbor(v: Cbor): number[] {
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') {
    const b = new TextEncoder().encode(v);
    return [...head(3, b.length), ...b];
  }
  if (v instanceof Uint8Array) return [...head(2, v.length), ...v];
  const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
  return [...head(5, entries.length), ...entries.flatMap(([k, val]) => [...cbor(k), ...cbor(val)])];
}

const sha256 = async (b: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', b));
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
/** WebCrypto gives raw r||s; WebAuthn wants DER. */
function derSignature(raw: Uint8Array): Uint8Array {
  const int = (x: Uint8Array) => {
    let i = 0;
    while (i < x.length - 1 && x[i] === 0) i++;
    let v = x.slice(i);
    if (v[0] & 0x80) v = concat(new Uint8Array([0]), v);
    return concat(new Uint8Array([0x02, v.length]), v);
  };
  const body = concat(int(raw.slice(0, 32)), int(raw.slice(32)));
  return concat(new Uint8Array([0x30, body.length]), body);
}

class VirtualAuthenticator {
  counter = 0;
  credentialId = crypto.getRandomValues(new Uint8Array(16));
  keys!: CryptoKeyPair;
  userHandle = '';

  async init() {
    this.keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    return this;
  }

  private clientData(type: string, challenge: string, origin: string) {
    return new TextEncoder().encode(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  async register(options: { challenge: string; rp: { id: string }; user: { id: string } }, origin = BASE) {
    this.userHandle = options.user.id;
    const jwk = (await crypto.subtle.exportKey('jwk', this.keys.publicKey)) as JsonWebKey;
    const cose = new Map<Cbor, Cbor>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, base64url.decode(jwk.x!)],
      [-3, base64url.decode(jwk.y!)],
    ]);
    const credIdLen = new Uint8Array([0, this.credentialId.length]);
    const authData = concat(
      await sha256(new TextEncoder().encode(options.rp.id)),
      new Uint8Array([0x45]), // UP | UV | AT
      new Uint8Array(4),
      new Uint8Array(16), // AAGUID
      credIdLen,
      this.credentialId,
      new Uint8Array(cbor(cose)),
    );
    const attestationObject = new Uint8Array(cbor({ fmt: 'none', attStmt: {}, authData }));
    const id = base64url.encode(this.credentialId);
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: base64url.encode(this.clientData('webauthn.create', options.challenge, origin)),
        attestationObject: base64url.encode(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  async assert(
    options: { challenge: string; rpId: string },
    opts: { origin?: string; counter?: number } = {},
  ) {
    this.counter = opts.counter ?? this.counter + 1;
    const count = new Uint8Array(4);
    new DataView(count.buffer).setUint32(0, this.counter);
    const authData = concat(
      await sha256(new TextEncoder().encode(options.rpId)),
      new Uint8Array([0x05]),
      count,
    );
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, opts.origin ?? BASE);
    const signed = concat(authData, await sha256(clientDataJSON));
    const raw = new Uint8Array(
      await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, this.keys.privateKey, signed),
    );
    const id = base64url.encode(this.credentialId);
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: base64url.encode(clientDataJSON),
        authenticatorData: base64url.encode(authData),
        signature: base64url.encode(derSignature(raw)),
        userHandle: this.userHandle,
      },
      clientExtensionResults: {},
    };
  }
}

async function registerPasskey(s: Session, name = 'laptop') {
  const auth = await new VirtualAuthenticator().init();
  const options = (await call('/v1/auth/passkeys/register/options', { token: s.accessToken, method: 'POST' }))
    .json;
  const response = await auth.register(options);
  const res = await call('/v1/auth/passkeys/register/verify', {
    token: s.accessToken,
    body: { response, name },
  });
  return { auth, res, options, response };
}

async function loginOptions() {
  return (await call('/v1/auth/passkeys/login/options', { method: 'POST' })).json;
}

describe('passkeys', () => {
  it('register, then sign in without an email (discoverable), several per user', async () => {
    const s = await signIn();
    const first = await registerPasskey(s, 'laptop');
    expect(first.res.status).toBe(201);
    expect(first.options.authenticatorSelection.residentKey).toBe('required');
    expect(first.options.rp.id).toBe('orochi.test');
    const second = await registerPasskey(s, 'phone');
    expect(second.res.status).toBe(201);
    const list = await call('/v1/auth/passkeys', { token: s.accessToken });
    expect(list.json.passkeys.map((p: { name: string }) => p.name)).toEqual(['laptop', 'phone']);

    const options = await loginOptions();
    expect(options.allowCredentials ?? []).toEqual([]);
    const login = await call('/v1/auth/passkeys/login/verify', {
      body: { response: await second.auth.assert(options), mode: 'bearer' },
    });
    expect(login.status).toBe(200);
    expect(login.json.user.id).toBe(s.user.id);
    expect((await call('/v1/auth/me', { token: login.json.accessToken })).json.id).toBe(s.user.id);
  });

  it('a login challenge works once (replayed assertion is refused)', async () => {
    const s = await signIn();
    const { auth } = await registerPasskey(s);
    const options = await loginOptions();
    const response = await auth.assert(options);
    expect(
      (await call('/v1/auth/passkeys/login/verify', { body: { response, mode: 'bearer' } })).status,
    ).toBe(200);
    const replay = await call('/v1/auth/passkeys/login/verify', { body: { response, mode: 'bearer' } });
    expect(replay.status).toBe(400);
    expect(replay.json.error.code).toBe('invalid_challenge');
    // A fresh assertion on the consumed challenge, even correctly signed, is refused too.
    expect(
      (await call('/v1/auth/passkeys/login/verify', { body: { response: await auth.assert(options) } }))
        .status,
    ).toBe(400);
  });

  it('a registration challenge works once and only for its user', async () => {
    const s = await signIn();
    const auth = await new VirtualAuthenticator().init();
    const options = (
      await call('/v1/auth/passkeys/register/options', { token: s.accessToken, method: 'POST' })
    ).json;
    const response = await auth.register(options);
    const other = await signIn();
    const stolen = await call('/v1/auth/passkeys/register/verify', {
      token: other.accessToken,
      body: { response },
    });
    expect(stolen.status).toBe(400);
    expect(
      (await call('/v1/auth/passkeys/register/verify', { token: s.accessToken, body: { response } })).status,
    ).toBe(201);
    const again = await call('/v1/auth/passkeys/register/verify', {
      token: s.accessToken,
      body: { response },
    });
    expect(again.status).toBe(400);
  });

  it('refuses a counter that does not increase (cloned authenticator)', async () => {
    const s = await signIn();
    const { auth } = await registerPasskey(s);
    expect(
      (
        await call('/v1/auth/passkeys/login/verify', {
          body: { response: await auth.assert(await loginOptions(), { counter: 5 }) },
        })
      ).status,
    ).toBe(200);
    const clone = await call('/v1/auth/passkeys/login/verify', {
      body: { response: await auth.assert(await loginOptions(), { counter: 5 }) },
    });
    expect(clone.status).toBe(401);
  });

  it('refuses assertions for another origin or RP ID, and forged signatures', async () => {
    const s = await signIn();
    const { auth } = await registerPasskey(s);
    const evilOrigin = await auth.assert(await loginOptions(), { origin: 'https://evil.example' });
    expect((await call('/v1/auth/passkeys/login/verify', { body: { response: evilOrigin } })).status).toBe(
      401,
    );
    const wrongRp = await auth.assert({ ...(await loginOptions()), rpId: 'evil.example' });
    expect((await call('/v1/auth/passkeys/login/verify', { body: { response: wrongRp } })).status).toBe(401);
    const impostor = await new VirtualAuthenticator().init();
    impostor.credentialId = auth.credentialId;
    impostor.userHandle = auth.userHandle;
    const forged = await impostor.assert(await loginOptions(), { counter: 99 });
    expect((await call('/v1/auth/passkeys/login/verify', { body: { response: forged } })).status).toBe(401);
  });

  it("rename and remove only one's own passkeys", async () => {
    const s = await signIn();
    const { response } = await registerPasskey(s, 'old');
    const other = await signIn();
    const id = encodeURIComponent(response.id);
    expect(
      (
        await call(`/v1/auth/passkeys/${id}`, {
          token: other.accessToken,
          method: 'PATCH',
          body: { name: 'mine' },
        })
      ).status,
    ).toBe(404);
    expect(
      (await call(`/v1/auth/passkeys/${id}`, { token: other.accessToken, method: 'DELETE' })).status,
    ).toBe(404);
    expect(
      (
        await call(`/v1/auth/passkeys/${id}`, {
          token: s.accessToken,
          method: 'PATCH',
          body: { name: 'new' },
        })
      ).json.name,
    ).toBe('new');
    expect((await call(`/v1/auth/passkeys/${id}`, { token: s.accessToken, method: 'DELETE' })).status).toBe(
      204,
    );
    expect((await call('/v1/auth/passkeys', { token: s.accessToken })).json.passkeys).toEqual([]);
  });

  it('brute-forcing login verification hits the per-IP rate limit', async () => {
    const s = await signIn();
    const { auth } = await registerPasskey(s);
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      const response = await auth.assert(await loginOptions(), { origin: 'https://evil.example' });
      statuses.push((await call('/v1/auth/passkeys/login/verify', { body: { response }, ip })).status);
    }
    expect(statuses.slice(0, 30).every((st) => st === 401)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429]);
  });
});
