/**
 * @module workers/pg-wire/frames
 * Splits the client's byte stream into whole protocol messages: the untyped
 * startup packet first, then typed messages (`code`, int32 length, body).
 *
 * Each message is copied into an array of its own before pg-gateway sees it:
 * pg-gateway 0.3.0-beta.4 frames a whole WebSocket chunk with the "started"
 * flag it had before the chunk (so Neon's pipelined startup + password in one
 * chunk is misread) and its reader ignores a view's `byteOffset` (so the second
 * message of a chunk is misread). One message per chunk at offset 0 avoids both.
 */
import { SqlError } from '../../engine/errors.ts';

/** Largest message accepted (PostgreSQL's own limit for most messages is 1 GB; ours is the Worker's memory). */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Accumulates chunks and yields each complete message exactly once. */
export class MessageFramer {
  private buf = new Uint8Array(0);
  private started = false;

  /** Adds a chunk; returns the messages it completed, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf);
    joined.set(chunk, this.buf.length);
    const out: Uint8Array[] = [];
    let at = 0;
    for (;;) {
      const head = this.started ? 1 : 0;
      if (joined.length - at < head + 4) break;
      const len = new DataView(joined.buffer, at + head, 4).getInt32(0);
      if (len < 4 || len > MAX_MESSAGE_BYTES) throw new SqlError('08P01', `invalid message length ${len}`);
      if (joined.length - at < head + len) break;
      out.push(joined.slice(at, at + head + len));
      at += head + len;
      // SSLRequest / GSSENCRequest come before the startup packet and are untyped too.
      if (!this.started && !isEncryptionRequest(out[out.length - 1])) this.started = true;
    }
    this.buf = joined.slice(at);
    return out;
  }
}

/** An SSLRequest or GSSENCRequest (length 8, code 1234/5679 or 1234/5680). */
export function isEncryptionRequest(m: Uint8Array): boolean {
  if (m.length !== 8) return false;
  const v = new DataView(m.buffer, m.byteOffset, 8);
  return v.getInt16(4) === 1234 && (v.getInt16(6) === 5679 || v.getInt16(6) === 5680);
}
