import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from './byte-io.ts';
import { encodeChunk, serializeChunk } from './chunk-encoder.ts';
import { openChunk } from './chunk-reader.ts';
import { Codec, encodeColumn } from './column-codec.ts';
import { FloatKind } from './float-codec.ts';
import { writeGorilla } from './gorilla.ts';
import { detectApproxPeriod, detectPeriod } from './int-choice.ts';
import { IntKind, readIntStream } from './int-stream.ts';
import { filterRangeBlock } from './pushdown.ts';
import { firstDifference, type JsValue, valuesOf, vectorOf } from './test-vectors.ts';

/** A deterministic xorshift PRNG so sizes asserted below are reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** TSBS-like time-major rows: `hosts` random walks of whole numbers 0–100, one row per host per step. */
function timeMajor(hosts: number, steps: number, seed: number) {
  const r = rng(seed);
  const state = Array.from({ length: hosts }, () => r() * 100);
  const time: number[] = [];
  const host: string[] = [];
  const value: number[] = [];
  for (let s = 0; s < steps; s++) {
    for (let h = 0; h < hosts; h++) {
      time.push(1.4516064e15 + s * 1e7);
      host.push(`host_${h}`);
      value.push(Math.trunc(state[h]));
      state[h] = Math.min(100, Math.max(0, state[h] + (r() + r() + r() - 1.5) * 2));
    }
  }
  return { time, host, value };
}

function intStreamKind(block: Uint8Array, n: number): number {
  const r = new ByteReader(block);
  r.u8();
  r.u8();
  return readIntStream(r, n).kind;
}

