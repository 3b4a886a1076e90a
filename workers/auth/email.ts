/**
 * @module workers/auth/email
 * Outgoing mail. Production sends through the `EMAIL` send_email binding;
 * local mode never sends and writes to the `dev_outbox` table instead
 * (`GET /v1/dev/outbox`). Bodies hold one-time links, so they are never logged.
 *
 * User-provided text (an organization name, an inviter's address) is
 * validated where it enters (plain-text), and escaped again here where it
 * leaves: {@link headerText} for the subject and recipient, {@link quoted}
 * for interpolation into a body. Mail is plain text; there is no HTML to escape.
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

// Controls, separators, bidi embeddings/overrides/isolates, BOM: the plain-text module's list.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]+/g;

/** A single header line: every unsafe run (CR and LF included) becomes one space; at most `max` characters. */
export function headerText(s: string, max = 200): string {
  const flat = s.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** User text inside a body: one line, quoted, so it cannot pass for the message's own words or links. */
export function quoted(s: string, max = 120): string {
  return `“${headerText(s, max).replace(/[“”]/g, '"')}”`;
}

/** Delivers one email (or records it in the dev outbox in local mode). */
export async function sendEmail(env: Env, db: ControlPlaneDb, mail: OutgoingEmail): Promise<void> {
  const to = headerText(mail.to, 254);
  const subject = headerText(mail.subject);
  if (isLocalMode(env)) {
    await db.insert(devOutbox).values({ to, subject, text: mail.text });
    return;
  }
  const binding = (env as { EMAIL?: SendEmail }).EMAIL;
  if (!binding) throw new ApiError(503, 'email_unconfigured', 'no EMAIL binding');
  await binding.send({ from: env.EMAIL_FROM, to, subject, text: mail.text });
}
