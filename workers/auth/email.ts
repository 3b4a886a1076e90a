/**
 * @module workers/auth/email
 * Outgoing mail. Production sends through the `EMAIL` send_email binding;
 * local mode never sends and writes to the `dev_outbox` table instead
 * (`GET /v1/dev/outbox`). Bodies hold one-time links, so they are never logged.
 */
import { isLocalMode } from '../app-context.ts';
import type { ControlPlaneDb } from '../db/client.ts';
import { devOutbox } from '../db/schema.ts';
import { ApiError } from '../errors.ts';

export interface OutgoingEmail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** Delivers one email (or records it in the dev outbox in local mode). */
export async function sendEmail(env: Env, db: ControlPlaneDb, mail: OutgoingEmail): Promise<void> {
  if (isLocalMode(env)) {
    await db.insert(devOutbox).values({ to: mail.to, subject: mail.subject, text: mail.text });
    return;
  }
  const binding = (env as { EMAIL?: SendEmail }).EMAIL;
  if (!binding) throw new ApiError(503, 'email_unconfigured', 'no EMAIL binding');
  await binding.send({ from: env.EMAIL_FROM, to: mail.to, subject: mail.subject, text: mail.text });
}
