import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSqlError } from '../errors.ts';
import type { ColumnType } from '../vector.ts';
import { encodeChunk, encodeChunks, serializeChunk } from './chunk-encoder.ts';
import { CHUNK_PREAMBLE_BYTES, columnByteRange, readChunkHeader, readHeaderLength } from './chunk-format.ts';
import { openChunk, openChunkParts } from './chunk-reader.ts';
import { codecName } from './column-codec.ts';
import {
  ALL_TYPES,
  columnArb,
  firstDifference,
  type JsValue,
  sameValue,
  valuesOf,
  vectorOf,
} from './test-vectors.ts';
import { compareZoneValues } from './zone-map.ts';

function roundTrip(type: ColumnType, values: JsValue[]): JsValue[] {
  const chunk = encodeChunk([{ name: 'c', type }], [vectorOf(type, values)], values.length);
  return valuesOf(openChunk(serializeChunk(chunk)).column(0));
}

describe('decode(encode(x)) === x', () => {
  for (const type of ALL_TYPES) {
    it(`round-trips ${type} columns`, () => {
      fc.assert(
        fc.property(columnArb(type), (values) => {
          const back = roundTrip(type, values);
          const at = firstDifference(values, back);
          if (at >= 0) throw new Error(`row ${at}: wrote ${String(values[at])}, read ${String(back[at])}`);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('keeps NaN payloads, ±Infinity, -0 and subnormals bit-exact among decimals', () => {
    const values: number[] = [];
    for (let i = 0; i < 1000; i++) values.push(i % 101);
    values[10] = Number.NaN;
    values[20] = Number.NaN;
    values[30] = -0;
    values[40] = Number.POSITIVE_INFINITY;
    values[50] = Number.NEGATIVE_INFINITY;
    values[60] = 5e-324;
    values[70] = 0.1 + 0.2;
    const vec = vectorOf('float64', values);
    // A NaN with a payload, written through the bits (JS numbers may canonicalize NaN).
    new Uint32Array((vec.values as Float64Array).buffer).set([0xdeadbeef, 0x7ff80001], 20);
    const back = openChunk(serializeChunk(encodeChunk([{ name: 'f', type: 'float64' }], [vec], 1000))).column(
      0,
    );
    const bits = new Uint32Array((back as { values: Float64Array }).values.buffer);
    expect(bits[21]).toBe(0x7ff80001);
    expect(bits[20]).toBe(0xdeadbeef);
    const got = valuesOf(back);
    got[10] = Number.NaN; // checked through the bits above
    expect(firstDifference(values, got)).toBe(-1);
  });

  it('round-trips extreme int64 and int32 values', () => {
    const i64 = [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 2n ** 53n + 1n];
    expect(roundTrip('int64', i64)).toEqual(i64);
    const i32 = [-2147483648, 2147483647, -2147483648, 0, 2147483647];
    expect(roundTrip('int32', i32)).toEqual(i32);
    // A delta of ~2^32 between int32 extremes wraps in the Int32Array decoder and must still decode exactly.
    const jump = [
      ...Array.from({ length: 300 }, (_, i) => -2147483648 + i * 3),
      ...Array.from({ length: 300 }, (_, i) => 2147483647 - 900 + i * 3),
      ...Array.from({ length: 300 }, (_, i) => -2147483648 + i * i),
    ];
    expect(roundTrip('int32', jump)).toEqual(jump);
    // Large magnitudes with a small range: 2·x overflows 2^53, deltas do not (regression).
    const ts = [8129179905715705, 8568189580228349, 8129179905715705, 9007199254740991, 9007199254740990];
    expect(roundTrip('timestamptz', ts)).toEqual(ts);
    const big = [2n ** 52n - 5n, 2n ** 52n - 1n, 2n ** 52n - 5n, -(2n ** 52n) + 3n];
    expect(roundTrip('int64', big)).toEqual(big);
  });

  it('round-trips a full 65536-row chunk of every type and a single row', () => {
    for (const type of ALL_TYPES) {
      const sample = fc.sample(columnArb(type, 50), { numRuns: 1, seed: 7 })[0];
      const big = Array.from({ length: 65536 }, (_, i) => sample[i % Math.max(1, sample.length)] ?? null);
      expect(firstDifference(big, roundTrip(type, big))).toBe(-1);
      expect(firstDifference(big.slice(0, 1), roundTrip(type, big.slice(0, 1)))).toBe(-1);
    }
  });

  it('decodes low-cardinality text as a dictionary vector and high-cardinality as flat', () => {
    const low = Array.from({ length: 1000 }, (_, i) => `host_${i % 10}`);
    const high = Array.from({ length: 1000 }, (_, i) => `row ${i} ü`);
    const r = openChunk(
      serializeChunk(
        encodeChunk(
          [
            { name: 'l', type: 'text' },
            { name: 'h', type: 'text' },
          ],
          [vectorOf('text', low), vectorOf('text', high)],
          1000,
        ),
      ),
    );
    expect(r.column(0).kind).toBe('dict');
    expect(r.column(1).kind).toBe('flat');
    expect(valuesOf(r.column(0))).toEqual(low);
    expect(valuesOf(r.column(1))).toEqual(high);
  });
});

describe('zone maps', () => {
  for (const type of ['int32', 'float64', 'timestamp', 'text', 'int64', 'bool'] as ColumnType[]) {
    it(`are exact for ${type}`, () => {
      fc.assert(
        fc.property(columnArb(type, 100), (values) => {
          const chunk = encodeChunk([{ name: 'c', type }], [vectorOf(type, values)], values.length);
          const zone = chunk.meta.columns[0].zone;
          const live = values
            .filter((v) => v !== null && !(typeof v === 'number' && Number.isNaN(v)))
            .map((v) => (typeof v === 'boolean' ? Number(v) : v)) as (number | bigint | string)[];
          expect(zone.nullCount).toBe(values.filter((v) => v === null).length);
          expect(zone.rowCount).toBe(values.length);
          if (live.length === 0) expect(zone.min).toBeUndefined();
          else {
            const sorted = [...live].sort(compareZoneValues);
            expect(compareZoneValues(zone.min!, sorted[0])).toBe(0);
            expect(compareZoneValues(zone.max!, sorted[sorted.length - 1])).toBe(0);
          }
        }),
        { numRuns: 100 },
      );
    });
  }
});

describe('chunk layout', () => {
  const schema = [
    { name: 't', type: 'timestamptz' as const },
    { name: 'host', type: 'text' as const },
    { name: 'v', type: 'float64' as const },
  ];
  const n = 5000;
  const cols = [
    vectorOf(
      'timestamptz',
      Array.from({ length: n }, (_, i) => 1.7e15 + Math.floor(i / 10) * 1e7),
    ),
    vectorOf(
      'text',
      Array.from({ length: n }, (_, i) => `host_${i % 10}`),
    ),
    vectorOf(
      'float64',
      Array.from({ length: n }, (_, i) => (i * 7) % 101),
    ),
  ];

  it('serves columns lazily from the split form and by byte range from the single buffer', () => {
    const chunk = encodeChunk(schema, cols, n);
    const fetched: number[] = [];
    const r = openChunkParts(chunk.header, (i) => {
      fetched.push(i);
      return chunk.columns[i];
    });
    expect(valuesOf(r.column(2))).toEqual(valuesOf(cols[2]));
    expect(fetched).toEqual([2]);
    r.column(2);
    expect(fetched).toEqual([2]); // cached
    r.evict();
    r.column(2);
    expect(fetched).toEqual([2, 2]);
    const uncached = openChunkParts(
      chunk.header,
      (i) => {
        fetched.push(i);
        return chunk.columns[i];
      },
      { cache: false },
    );
    expect(uncached.column(0)).not.toBe(uncached.column(0));
    const whole = serializeChunk(chunk);
    for (let i = 0; i < 3; i++) {
      const { start, end } = columnByteRange(r.header, i);
      expect(start % 8).toBe(0);
      expect(whole.subarray(start, end)).toEqual(chunk.columns[i]);
    }
  });

  it('splits at 65536 rows and keeps every block under the byte limit', () => {
    const rows = 70000;
    const text = Array.from({ length: rows }, (_, i) => `${i}:${'x'.repeat(i % 97)}`);
    const ints = Array.from({ length: rows }, (_, i) => i * 31);
    const chunks = encodeChunks(
      [
        { name: 's', type: 'text' },
        { name: 'i', type: 'int32' },
      ],
      [vectorOf('text', text), vectorOf('int32', ints)],
      rows,
      { maxBlockBytes: 400_000 },
    );
    expect(chunks.length).toBeGreaterThan(2);
    const backText: JsValue[] = [];
    const backInts: JsValue[] = [];
    for (const c of chunks) {
      expect(c.meta.rowCount).toBeLessThanOrEqual(65536);
      for (const b of c.columns) expect(b.length).toBeLessThanOrEqual(400_000);
      const r = openChunk(serializeChunk(c));
      backText.push(...valuesOf(r.column(0)));
      backInts.push(...valuesOf(r.column(1)));
    }
    expect(firstDifference(text, backText)).toBe(-1);
    expect(firstDifference(ints, backInts)).toBe(-1);
  });

  it('splits a column above the real 2 MB limit', () => {
    const rows = 20000;
    const text = Array.from({ length: rows }, (_, i) => `${i}`.padEnd(200, 'é'));
    const chunks = encodeChunks([{ name: 's', type: 'text' }], [vectorOf('text', text)], rows);
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    for (const c of chunks) expect(c.columns[0].length).toBeLessThanOrEqual(2_000_000);
    expect(chunks.reduce((a, c) => a + c.meta.rowCount, 0)).toBe(rows);
    const back = chunks.flatMap((c) => valuesOf(openChunk(serializeChunk(c)).column(0)));
    expect(firstDifference(text, back)).toBe(-1);
  });

  it('rejects a single value larger than a block with SQLSTATE 54000', () => {
    const huge = 'x'.repeat(2_100_000);
    const err = (() => {
      try {
        encodeChunks([{ name: 's', type: 'text' }], [vectorOf('text', ['a', huge])], 2);
      } catch (e) {
        return e;
      }
    })();
    expect(isSqlError(err) && err.code).toBe('54000');
  });

  it('finds each column by its byte range after reading only the preamble and header', () => {
    const whole = serializeChunk(encodeChunk(schema, cols, n));
    const headerLength = readHeaderLength(whole.subarray(0, CHUNK_PREAMBLE_BYTES));
    const header = readChunkHeader(whole.subarray(0, headerLength));
    const r = openChunkParts(whole.subarray(0, headerLength), (i) => {
      const { start, end } = columnByteRange(header, i);
      return whole.slice(start, end); // as an R2 range read would return it
    });
    expect(valuesOf(r.column(1))).toEqual(valuesOf(cols[1]));
    expect(r.columns.map((c) => codecName(c.codec, c.detail))).toEqual(['int:lag', 'text:dict', 'float:alp']);
  });

  it('rejects text UTF-8 cannot hold (22021) and values of the wrong kind (42804)', () => {
    expect(() =>
      encodeChunk([{ name: 't', type: 'text' }], [vectorOf('text', ['ok', 'bad\ud800'])], 2),
    ).toThrow(expect.objectContaining({ code: '22021' }));
    const mixed = {
      kind: 'flat' as const,
      type: 'text' as const,
      length: 2,
      values: ['a', 42] as unknown as string[],
    };
    expect(() => encodeChunk([{ name: 't', type: 'text' }], [mixed], 2)).toThrow(
      expect.objectContaining({ code: '42804' }),
    );
  });

  it('rejects vectors shorter than the row count with 22023', () => {
    expect(() => encodeChunk([{ name: 'i', type: 'int32' }], [vectorOf('int32', [1, 2])], 3)).toThrow(
      expect.objectContaining({ code: '22023' }),
    );
  });

  it('rejects vectors of the wrong physical type with 42804', () => {
    expect(() => encodeChunk([{ name: 'i', type: 'int32' }], [vectorOf('float64', [1.5])], 1)).toThrow(
      expect.objectContaining({ code: '42804' }),
    );
  });

  it('rejects corrupt, truncated and future-version chunks with an SqlError', () => {
    const whole = serializeChunk(encodeChunk(schema, cols, n));
    const codes = (f: () => unknown) => {
      try {
        f();
        return 'ok';
      } catch (e) {
        return isSqlError(e) ? e.code : `not an SqlError: ${String(e)}`;
      }
    };
    expect(codes(() => openChunk(whole.slice(0, 20)))).toBe('XX000');
    const badMagic = whole.slice();
    badMagic[0] ^= 0xff;
    expect(codes(() => openChunk(badMagic))).toBe('XX000');
    const future = whole.slice();
    future[4] = 99;
    expect(codes(() => openChunk(future))).toBe('0A000');
    const r = openChunk(whole.slice(0, whole.length - 16));
    expect(codes(() => r.column(2))).toBe('XX000');
  });

  it('detects any changed byte of a block by its checksum (XX000), never decoding wrong values', () => {
    const chunk = encodeChunk(schema, cols, n);
    fc.assert(
      fc.property(fc.nat(2), fc.nat(), fc.integer({ min: 1, max: 255 }), (col, pos, flip) => {
        const block = chunk.columns[col].slice();
        block[pos % block.length] ^= flip;
        const r = openChunkParts(chunk.header, (i) => (i === col ? block : chunk.columns[i]));
        expect(() => r.column(col)).toThrow(expect.objectContaining({ code: 'XX000' }));
      }),
      { numRuns: 200 },
    );
  });

  it('reports a sameValue difference (the checker can fail)', () => {
    expect(sameValue(0, -0)).toBe(false);
    expect(sameValue(Number.NaN, Number.NaN)).toBe(true);
    expect(firstDifference([1, 2, 3], [1, 2, 4])).toBe(2);
  });
});