describe('codec choice', () => {
  it('ALP beats Gorilla by at least 2x on TSBS-like whole numbers 0–100', () => {
    const { value } = timeMajor(100, 100, 1);
    const v = Float64Array.from(value);
    const alp = encodeColumn('float64', vectorOf('float64', value), v.length);
    expect(alp.detail).toBe(FloatKind.alp);
    const w = new ByteWriter();
    writeGorilla(w, new Uint32Array(v.buffer), v.length);
    expect(alp.bytes.length * 2).toBeLessThan(w.length);
    expect(alp.bytes.length / v.length).toBeLessThan(1); // ≤ 8 bits per value
  });

  it('uses ALP for two-decimal prices and Gorilla or plain for random doubles', () => {
    const r = rng(2);
    const prices = Array.from({ length: 5000 }, () => Math.round(r() * 1e6) / 100);
    expect(encodeColumn('float64', vectorOf('float64', prices), 5000).detail).toBe(FloatKind.alp);
    const noise = Array.from({ length: 5000 }, () => r() * 1e6);
    expect(encodeColumn('float64', vectorOf('float64', noise), 5000).detail).not.toBe(FloatKind.alp);
  });

  it('stores noisy real (float32) values in at most 4 bytes each, bit-exactly', () => {
    const r = rng(4);
    const values: JsValue[] = Array.from({ length: 4000 }, () => Math.fround(r() * 100));
    values[7] = Number.NaN;
    values[8] = -0;
    values[9] = Number.NEGATIVE_INFINITY;
    const e = encodeColumn('float32', vectorOf('float32', values), values.length);
    expect(e.detail).toBe(FloatKind.f32);
    expect(e.bytes.length).toBeLessThan(4 * values.length + 64);
    const back = openChunk(
      serializeChunk(
        encodeChunk([{ name: 'r', type: 'float32' }], [vectorOf('float32', values)], values.length),
      ),
    ).column(0);
    expect(firstDifference(values, valuesOf(back))).toBe(-1);
  });

  it('encodes regular timestamps and run-length data in well under a byte per row', () => {
    const n = 65536;
    const regular = Array.from({ length: n }, (_, i) => 1.7e15 + i * 1e7 + (i % 5000 === 0 ? 3 : 0));
    expect(encodeColumn('timestamptz', vectorOf('timestamptz', regular), n).bytes.length).toBeLessThan(
      n / 50,
    );
    const runs = Array.from({ length: n }, (_, i) => 1.7e15 + Math.floor(i / 1000) * 1e7);
    const block = encodeColumn('timestamptz', vectorOf('timestamptz', runs), n).bytes;
    expect(intStreamKind(block, n)).toBe(IntKind.rle);
    expect(block.length).toBeLessThan(400);
  });

  it('finds the row period of time-major data and uses it for every column', () => {
    const hosts = 200;
    const steps = 300;
    const { time, host, value } = timeMajor(hosts, steps, 3);
    const n = time.length;
    expect(detectPeriod(host, n)).toBe(hosts);
    expect(detectPeriod(time, n)).toBe(0); // runs carry no period
    expect(detectApproxPeriod(value, n)).toBe(hosts);
    const r0 = rng(9);
    expect(
      detectApproxPeriod(
        Array.from({ length: n }, () => r0() * 100),
        n,
      ),
    ).toBe(0);
    const schema = [
      { name: 'time', type: 'timestamptz' as const },
      { name: 'host', type: 'text' as const },
      { name: 'v', type: 'float64' as const },
    ];
    const cols = [vectorOf('timestamptz', time), vectorOf('text', host), vectorOf('float64', value)];
    const chunk = encodeChunk(schema, cols, n);
    const noPeriod = encodeColumn('float64', cols[2], n, { period: 0 }).bytes.length;
    // The per-host random walk interleaved across hosts costs ~7 bits alone, ~3 with the period.
    expect(chunk.columns[2].length).toBeLessThan(noPeriod * 0.6);
    // Without a hint the float column finds the (approximate) period by itself.
    expect(encodeColumn('float64', cols[2], n).bytes.length).toBeLessThan(noPeriod * 0.6);
    const r = openChunk(serializeChunk(chunk));
    expect(firstDifference(value, valuesOf(r.column(2)))).toBe(-1);
    expect(firstDifference(host, valuesOf(r.column(1)))).toBe(-1);
  });

  it('round-trips periodic tables with NULLs and jitter for any period', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 300 }),
        fc.integer({ min: 1, max: 40 }),
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 8 }),
        (hosts, steps, seed, holes) => {
          const { time, host, value } = timeMajor(hosts, steps, seed);
          const n = time.length;
          const v: JsValue[] = [...value];
          const h: JsValue[] = [...host];
          for (const k of holes) {
            v[k % n] = k % 3 === 0 ? null : (v[k % n] as number) + 0.5;
            if (k % 2) h[k % n] = null;
          }
          const schema = [
            { name: 'host', type: 'text' as const },
            { name: 'v', type: 'float64' as const },
            { name: 'i', type: 'int32' as const },
          ];
          const ints = value.map((x, i) => (i % 7 === 3 ? null : x * 1000 - 50000));
          const chunk = encodeChunk(
            schema,
            [vectorOf('text', h), vectorOf('float64', v), vectorOf('int32', ints)],
            n,
          );
          const r = openChunk(serializeChunk(chunk));
          expect(firstDifference(h, valuesOf(r.column(0)))).toBe(-1);
          expect(firstDifference(v, valuesOf(r.column(1)))).toBe(-1);
          expect(firstDifference(ints, valuesOf(r.column(2)))).toBe(-1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('filters lag-encoded integer blocks exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 50 }),
        fc.integer({ min: 2, max: 60 }),
        fc.nat(),
        fc.integer({ min: 0, max: 100 }),
        (hosts, steps, seed, lo) => {
          const { value } = timeMajor(hosts, steps, seed);
          const n = value.length;
          const e = encodeColumn('int32', vectorOf('int32', value), n, { period: hosts });
          expect(e.codec).toBe(Codec.int);
          const got = Array.from(filterRangeBlock('int32', e.bytes, n, { lo, hi: lo + 10 }));
          const want = value.flatMap((x, i) => (x >= lo && x <= lo + 10 ? [i] : []));
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('dictionary vectors as input', () => {
  it('keeps only used, distinct entries per chunk and decodes to the same strings', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c', 'a', 'é', ''), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 400 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (dictValues, picks, holes) => {
          const n = picks.length;
          const codes = Int32Array.from(picks, (p) => p % dictValues.length);
          const nulls = new Uint8Array((n + 7) >> 3);
          for (const h of holes) if (n > 0) nulls[(h % n) >> 3] |= 1 << ((h % n) & 7);
          for (const h of holes) if (n > 0) codes[h % n] = -7; // garbage under NULL
          const expected: JsValue[] = Array.from(codes, (c, i) =>
            (nulls[i >> 3] & (1 << (i & 7))) !== 0 ? null : dictValues[c],
          );
          const dictVec = {
            kind: 'flat' as const,
            type: 'text' as const,
            length: dictValues.length,
            values: dictValues,
          };
          const input = {
            kind: 'dict' as const,
            type: 'text' as const,
            length: n,
            codes,
            dict: dictVec,
            nulls,
          };
          const chunk = encodeChunk([{ name: 't', type: 'text' }], [input], n);
          const back = openChunk(serializeChunk(chunk)).column(0);
          expect(firstDifference(expected, valuesOf(back))).toBe(-1);
          if (back.kind === 'dict') {
            const used = new Set(expected.filter((v) => v !== null));
            expect(new Set(back.dict.values as string[])).toEqual(used);
            expect((back.dict.values as string[]).length).toBe(used.size);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
