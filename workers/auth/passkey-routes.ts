/**
 * @module workers/auth/passkey-routes
 * WebAuthn passkeys with @simplewebauthn/server: registration (signed in),
 * discoverable login (no email needed), list/rename/remove. The RP ID is the
 * request's host name and the expected origin the request's origin, since the
 * dashboard and API share one origin; `WEBAUTHN_RP_ID`/`WEBAUTHN_ORIGIN` vars
 * override them when set. Counters must increase (a clone is refused).
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { isoBase64URL, isoUint8Array } from '@simplewebauthn/server/helpers';
import { and, eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { withControlPlane } from '../db/client.ts';
import { passkeyCredentials, users } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { apiRouter } from '../openapi/api-router.ts';
import { audit } from './audit.ts';
import { type AuthEnv, requestMeta, sessionUser } from './auth-context.ts';
import { respondWithTokens } from './auth-routes.ts';
import { passkeyRouteDefs as r } from './passkey-schemas.ts';
import { enforce } from './rate-limit.ts';
import { startSession } from './refresh-tokens.ts';
import { challengeOf, consumeChallenge, storeChallenge } from './webauthn-challenges.ts';

/** Login verifications per IP per 15 minutes. */
export const PASSKEY_LOGIN_LIMIT_PER_IP = 30;

function relyingParty(c: Context) {
  const url = new URL(c.req.url);
  const vars = c.env as { WEBAUTHN_RP_ID?: string; WEBAUTHN_ORIGIN?: string };
  return { rpID: vars.WEBAUTHN_RP_ID || url.hostname, origin: vars.WEBAUTHN_ORIGIN || url.origin };
}

/** Credential ids are at most 1023 bytes (WebAuthn §5.1), user handles at most 64: base64url of those. */
const CREDENTIAL_ID = /^[A-Za-z0-9_-]{1,1400}$/;
const USER_HANDLE = /^[A-Za-z0-9_-]{0,90}$/;

function responseField(body: { response?: unknown }) {
  const r = body.response as
    | { id?: unknown; response?: { clientDataJSON?: unknown; userHandle?: unknown } }
    | undefined;
  const handle = r?.response && typeof r.response === 'object' ? r.response.userHandle : undefined;
  if (
    !r ||
    typeof r !== 'object' ||
    typeof r.id !== 'string' ||
    !CREDENTIAL_ID.test(r.id) ||
    !r.response ||
    typeof r.response !== 'object' ||
    (handle !== undefined && handle !== null && (typeof handle !== 'string' || !USER_HANDLE.test(handle)))
  ) {
    throw new ApiError(400, 'invalid_webauthn_response', '"response" must be a WebAuthn credential JSON');
  }
  return r as Parameters<typeof verifyRegistrationResponse>[0]['response'] &
    Parameters<typeof verifyAuthenticationResponse>[0]['response'];
}

const publicPasskey = (p: typeof passkeyCredentials.$inferSelect) => ({
  id: p.id,
  name: p.name,
  createdAt: p.createdAt,
  lastUsedAt: p.lastUsedAt,
  transports: p.transports,
});

