/**
 * @module workers/auth/auth-schemas
 * Request and response schemas shared by the sign-in routes (magic links,
 * passkeys, refresh): the `mode` choice and the two token answers.
 */
import { z } from '@hono/zod-openapi';

/** `"cookie"` (default, browsers) sets the session cookies; `"bearer"` (API clients) returns the tokens. */
export const SignInMode = z
  .enum(['cookie', 'bearer'], { error: '"mode" must be one of cookie, bearer' })
  .optional()
  .openapi({ description: 'cookie (default): set session cookies; bearer: return the tokens' });

const SignedInUser = z.object({ id: z.string(), email: z.string() });

/** A sign-in's answer: the tokens (bearer mode) or the CSRF token for the cookies just set (cookie mode). */
export const SignedIn = z
  .union([
    z.object({
      tokenType: z.literal('Bearer'),
      accessToken: z.string(),
      refreshToken: z.string(),
      expiresIn: z.number().int(),
      user: SignedInUser,
    }),
    z.object({ user: SignedInUser, expiresIn: z.number().int(), csrfToken: z.string() }),
  ])
  .openapi('SignedIn');
