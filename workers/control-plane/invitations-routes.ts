/**
 * @module workers/control-plane/invitations-routes
 * `/v1/orgs/{org}/invitations` (admins invite by email with a role; only an
 * owner invites owners) and `POST /v1/invitations/accept` (the signed-in
 * invitee, whose email must match). Tokens are 256-bit, stored hashed,
 * single-use, valid 7 days.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { audit } from '../auth/audit.ts';
import { type AuthEnv, sessionUser } from '../auth/auth-context.ts';
import { quoted, sendEmail } from '../auth/email.ts';
import { readJsonBody } from '../auth/request-body.ts';
import { hashSecret, randomToken } from '../auth/token-hash.ts';
import { withControlPlane } from '../db/client.ts';
import { invitations, memberships, ORG_ROLES, organizations } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { apiRouter } from '../openapi/api-router.ts';
import {
  AUTHENTICATED,
  emailString,
  errors,
  json,
  jsonBody,
  noContent,
  oneOf,
  plainTextString,
} from '../openapi/schemas.ts';
import { auditSuccess } from './audit-actor.ts';
import { Invitation, OrgParam, OrgRole } from './resources.ts';
import { isUuid, requireOrgRole } from './roles.ts';

export const INVITATION_TTL_SECONDS = 7 * 24 * 3600;

function publicInvitation(row: typeof invitations.$inferSelect) {
  const { tokenHash: _hidden, ...rest } = row;
  return rest;
}

const tags = ['Invitations'];

const list = createRoute({
  method: 'get',
  path: '/v1/orgs/{org}/invitations',
  tags,
  security: AUTHENTICATED,
  summary: 'Pending invitations (admin)',
  request: { params: OrgParam },
  responses: {
    200: json(z.object({ invitations: z.array(Invitation) }), 'Invitations'),
    ...errors(401, 403, 404),
  },
});

const create = createRoute({
  method: 'post',
  path: '/v1/orgs/{org}/invitations',
  tags,
  security: AUTHENTICATED,
  summary: 'Invite by email with a role (admin; only an owner invites owners)',
  middleware: [readJsonBody()] as const,
  request: {
    params: OrgParam,
    body: jsonBody(z.object({ email: emailString(), role: oneOf('role', ORG_ROLES) })),
  },
  responses: {
    201: json(Invitation, 'Invited; the link is mailed'),
    ...errors(400, 401, 403, 404, 413, 415),
  },
});

const revoke = createRoute({
  method: 'delete',
  path: '/v1/orgs/{org}/invitations/{invitation}',
  tags,
  security: AUTHENTICATED,
  summary: 'Revoke a pending invitation (admin)',
  request: { params: OrgParam.extend({ invitation: z.string().openapi({ description: 'Invitation id' }) }) },
  responses: { 204: noContent, ...errors(401, 403, 404) },
});

const accept = createRoute({
  method: 'post',
  path: '/v1/invitations/accept',
  tags,
  security: AUTHENTICATED,
  summary: "Accept an invitation (the signed-in user's email must match it)",
  middleware: [readJsonBody()] as const,
  request: { body: jsonBody(z.object({ token: plainTextString('token', 200) })) },
  responses: {
    200: json(z.object({ orgId: z.string(), role: OrgRole }), 'Joined'),
    ...errors(400, 401, 404, 413, 415),
  },
});

export const invitationsRoutes = apiRouter<AuthEnv>()
  .openapi(list, async (c) => {
    const user = sessionUser(c);
    const orgId = c.req.valid('param').org;
    const rows = await withControlPlane(c.env, async (db) => {
      await requireOrgRole(db, user.userId, orgId, 'admin');
      return db
        .select()
        .from(invitations)
        .where(
          and(eq(invitations.orgId, orgId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)),
        )
        .orderBy(desc(invitations.createdAt));
    });
    return c.json({ invitations: rows.map(publicInvitation) }, 200);
  })
  .openapi(create, async (c) => {
    const user = sessionUser(c);
    const orgId = c.req.valid('param').org;
    const { email, role } = c.req.valid('json');
    const token = randomToken(32);
    const row = await withControlPlane(c.env, async (db) => {
      const mine = await requireOrgRole(db, user.userId, orgId, 'admin');
      if (role === 'owner' && mine !== 'owner')
        throw new ApiError(403, 'forbidden', 'only an owner can invite owners');
      const [org] = await db.select().from(organizations).where(eq(organizations.id, orgId));
      const [created] = await db
        .insert(invitations)
        .values({
          orgId,
          email,
          role,
          invitedBy: user.userId,
          tokenHash: await hashSecret(token),
          expiresAt: new Date(Date.now() + INVITATION_TTL_SECONDS * 1000),
        })
        .returning();
      const link = `${new URL(c.req.url).origin}/invite?token=${encodeURIComponent(token)}`;
      await sendEmail(c.env, db, {
        to: email,
        subject: `You are invited to ${quoted(org.name, 80)} on Orochi Edge`,
        text: `${quoted(user.email)} invited you to join the organization ${quoted(org.name)} as ${role}:\n${link}\n\nThe invitation expires in 7 days.`,
      });
      await auditSuccess(db, c, {
        orgId,
        action: 'invitation.create',
        targetType: 'invitation',
        targetId: created.id,
        detail: { email, role },
      });
      return created;
    });
    return c.json(publicInvitation(row), 201);
  })
  .openapi(revoke, async (c) => {
    const user = sessionUser(c);
    const { org: orgId, invitation: id } = c.req.valid('param');
    await withControlPlane(c.env, async (db) => {
      await requireOrgRole(db, user.userId, orgId, 'admin');
      const [revoked] = isUuid(id)
        ? await db
            .update(invitations)
            .set({ revokedAt: new Date() })
            .where(
              and(
                eq(invitations.id, id),
                eq(invitations.orgId, orgId),
                isNull(invitations.acceptedAt),
                isNull(invitations.revokedAt),
              ),
            )
            .returning()
        : [];
      if (!revoked) throw new ApiError(404, 'not_found', 'invitation not found');
      await auditSuccess(db, c, {
        orgId,
        action: 'invitation.revoke',
        targetType: 'invitation',
        targetId: id,
      });
    });
    return c.body(null, 204);
  })
  .openapi(accept, async (c) => {
    const user = sessionUser(c);
    const { token } = c.req.valid('json');
    const result = await withControlPlane(c.env, async (db) => {
      // Consumed in one statement: only the invited address, once, before expiry.
      const [inv] = await db
        .update(invitations)
        .set({ acceptedAt: new Date() })
        .where(
          and(
            eq(invitations.tokenHash, await hashSecret(token)),
            eq(invitations.email, user.email),
            isNull(invitations.acceptedAt),
            isNull(invitations.revokedAt),
            gt(invitations.expiresAt, new Date()),
          ),
        )
        .returning();
      if (!inv) {
        await audit(db, c, {
          actorType: 'user',
          actorId: user.userId,
          action: 'invitation.accept',
          outcome: 'failure',
        });
        throw new ApiError(404, 'not_found', 'invitation is invalid, expired, used, or for another address');
      }
      await db
        .insert(memberships)
        .values({ orgId: inv.orgId, userId: user.userId, role: inv.role })
        .onConflictDoNothing();
      await auditSuccess(db, c, {
        orgId: inv.orgId,
        action: 'invitation.accept',
        targetType: 'invitation',
        targetId: inv.id,
        detail: { role: inv.role },
      });
      return { orgId: inv.orgId, role: inv.role };
    });
    return c.json(result, 200);
  });
