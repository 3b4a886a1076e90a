/**
 * @module workers/data-plane/request-body
 * Reads request bodies with a hard size limit, so an oversized or endless
 * upload gets 413 (SQLSTATE 54000) instead of exhausting the isolate's memory.
 */
import { ApiError } from '../errors.ts';

/** `/sql` bodies: 1 MiB of JSON. */
export const MAX_SQL_BODY_BYTES = 1 << 20;
/** Bulk-ingest bodies: 32 MiB. */
export const MAX_INGEST_BODY_BYTES = 32 << 20;
/** Bind parameters per `/sql` call (PostgreSQL's own limit is 65,535; ours is lower to bound work). */
export const MAX_PARAMS = 10_000;

/** Reads the body as text, failing with 413 past `limit` bytes. */
export async function readBodyText(req: Request, limit: number): Promise<string> {
  const declared = Number(req.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) throw tooLarge(limit);
  if (!req.body) return '';
  const encoding = (req.headers.get('content-encoding') ?? '').toLowerCase();
  if (encoding !== '' && encoding !== 'identity' && encoding !== 'gzip') {
    throw new ApiError(415, '0A000', `unsupported Content-Encoding "${encoding}"`);
  }
  // Telegraf and the InfluxDB clients gzip bodies; the limit applies to the decompressed size.
  const stream = encoding === 'gzip' ? req.body.pipeThrough(new DecompressionStream('gzip')) : req.body;
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      throw new ApiError(400, '22P02', 'request body could not be decompressed');
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    parts.push(value);
  }
  const all = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(all);
  } catch {
    throw new ApiError(400, '22021', 'request body is not valid UTF-8');
  }
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, '54000', `request body exceeds the ${limit}-byte limit`);
}
