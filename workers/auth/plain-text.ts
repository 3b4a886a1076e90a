/**
 * @module workers/auth/plain-text
 * The one rule for text the control plane accepts from a client — every name
 * (organization, project, database, API key, passkey), every free-text body
 * field and every text query parameter goes through {@link plainText}.
 *
 * Refused characters, and why:
 * - C0 controls (U+0000–U+001F, including CR, LF and TAB), DEL (U+007F) and C1
 *   controls (U+0080–U+009F): CR/LF would split an email header (a name reaches
 *   invitation subjects), NUL is not storable in Postgres text or jsonb, and none
 *   has a place in a name.
 * - U+2028 / U+2029 (line and paragraph separators): line breaks by another name.
 * - Bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 *   U+2066–U+2069): they make a name display as something else ("Trojan
 *   Source"-style spoofing in the dashboard and in mail). Implicit marks
 *   (U+200E/U+200F) and joiners (U+200C/U+200D, needed by emoji and several
 *   scripts) stay allowed.
 * - U+FEFF (byte-order mark) and lone surrogates (not encodable as UTF-8).
 */
import { ApiError } from '../errors.ts';

const FORBIDDEN =
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Length limits (UTF-16 code units) of every kind of name the control plane stores. */
export const NAME_LIMITS = {
  organization: 100,
  project: 100,
  database: 63,
  apiKey: 100,
  passkey: 100,
  displayName: 100,
} as const;

export type NameKind = keyof typeof NAME_LIMITS;

/** The first refused character in `s`, as `U+XXXX`, or null when there is none. */
export function forbiddenCharacter(s: string): string | null {
  const m = FORBIDDEN.exec(s);
  if (!m) return null;
  return `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Validates one client-supplied text value: a string, non-empty once trimmed,
 * at most `max` characters, with none of the refused characters. Returns it
 * trimmed; anything else is a 400 naming the field.
 */
export function plainText(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw new ApiError(
      400,
      'invalid_request',
      `"${field}" must be a non-empty string of at most ${max} characters`,
    );
  }
  const bad = forbiddenCharacter(value);
  if (bad) {
    throw new ApiError(
      400,
      'invalid_request',
      `"${field}" must not contain control, line-separator or bidirectional-override characters (found ${bad})`,
    );
  }
  return value.trim();
}

/** Database names: also SQL-identifier-like, so they work unquoted in URLs and clients. */
export const DATABASE_NAME = /^[a-z_][a-z0-9_-]{0,62}$/;

/** A name of the given kind (the `name` field of a body unless `field` says otherwise). */
export function nameField(body: Record<string, unknown>, kind: NameKind, field = 'name'): string {
  const name = plainText(body[field], field, NAME_LIMITS[kind]);
  if (kind === 'database' && !DATABASE_NAME.test(name)) {
    throw new ApiError(
      400,
      'invalid_request',
      `"${field}" must start with a lower-case letter or _ and hold only lower-case letters, digits, _ or -`,
    );
  }
  return name;
}
