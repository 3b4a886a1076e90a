/**
 * Format v3: PFOR exceptions as nested streams and front-coded dictionaries.
 * Clustered series (segments with jumps at every boundary, as a chunk ordered by
 * host then time) round-trip exactly, in full and by row range, through int,
 * timestamp and float columns; corrupt bytes fail with an SqlError; and the
 * compact forms are really chosen (and pay) on the data they are for.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSqlError } from '../errors.ts';
import { ByteReader, ByteWriter } from './byte-io.ts';
import { encodeChunk, serializeChunk } from './chunk-encoder.ts';
import { openChunk } from './chunk-reader.ts';
import { encodeColumn } from './column-codec.ts';
import { decodeColumn } from './column-decoder.ts';
import { writeIntStream } from './int-codec.ts';
import { decodeIntRange, decodeIntStream, type IntStream, readIntStream } from './int-stream.ts';
import { readStringStream, StringKind } from './string-codec.ts';
import { firstDifference, valuesOf, vectorOf } from './test-vectors.ts';

/** Walks restarted at segment boundaries with a jump, plus occasional outliers and extremes. */
const clusteredArb = fc
  .record({
    n: fc.integer({ min: 1, max: 5000 }),
    segLen: fc.integer({ min: 2, max: 300 }),
    step: fc.constantFrom(0, 1, 10_000_000),
    noise: fc.integer({ min: 0, max: 3 }),
    jump: fc.constantFrom(100, 1e6, 2 ** 40),
    outliers: fc.integer({ min: 0, max: 3 }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
  })
  .map(({ n, segLen, step, noise, jump, outliers, seed }) => {
    let s = seed;
    const rand = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    const out = new Float64Array(n);
    let v = 0;
    for (let i = 0; i < n; i++) {
      if (i % segLen === 0) v = Math.floor(rand() * jump) - jump / 2;
      else v += step + (noise > 0 ? Math.floor(rand() * (2 * noise + 1)) - noise : 0);
      out[i] = v;
      if (outliers > 0 && rand() < 0.001 * outliers) out[i] = rand() < 0.5 ? 2 ** 50 : -(2 ** 50);
    }
    return out;
  });

function encodeStream(x: Float64Array): Uint8Array {
  const w = new ByteWriter();
  writeIntStream(w, x, x.length);
  return w.finish();
}

/**
 * Whether any PFOR stream in the tree uses compact exceptions: their positions
 * are decoded into an array of their own, raw ones are a view into the block.
 */
function usesCompact(s: IntStream): boolean {
  if (s.kind === 1) return s.excPos.length > 0 && s.excPos.buffer.byteLength === s.excPos.length * 4;
  if (s.kind === 2) return usesCompact(s.runValues) || usesCompact(s.runLengths);
  if (s.kind === 4) return usesCompact(s.head) || usesCompact(s.body);
  return false;
}

describe('compact PFOR exceptions (format v3)', () => {
  it('round-trips clustered series in full and by row range', () => {
    let compact = 0;
    fc.assert(
      fc.property(clusteredArb, fc.nat(), fc.nat(), (x, a, b) => {
        const bytes = encodeStream(x);
        const s = readIntStream(new ByteReader(bytes), x.length);
        if (usesCompact(s)) compact++;
        const full = new Float64Array(x.length);
        decodeIntStream(s, full);
        expect(firstDifference(Array.from(x), Array.from(full))).toBe(-1);
        const from = a % x.length;
        const to = from + (b % (x.length - from + 1));
        const part = new Float64Array(to - from);
        decodeIntRange(s, from, to, part);
        expect(Array.from(part)).toEqual(Array.from(full.subarray(from, to)));
      }),
      { numRuns: 300 },
    );
    expect(compact).toBeGreaterThan(30);
  });

  it('round-trips clustered int32, timestamptz and float64 columns with NULLs and special floats', () => {
    fc.assert(
      fc.property(clusteredArb, fc.integer({ min: 0, max: 2 ** 30 }), (x, seed) => {
        const n = x.length;
        const nullAt = (i: number) => (i * 7919 + seed) % 97 === 0;
        const ints = Array.from(x, (v, i) =>
          nullAt(i) ? null : Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, v)),
        );
        const times = Array.from(x, (v, i) => (nullAt(i) ? null : 1.7e15 + v));
        const specials = [
          Number.NaN,
          Number.POSITIVE_INFINITY,
          Number.NEGATIVE_INFINITY,
          -0,
          Number.MAX_VALUE,
        ];
        const floats = Array.from(x, (v, i) =>
          nullAt(i) ? null : (i * 31 + seed) % 211 === 0 ? specials[i % specials.length] : v / 100,
        );
        for (const [type, values] of [
          ['int32', ints],
          ['timestamptz', times],
          ['float64', floats],
        ] as const) {
          const block = encodeColumn(type, vectorOf(type, values), n).bytes;
          const back = valuesOf(decodeColumn(type, block, n));
          expect(firstDifference(values, back), type).toBe(-1);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('costs about a byte per segment boundary, not 12', () => {
    // 1,000 segments of 65 rows: a walk per segment, each starting anywhere in 0..100.
    const n = 65_000;
    const x = new Float64Array(n);
    let s = 7;
    const rand = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    for (let i = 0; i < n; i++)
      x[i] = i % 65 === 0 ? Math.floor(rand() * 100) : x[i - 1] + (rand() < 0.5 ? -1 : 1);
    const bytes = encodeStream(x);
    // Packed steps (2 bits × 65,000 = 16,250 bytes) plus at most 2 bytes per boundary.
    expect(bytes.length).toBeLessThan(16_250 + 2_000 + 400);
  });

  it('rejects corrupt compact streams with an SqlError, never a crash', () => {
    const x = new Float64Array(3000);
    for (let i = 0; i < x.length; i++) x[i] = (i % 50) * 3 + Math.floor(i / 50) * 1000;
    const good = encodeStream(x);
    expect(usesCompact(readIntStream(new ByteReader(good), x.length))).toBe(true);
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const bad = good.slice();
        bad[at] ^= flip;
        try {
          const s = readIntStream(new ByteReader(bad), x.length);
          decodeIntStream(s, new Float64Array(x.length));
          decodeIntRange(s, 1000, 2500, new Float64Array(1500));
        } catch (e) {
          if (!isSqlError(e)) throw e;
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('front-coded dictionaries (format v3)', () => {
  const prefixArb = fc.constantFrom('host_', 'ü', '😀x', '', 'a😀');
  /** Groups of values sharing a prefix (as host names do), each value repeated so a dictionary pays. */
  const valuesArb = fc
    .array(
      fc.tuple(
        prefixArb,
        fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.string({ maxLength: 3 })), {
          minLength: 1,
          maxLength: 20,
        }),
      ),
      { minLength: 1, maxLength: 20 },
    )
    .map((groups) =>
      groups.flatMap(([p, ks]) => ks.flatMap(([k, s]) => [`${p}${k}${s}`, `${p}${k}${s}`, `${p}${k}${s}`])),
    );

  it('round-trips (surrogate pairs included) and is chosen for shared prefixes', () => {
    let front = 0;
    fc.assert(
      fc.property(valuesArb, fc.boolean(), (values, withNull) => {
        const col = withNull ? values.map((v, i) => (i % 5 === 0 ? null : v)) : values;
        const n = col.length;
        const block = encodeColumn('text', vectorOf('text', col), n).bytes;
        if (block[2 + (block[1] & 1 ? (n + 7) >> 3 : 0)] === StringKind.dictFront) front++;
        expect(firstDifference(col, valuesOf(decodeColumn('text', block, n)))).toBe(-1);
        const chunk = openChunk(
          serializeChunk(encodeChunk([{ name: 't', type: 'text' }], [vectorOf('text', col)], n)),
        );
        const want = col.flatMap((v, i) => (v === values[0] ? [i] : []));
        expect(Array.from(chunk.filterIn(0, [values[0]]))).toEqual(want);
      }),
      { numRuns: 200 },
    );
    expect(front).toBeGreaterThan(20);
  });

  it('stores host names in a few bytes each', () => {
    // A clustered chunk: each host's rows together (the dictionary in first-appearance order).
    const names = Array.from({ length: 1000 }, (_, i) => `host_${i}`);
    const rows = names.flatMap((h) => [h, h, h]);
    const block = encodeColumn('text', vectorOf('text', rows), rows.length).bytes;
    const r = new ByteReader(block);
    r.u8();
    r.u8();
    const st = readStringStream(r, rows.length);
    expect(st.kind === StringKind.dict ? st.dict : undefined).toEqual(names);
    expect(block[2]).toBe(StringKind.dictFront);
    // Plain, the names alone take 7.9 bytes each.
    expect(block.length).toBeLessThan(1000 * 3.5);
  });
});
