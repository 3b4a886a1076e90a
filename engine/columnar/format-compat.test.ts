/**
 * Format compatibility: chunks written by earlier format versions (stored in
 * Durable Objects and R2 long before a reader upgrade) still decode, in full,
 * by ranges and through the encoded-data filters.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeChunk, serializeChunk } from './chunk-encoder.ts';
import { CHUNK_FORMAT_VERSION, readChunkHeader } from './chunk-format.ts';
import { openChunk } from './chunk-reader.ts';
import { COMPAT_ROWS, COMPAT_SCHEMA, compatColumns } from './format-compat.data.ts';
import { firstDifference, valuesOf, vectorOf } from './test-vectors.ts';

function fixture(version: number): Uint8Array {
  const text = readFileSync(new URL(`./fixtures/chunk-v${version}.b64`, import.meta.url), 'utf8');
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'base64'));
}

const expected = compatColumns();

function checkChunk(bytes: Uint8Array): void {
  const reader = openChunk(bytes);
  expect(reader.rowCount).toBe(COMPAT_ROWS);
  expect(reader.columns.map((c) => c.name)).toEqual(COMPAT_SCHEMA.map((c) => c.name));
  COMPAT_SCHEMA.forEach((c, i) => {
    const back = valuesOf(reader.column(i));
    const at = firstDifference(expected[i], back);
    expect(at, `${c.name} row ${at}`).toBe(-1);
  });
  // Late materialization (ranges of rows) reads the old bytes too.
  const sel = Uint32Array.from({ length: 300 }, (_, k) => 1000 + k * 3);
  COMPAT_SCHEMA.forEach((c, i) => {
    const fresh = openChunk(bytes);
    const back = valuesOf(fresh.gather(i, sel));
    const want = Array.from(sel, (r) => expected[i][r]);
    expect(firstDifference(want, back), c.name).toBe(-1);
  });
  const hostIdx = COMPAT_SCHEMA.findIndex((c) => c.name === 'host');
  const hits = openChunk(bytes).filterIn(hostIdx, ['host_3']);
  const want = expected[hostIdx].flatMap((v, r) => (v === 'host_3' ? [r] : []));
  expect(Array.from(hits)).toEqual(want);
}

describe('chunk format compatibility', () => {
  it('reads format version 1 bytes (written before mini-block checkpoints)', () => {
    const bytes = fixture(1);
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint16(4, true)).toBe(1);
    expect(readChunkHeader(bytes).version).toBe(1);
    checkChunk(bytes);
  });

  it('reads format version 2 bytes (written before compact PFOR exceptions)', () => {
    const bytes = fixture(2);
    expect(readChunkHeader(bytes).version).toBe(2);
    checkChunk(bytes);
  });

  it('writes the current version and reads it back', () => {
    const chunk = encodeChunk(
      COMPAT_SCHEMA,
      COMPAT_SCHEMA.map((c, i) => vectorOf(c.type, expected[i])),
      COMPAT_ROWS,
    );
    expect(chunk.meta.version).toBe(CHUNK_FORMAT_VERSION);
    checkChunk(serializeChunk(chunk));
  });
});
