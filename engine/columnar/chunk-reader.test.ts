import { describe, expect, it } from 'vitest';
import { encodeChunk } from './chunk-encoder.ts';
import { openChunkParts } from './chunk-reader.ts';
import { valuesOf, vectorOf } from './test-vectors.ts';

describe('ChunkReader block verification across evictions', () => {
  const n = 5000;
  const values = Array.from({ length: n }, (_, i) => i * 3);
  const chunk = encodeChunk([{ name: 'x', type: 'int32' }], [vectorOf('int32', values)], n);

  it('re-reads the same fetched array without a checksum, and still checks a different one', () => {
    let fetches = 0;
    let serve = chunk.columns[0];
    const reader = openChunkParts(chunk.header, () => {
      fetches++;
      return serve;
    });
    expect(valuesOf(reader.column(0))).toEqual(values);
    reader.evict();
    expect(valuesOf(reader.column(0))).toEqual(values);
    expect(fetches).toBe(2);
    // A fresh fetch with a flipped bit (another array) is verified again and rejected.
    serve = chunk.columns[0].slice();
    serve[serve.length - 1] ^= 1;
    reader.evict();
    expect(() => reader.column(0)).toThrow(/checksum/);
  });
});
