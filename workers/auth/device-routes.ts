/**
 * @module workers/auth/device-routes
 * `/v1/auth/device*`: the device authorization grant (RFC 8628) as routes.
 * The device starts a grant and polls for its token without credentials (the
 * device code is the credential); looking a user code up, approving and
 * denying need a signed-in user — a session, never an API key, since an
 * approval mints a user session. Field names follow the RFC (snake_case).
 * The logic lives in device-authorization.ts.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { withControlPlane } from '../db/client.ts';
import { apiRouter } from '../openapi/api-router.ts';
import { AUTHENTICATED, errors, json, jsonBody, plainTextString } from '../openapi/schemas.ts';
import { type AuthEnv, sessionUser } from './auth-context.ts';
import {
  DEVICE_GRANT_TYPE,
  decideDevice,
  findPendingDevice,
  pollDeviceToken,
  startDeviceAuthorization,
} from './device-authorization.ts';
import { readJsonBody } from './request-body.ts';
import { requireUser } from './session-middleware.ts';

const tags = ['Device sign-in'];

/** The dashboard page where a signed-in user approves a device (web/src/device). */
export const DEVICE_PAGE_PATH = '/device';

const DeviceCodes = z
  .object({
    device_code: z.string().openapi({ description: 'The secret the device polls with' }),
    user_code: z
      .string()
      .openapi({ description: 'What the user confirms, e.g. BCDF-GHJK', example: 'BCDF-GHJK' }),
    verification_uri: z.string().openapi({ format: 'uri' }),
    verification_uri_complete: z.string().openapi({ format: 'uri' }),
    expires_in: z.number().int().openapi({ description: 'Seconds until both codes expire' }),
    interval: z.number().int().openapi({ description: 'Minimum seconds between polls' }),
  })
  .openapi('DeviceCodes');

const DeviceTokens = z
  .object({
    tokenType: z.literal('Bearer'),
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int(),
    user: z.object({ id: z.string(), email: z.string() }),
  })
  .openapi('DeviceTokens');

const PendingDevice = z
  .object({
    user_code: z.string(),
    client_name: z.string().nullable(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    created_at: z.string().openapi({ format: 'date-time' }),
    expires_at: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('PendingDevice');

const userCodeBody = jsonBody(z.object({ user_code: plainTextString('user_code', 20) }));

const start = createRoute({
  method: 'post',
  path: '/v1/auth/device',
  tags,
  summary: 'Start a device sign-in: a device code to poll with and a user code to approve (RFC 8628 §3.2)',
  middleware: [readJsonBody({ optional: true })] as const,
  request: {
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z.object({
            client_name: plainTextString('client_name', 100)
              .optional()
              .openapi({ description: 'Shown on the approval page, e.g. "orochi CLI on laptop"' }),
          }),
        },
      },
    },
  },
  responses: { 200: json(DeviceCodes, 'The codes'), ...errors(400, 413, 415, 429) },
});

const token = createRoute({
  method: 'post',
  path: '/v1/auth/device/token',
  tags,
  summary:
    'Poll for the session (RFC 8628 §3.4); 400 authorization_pending, slow_down, access_denied, expired_token or invalid_grant until then',
  middleware: [readJsonBody()] as const,
  request: {
    body: jsonBody(
      z.object({
        grant_type: z.literal(DEVICE_GRANT_TYPE, { error: `"grant_type" must be ${DEVICE_GRANT_TYPE}` }),
        device_code: plainTextString('device_code', 200),
      }),
    ),
  },
  responses: { 200: json(DeviceTokens, 'Signed in: a new session'), ...errors(400, 413, 415, 429) },
});

const lookup = createRoute({
  method: 'post',
  path: '/v1/auth/device/lookup',
  tags,
  security: AUTHENTICATED,
  summary: 'What a pending user code belongs to, before approving it',
  middleware: [requireUser(), readJsonBody()] as const,
  request: { body: userCodeBody },
  responses: {
    200: json(PendingDevice, 'The pending request'),
    ...errors(400, 401, 403, 404, 413, 415, 429),
  },
});

const decision = (verb: 'approve' | 'deny') =>
  createRoute({
    method: 'post',
    path: `/v1/auth/device/${verb}`,
    tags,
    security: AUTHENTICATED,
    summary:
      verb === 'approve'
        ? 'Approve a device: it receives a session of the signed-in user'
        : 'Deny a device: its next poll answers access_denied',
    middleware: [requireUser(), readJsonBody()] as const,
    request: { body: userCodeBody },
    responses: {
      200: json(z.object({ ok: z.literal(true) }), verb === 'approve' ? 'Approved' : 'Denied'),
      ...errors(400, 401, 403, 404, 413, 415, 429),
    },
  });

export const deviceRoutes = apiRouter<AuthEnv>()
  .openapi(start, async (c) => {
    const clientName = c.req.valid('json').client_name;
    const page = `${new URL(c.req.url).origin}${DEVICE_PAGE_PATH}`;
    const codes = await withControlPlane(c.env, (db) => startDeviceAuthorization(db, c, page, clientName));
    c.header('cache-control', 'no-store');
    return c.json(codes, 200);
  })
  .openapi(token, async (c) => {
    const { device_code } = c.req.valid('json');
    const issued = await withControlPlane(c.env, (db) => pollDeviceToken(db, c.env, c, device_code));
    c.header('cache-control', 'no-store');
    return c.json(
      {
        tokenType: 'Bearer' as const,
        accessToken: issued.accessToken,
        refreshToken: issued.refreshToken,
        expiresIn: issued.expiresIn,
        user: issued.user,
      },
      200,
    );
  })
  .openapi(lookup, async (c) => {
    const { user_code } = c.req.valid('json');
    const user = sessionUser(c);
    return c.json(await withControlPlane(c.env, (db) => findPendingDevice(db, user, user_code)), 200);
  })
  .openapi(decision('approve'), async (c) => {
    const { user_code } = c.req.valid('json');
    await withControlPlane(c.env, (db) => decideDevice(db, c, sessionUser(c), user_code, 'approved'));
    return c.json({ ok: true as const }, 200);
  })
  .openapi(decision('deny'), async (c) => {
    const { user_code } = c.req.valid('json');
    await withControlPlane(c.env, (db) => decideDevice(db, c, sessionUser(c), user_code, 'denied'));
    return c.json({ ok: true as const }, 200);
  });
