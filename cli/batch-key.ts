/**
 * @module cli/batch-key
 * The Idempotency-Key of one load batch. It is derived only from what the
 * batch is — database, table, format, its index and byte offset in the
 * input, a SHA-256 of its body, and an optional run label — so running the
 * same `orochi load` again after an interruption sends the same keys: the
 * server answers the batches it already applied as duplicates and writes
 * each row once. A changed file changes the bodies and so the keys (never a
 * 422 for a reused key), and `--run <label>` loads the same data again as
 * new rows.
 */
import { createHash } from 'node:crypto';

/** What identifies a batch apart from its bytes. */
export interface BatchKeyParts {
  readonly database: string;
  readonly table: string;
  readonly format: string;
  readonly index: number;
  readonly offset: number;
  /** `--run`: a label that makes a deliberate second load of the same data new rows. */
  readonly run?: string;
}

/** `orochi-load-<64 hex>`: 76 characters, within the API's 1–255. */
export function batchKey(parts: BatchKeyParts, body: Uint8Array): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  const identity = [
    parts.database,
    parts.table,
    parts.format,
    String(parts.index),
    String(parts.offset),
    parts.run ?? '',
    bodyHash,
  ];
  // NUL separators: no part can contain one, so distinct tuples never hash the same text.
  return `orochi-load-${createHash('sha256').update(identity.join('\0')).digest('hex')}`;
}
