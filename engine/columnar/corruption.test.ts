import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSqlError } from '../errors.ts';
import { encodeChunk, serializeChunk } from './chunk-encoder.ts';
import { columnByteRange } from './chunk-format.ts';
import { openChunk } from './chunk-reader.ts';
import { ALL_TYPES, columnArb, vectorOf } from './test-vectors.ts';

/** One chunk holding a column of every type, shaped by fast-check. */
const chunkArb = fc.tuple(...ALL_TYPES.map((t) => columnArb(t, 40))).map((cols) => {
  const n = Math.min(...cols.map((c) => c.length));
  const schema = ALL_TYPES.map((type, i) => ({ name: `c${i}`, type }));
  return serializeChunk(
    encodeChunk(
      schema,
      cols.map((c, i) => vectorOf(ALL_TYPES[i], c.slice(0, n))),
      n,
    ),
  );
});

/** Opens, decodes and filters everything; returns 'ok' or the SQLSTATE, and rethrows anything else. */
function readAll(bytes: Uint8Array): string {
  try {
    const r = openChunk(bytes);
    for (let i = 0; i < r.columns.length; i++) {
      const v = r.column(i);
      if (v.length !== r.rowCount) throw new Error('length mismatch');
      const type = r.columns[i].type;
      if (type === 'int32' || type === 'float64' || type === 'timestamp') r.filterRange(i, { lo: 0, hi: 10 });
      if (type === 'text') r.filterIn(i, ['a', '']);
    }
    return 'ok';
  } catch (e) {
    if (isSqlError(e)) return e.code;
    throw e;
  }
}

describe('corrupt chunks', () => {
  it('either decode or fail with an SqlError, never a crash, after byte flips', () => {
    fc.assert(
      fc.property(
        chunkArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        (bytes, flips) => {
          const b = bytes.slice();
          for (const [at, x] of flips) b[at % b.length] ^= x;
          expect(['ok', 'XX000', '0A000']).toContain(readAll(b));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fails with XX000 when truncated anywhere', () => {
    fc.assert(
      fc.property(chunkArb, fc.nat(), (bytes, cut) => {
        const header = openChunk(bytes).header;
        const last = header.columns.length - 1;
        const end = columnByteRange(header, last).end; // bytes after it are alignment padding
        const at = cut % end;
        const got = readAll(bytes.subarray(0, at));
        expect(got).toBe('XX000');
      }),
      { numRuns: 200 },
    );
  });

  it('detects every single-byte change of the header', () => {
    const bytes = fc.sample(chunkArb, { numRuns: 1, seed: 42 })[0];
    const headerLength = openChunk(bytes).header.headerLength;
    for (let at = 0; at < headerLength; at++) {
      for (const x of [0x01, 0x80, 0xff]) {
        const b = bytes.slice();
        b[at] ^= x;
        expect(['XX000', '0A000']).toContain(readAll(b)); // the header CRC catches every change
      }
    }
  });
});
