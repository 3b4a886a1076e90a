/**
 * @module workers/data-plane/request-body
 * Reads request bodies with a hard size limit, so an oversized or endless
 * upload gets 413 (SQLSTATE 54000) instead of exhausting the isolate's memory.
 */
import { ApiError } from '../errors.ts';

/** `/sql` bodies: 1 MiB of JSON. */
export const MAX_SQL_BODY_BYTES = 1 << 20;
/**
 * Bulk-ingest bodies: 32 MiB, counted after gunzip, so a small gzip body that
 * inflates without end (a decompression bomb) stops at 32 MiB with 413.
 */
export const MAX_INGEST_BODY_BYTES = 32 << 20;
/** Bind parameters per `/sql` call (PostgreSQL's own limit is 65,535; ours is lower to bound work). */
export const MAX_PARAMS = 10_000;

/** Reads the body as text, failing with 413 past `limit` bytes and 400 (22021) on invalid UTF-8. */
export async function readBodyText(req: Request, limit: number): Promise<string> {
  return decodeUtf8(await readBodyBytes(req, limit));
}

/** Decodes a body read as bytes, failing with 400 (22021) on invalid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError(400, '22021', 'request body is not valid UTF-8');
  }
}

/**
 * Reads the body as bytes (gunzipped when `Content-Encoding: gzip`), failing
 * with 413 past `limit` bytes (see `readBodyStreaming`).
 */
export async function readBodyBytes(req: Request, limit: number): Promise<Uint8Array> {
  const { buffer, filled } = await readBodyStreaming(req, limit, () => {});
  return buffer.subarray(0, filled);
}

/**
 * Reads the body into one growing buffer (sized from Content-Length when the
 * body is not compressed), calling `onData(buffer, filled)` after every piece
 * so the caller can parse while the rest arrives. Fails with 413 past `limit`
 * bytes (of the inflated body when gzipped), 415 for an unsupported Content-Encoding and 400 (22P02) for a body
 * that does not gunzip. Returns the buffer and how much of it is body.
 */
export async function readBodyStreaming(
  req: Request,
  limit: number,
  onData: (buffer: Uint8Array, filled: number) => void,
): Promise<{ buffer: Uint8Array; filled: number }> {
  const declared = Number(req.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) throw tooLarge(limit);
  let buffer = new Uint8Array(0);
  let filled = 0;
  if (!req.body) return { buffer, filled };
  const encoding = (req.headers.get('content-encoding') ?? '').toLowerCase();
  if (encoding !== '' && encoding !== 'identity' && encoding !== 'gzip') {
    throw new ApiError(415, '0A000', `unsupported Content-Encoding "${encoding}"`);
  }
  const stream = encoding === 'gzip' ? req.body.pipeThrough(new DecompressionStream('gzip')) : req.body;
  buffer = new Uint8Array(encoding !== 'gzip' && declared > 0 ? declared : 1 << 20);
  const reader = stream.getReader();
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      throw new ApiError(400, '22P02', 'request body could not be decompressed');
    }
    const { done, value } = chunk;
    if (done) break;
    if (filled + value.byteLength > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    if (filled + value.byteLength > buffer.length) {
      const grown = new Uint8Array(Math.min(limit, Math.max(buffer.length * 2, filled + value.byteLength)));
      grown.set(buffer.subarray(0, filled));
      buffer = grown;
    }
    buffer.set(value, filled);
    filled += value.byteLength;
    onData(buffer, filled);
  }
  return { buffer, filled };
}

/**
 * Fails with 400 (22021) unless `bytes` is valid UTF-8. ASCII bodies (the
 * common case for line protocol) are recognised by a word-wide scan and never
 * decoded.
 */
export function assertUtf8(bytes: Uint8Array): void {
  const words = bytes.byteLength >> 2;
  let high = 0;
  if ((bytes.byteOffset & 3) === 0) {
    const w = new Uint32Array(bytes.buffer, bytes.byteOffset, words);
    for (let i = 0; i < words && high === 0; i++) high = w[i] & 0x80808080;
  } else for (let i = 0; i < words * 4 && high === 0; i++) high = bytes[i] & 0x80;
  for (let i = words * 4; i < bytes.length; i++) high |= bytes[i] & 0x80;
  if (high === 0) return;
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError(400, '22021', 'request body is not valid UTF-8');
  }
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, '54000', `request body exceeds the ${limit}-byte limit`);
}