export const passkeyRoutes = apiRouter<AuthEnv>()
  .openapi(r.registerOptions, async (c) => {
    const user = sessionUser(c);
    const { rpID } = relyingParty(c);
    const options = await withControlPlane(c.env, async (db) => {
      const existing = await db
        .select()
        .from(passkeyCredentials)
        .where(eq(passkeyCredentials.userId, user.userId));
      const opts = await generateRegistrationOptions({
        rpName: 'Orochi Edge',
        rpID,
        userName: user.email,
        userID: isoUint8Array.fromUTF8String(user.userId),
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports ?? undefined })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      });
      await storeChallenge(db, opts.challenge, 'register', user.userId);
      return opts;
    });
    return c.json(options, 200);
  })
  .openapi(r.registerVerify, async (c) => {
    const user = sessionUser(c);
    const body = c.req.valid('json');
    const response = responseField(body);
    const name = body.name ?? 'Passkey';
    const { rpID, origin } = relyingParty(c);
    const created = await withControlPlane(c.env, async (db) => {
      const challenge = challengeOf(response.response.clientDataJSON);
      await consumeChallenge(db, challenge, 'register', user.userId);
      let info: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
      try {
        info = await verifyRegistrationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          requireUserVerification: false,
        });
      } catch (e) {
        await audit(db, c, {
          actorType: 'user',
          actorId: user.userId,
          action: 'passkey.register',
          outcome: 'failure',
          detail: { reason: (e as Error).message.slice(0, 200) },
        });
        throw new ApiError(400, 'invalid_webauthn_response', 'passkey registration could not be verified');
      }
      if (!info.verified || !info.registrationInfo)
        throw new ApiError(400, 'invalid_webauthn_response', 'passkey registration could not be verified');
      const cred = info.registrationInfo.credential;
      const [row] = await db
        .insert(passkeyCredentials)
        .values({
          id: cred.id,
          userId: user.userId,
          publicKey: isoBase64URL.fromBuffer(cred.publicKey),
          counter: cred.counter,
          transports: cred.transports ?? null,
          name,
        })
        .onConflictDoNothing()
        .returning();
      if (!row) throw new ApiError(409, 'conflict', 'this passkey is already registered');
      await audit(db, c, {
        actorType: 'user',
        actorId: user.userId,
        action: 'passkey.register',
        targetType: 'passkey',
        targetId: row.id,
        outcome: 'success',
      });
      return row;
    });
    return c.json(publicPasskey(created), 201);
  })
  .openapi(r.loginOptions, async (c) => {
    const { rpID } = relyingParty(c);
    const options = await withControlPlane(c.env, async (db) => {
      // Discoverable credentials: no allowCredentials, so no email and no account enumeration.
      const opts = await generateAuthenticationOptions({ rpID, userVerification: 'preferred' });
      await storeChallenge(db, opts.challenge, 'login', null);
      return opts;
    });
    return c.json(options, 200);
  })
  .openapi(r.loginVerify, async (c) => {
    const body = c.req.valid('json');
    const response = responseField(body);
    const { rpID, origin } = relyingParty(c);
    const { ip } = requestMeta(c);
    const tokens = await withControlPlane(c.env, async (db) => {
      await enforce(db, [
        { key: `passkey-login:ip:${ip ?? 'unknown'}`, limit: PASSKEY_LOGIN_LIMIT_PER_IP, windowSeconds: 900 },
      ]);
      const challenge = challengeOf(response.response.clientDataJSON);
      await consumeChallenge(db, challenge, 'login', null);
      const [row] = await db
        .select({ cred: passkeyCredentials, email: users.email })
        .from(passkeyCredentials)
        .innerJoin(users, eq(users.id, passkeyCredentials.userId))
        .where(eq(passkeyCredentials.id, response.id));
      const fail = async (reason: string) => {
        await audit(db, c, {
          actorType: row ? 'user' : 'anonymous',
          actorId: row?.cred.userId,
          action: 'auth.passkey.login',
          outcome: 'failure',
          detail: { reason },
        });
        return new ApiError(401, 'invalid_passkey', 'passkey sign-in failed');
      };
      if (!row) throw await fail('unknown_credential');
      const userHandle = response.response.userHandle;
      if (userHandle && isoUint8Array.toUTF8String(isoBase64URL.toBuffer(userHandle)) !== row.cred.userId) {
        throw await fail('user_handle_mismatch');
      }
      let info: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
      try {
        info = await verifyAuthenticationResponse({
          response,
          expectedChallenge: challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          requireUserVerification: false,
          credential: {
            id: row.cred.id,
            publicKey: isoBase64URL.toBuffer(row.cred.publicKey),
            counter: row.cred.counter,
            transports: (row.cred.transports ?? undefined) as never,
          },
        });
      } catch (e) {
        throw await fail((e as Error).message.slice(0, 200));
      }
      if (!info.verified) throw await fail('not_verified');
      await db
        .update(passkeyCredentials)
        .set({ counter: info.authenticationInfo.newCounter, lastUsedAt: new Date() })
        .where(eq(passkeyCredentials.id, row.cred.id));
      const issued = await startSession(db, c.env, c, { id: row.cred.userId, email: row.email }, 'passkey');
      await audit(db, c, {
        actorType: 'user',
        actorId: row.cred.userId,
        action: 'auth.passkey.login',
        targetType: 'session',
        targetId: issued.sessionId,
        outcome: 'success',
      });
      return issued;
    });
    return respondWithTokens(c, tokens, body.mode);
  })
  .openapi(r.list, async (c) => {
    const user = sessionUser(c);
    const rows = await withControlPlane(c.env, (db) =>
      db
        .select()
        .from(passkeyCredentials)
        .where(eq(passkeyCredentials.userId, user.userId))
        .orderBy(passkeyCredentials.createdAt),
    );
    return c.json({ passkeys: rows.map(publicPasskey) }, 200);
  })
  .openapi(r.rename, async (c) => {
    const user = sessionUser(c);
    const { name } = c.req.valid('json');
    const { id } = c.req.valid('param');
    const row = await withControlPlane(c.env, async (db) => {
      const [updated] = await db
        .update(passkeyCredentials)
        .set({ name })
        .where(and(eq(passkeyCredentials.id, id), eq(passkeyCredentials.userId, user.userId)))
        .returning();
      if (!updated) throw new ApiError(404, 'not_found', 'passkey not found');
      await audit(db, c, {
        actorType: 'user',
        actorId: user.userId,
        action: 'passkey.rename',
        targetType: 'passkey',
        targetId: id,
        outcome: 'success',
      });
      return updated;
    });
    return c.json(publicPasskey(row), 200);
  })
  .openapi(r.remove, async (c) => {
    const user = sessionUser(c);
    const { id } = c.req.valid('param');
    await withControlPlane(c.env, async (db) => {
      const [removed] = await db
        .delete(passkeyCredentials)
        .where(and(eq(passkeyCredentials.id, id), eq(passkeyCredentials.userId, user.userId)))
        .returning();
      if (!removed) throw new ApiError(404, 'not_found', 'passkey not found');
      await audit(db, c, {
        actorType: 'user',
        actorId: user.userId,
        action: 'passkey.remove',
        targetType: 'passkey',
        targetId: id,
        outcome: 'success',
      });
    });
    return c.body(null, 204);
  });
