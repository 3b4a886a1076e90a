/**
 * @module workers/auth/passkey-schemas
 * Route definitions of the passkey ceremonies and passkey management
 * (handlers in passkey-routes.ts). WebAuthn options and credentials pass
 * through as the browser library produces them; `responseField` in
 * passkey-routes.ts checks the credential's shape.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { AUTHENTICATED, errors, json, jsonBody, nameString, noContent } from '../openapi/schemas.ts';
import { SignedIn, SignInMode } from './auth-schemas.ts';
import { readJsonBody } from './request-body.ts';
import { requireUser } from './session-middleware.ts';

const tags = ['Passkeys'];

const WebAuthnJson = z
  .record(z.string(), z.unknown())
  .openapi({ description: 'WebAuthn JSON, as @simplewebauthn/browser produces and consumes it' });

const credential = WebAuthnJson.optional().openapi({
  description: "The browser's credential (startRegistration / startAuthentication output)",
});

const Passkey = z
  .object({
    id: z.string(),
    name: z.string(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    lastUsedAt: z.string().nullable().openapi({ format: 'date-time' }),
    transports: z.array(z.string()).nullable(),
  })
  .openapi('Passkey');

const PasskeyParam = z.object({ id: z.string().openapi({ description: 'Credential id' }) });

export const passkeyRouteDefs = {
  registerOptions: createRoute({
    method: 'post',
    path: '/v1/auth/passkeys/register/options',
    tags,
    security: AUTHENTICATED,
    summary: 'Start registering a passkey for the signed-in user',
    middleware: [requireUser()] as const,
    responses: { 200: json(WebAuthnJson, 'PublicKeyCredentialCreationOptionsJSON'), ...errors(401, 403) },
  }),
  registerVerify: createRoute({
    method: 'post',
    path: '/v1/auth/passkeys/register/verify',
    tags,
    security: AUTHENTICATED,
    summary: 'Finish registering a passkey',
    middleware: [requireUser(), readJsonBody()] as const,
    request: { body: jsonBody(z.object({ response: credential, name: nameString('passkey').nullish() })) },
    responses: { 201: json(Passkey, 'Registered'), ...errors(400, 401, 403, 409, 413, 415) },
  }),
  loginOptions: createRoute({
    method: 'post',
    path: '/v1/auth/passkeys/login/options',
    tags,
    summary: 'Start a passkey sign-in (discoverable credentials: no email needed)',
    responses: { 200: json(WebAuthnJson, 'PublicKeyCredentialRequestOptionsJSON') },
  }),
  loginVerify: createRoute({
    method: 'post',
    path: '/v1/auth/passkeys/login/verify',
    tags,
    summary: 'Finish a passkey sign-in',
    middleware: [readJsonBody()] as const,
    request: { body: jsonBody(z.object({ response: credential, mode: SignInMode })) },
    responses: {
      200: json(SignedIn, 'Signed in: tokens (bearer mode) or session cookies and the CSRF token'),
      ...errors(400, 401, 413, 415, 429),
    },
  }),
  list: createRoute({
    method: 'get',
    path: '/v1/auth/passkeys',
    tags,
    security: AUTHENTICATED,
    summary: "The signed-in user's passkeys",
    middleware: [requireUser()] as const,
    responses: { 200: json(z.object({ passkeys: z.array(Passkey) }), 'Passkeys'), ...errors(401) },
  }),
  rename: createRoute({
    method: 'patch',
    path: '/v1/auth/passkeys/{id}',
    tags,
    security: AUTHENTICATED,
    summary: 'Rename a passkey',
    middleware: [requireUser(), readJsonBody()] as const,
    request: { params: PasskeyParam, body: jsonBody(z.object({ name: nameString('passkey') })) },
    responses: { 200: json(Passkey, 'Renamed'), ...errors(400, 401, 403, 404, 413, 415) },
  }),
  remove: createRoute({
    method: 'delete',
    path: '/v1/auth/passkeys/{id}',
    tags,
    security: AUTHENTICATED,
    summary: 'Remove a passkey',
    middleware: [requireUser()] as const,
    request: { params: PasskeyParam },
    responses: { 204: noContent, ...errors(401, 403, 404) },
  }),
};
