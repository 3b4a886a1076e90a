import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnType } from '../vector.ts';
import { encodeChunk, serializeChunk } from './chunk-encoder.ts';
import { openChunk } from './chunk-reader.ts';
import { encodeColumn } from './column-codec.ts';
import { filterInBlock, filterRangeBlock, type NumberRange } from './pushdown.ts';
import { columnArb, type JsValue, vectorOf } from './test-vectors.ts';
import { compareZoneValues, type ZoneMap, zoneMayMatch } from './zone-map.ts';

function naiveRange(values: readonly JsValue[], range: NumberRange): number[] {
  const out: number[] = [];
  values.forEach((raw, i) => {
    if (raw === null) return;
    const v = typeof raw === 'boolean' ? Number(raw) : (raw as number);
    if (range.lo !== undefined) {
      const c = compareZoneValues(v, range.lo);
      if (range.loInclusive === false ? c <= 0 : c < 0) return;
    }
    if (range.hi !== undefined) {
      const c = compareZoneValues(v, range.hi);
      if (range.hiInclusive === false ? c >= 0 : c > 0) return;
    }
    out.push(i);
  });
  return out;
}

/** Integer columns shaped like real data: periodic codes, sorted timestamps, runs. */
const periodic = fc
  .tuple(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 3000 }))
  .map(([period, n]) => Array.from({ length: n }, (_, i) => i % period) as JsValue[]);
const withOutliers = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 100, maxLength: 2000 }),
    fc.array(fc.nat(), { maxLength: 5 }),
  )
  .map(([vs, at]) => {
    const out: JsValue[] = [...vs];
    for (const a of at) out[a % out.length] = a % 2 ? -1e9 : 2e9;
    return out;
  });

const bound = fc.option(
  fc.oneof(fc.integer({ min: -30, max: 3100 }), fc.double({ noNaN: true, min: -50, max: 500 })),
  {
    nil: undefined,
  },
);
const rangeArb = fc.record({ lo: bound, hi: bound, loInclusive: fc.boolean(), hiInclusive: fc.boolean() });

describe('filterRangeBlock', () => {
  const cases: [ColumnType, fc.Arbitrary<JsValue[]>][] = [
    ['int32', fc.oneof(columnArb('int32'), periodic, withOutliers)],
    ['int16', columnArb('int16')],
    ['date', periodic],
    ['timestamptz', fc.oneof(columnArb('timestamptz'), periodic)],
    ['float64', fc.oneof(columnArb('float64'), periodic)],
    ['bool', columnArb('bool')],
  ];
  for (const [type, arb] of cases) {
    it(`matches a naive filter on ${type}`, () => {
      fc.assert(
        fc.property(arb, rangeArb, (values, range) => {
          const block = encodeColumn(type, vectorOf(type, values), values.length).bytes;
          const got = Array.from(filterRangeBlock(type, block, values.length, range));
          expect(got).toEqual(naiveRange(values, range));
        }),
        { numRuns: 200 },
      );
    });
  }

  it('handles NaN like PostgreSQL (greater than every number)', () => {
    const values = [1, Number.NaN, 3, null, Number.POSITIVE_INFINITY];
    const block = encodeColumn('float64', vectorOf('float64', values), 5).bytes;
    expect(Array.from(filterRangeBlock('float64', block, 5, { lo: 2 }))).toEqual([1, 2, 4]);
    expect(Array.from(filterRangeBlock('float64', block, 5, { hi: 2 }))).toEqual([0]);
    expect(Array.from(filterRangeBlock('float64', block, 5, { lo: Number.NaN }))).toEqual([1]);
  });
});

describe('filterInBlock', () => {
  it('matches a naive IN on dictionary and plain text', () => {
    const pool = ['a', 'b', 'é', '', 'host_1', '😀'];
    const lowCard = fc.array(fc.option(fc.constantFrom(...pool), { nil: null, freq: 6 }), { maxLength: 500 });
    const periodicText = fc
      .tuple(fc.integer({ min: 1, max: 6 }), fc.nat(3000))
      .map(([p, n]) => Array.from({ length: n }, (_, i) => pool[i % p]) as JsValue[]);
    fc.assert(
      fc.property(
        fc.oneof(lowCard, periodicText, columnArb('text')),
        fc.array(fc.oneof(fc.constantFrom(...pool), fc.string()), { maxLength: 3 }),
        (values, wanted) => {
          const block = encodeColumn('text', vectorOf('text', values), values.length).bytes;
          const got = Array.from(filterInBlock(block, values.length, wanted));
          const want = values.flatMap((v, i) => (v !== null && wanted.includes(v as string) ? [i] : []));
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('ChunkReader filters and zone maps', () => {
  it('prunes with the zone map without fetching the block', () => {
    const n = 4096;
    const t = Array.from({ length: n }, (_, i) => 1000 + i);
    const chunk = encodeChunk([{ name: 't', type: 'timestamp' }], [vectorOf('timestamp', t)], n);
    let fetches = 0;
    const whole = serializeChunk(chunk);
    const r = openChunk(whole);
    const counting = new (r.constructor as typeof import('./chunk-reader.ts').ChunkReader)(r.header, (i) => {
      fetches++;
      return chunk.columns[i];
    });
    expect(counting.filterRange(0, { lo: 99999 }).length).toBe(0);
    expect(counting.filterRange(0, { lo: 0, hi: 1e9 }).length).toBe(n);
    expect(fetches).toBe(0);
    expect(Array.from(counting.filterRange(0, { lo: 1010, hi: 1012 }))).toEqual([10, 11, 12]);
    expect(fetches).toBe(1);
  });

  it('zoneMayMatch never rules out a block that has a matching row', () => {
    const ops = ['=', '<>', '<', '<=', '>', '>='] as const;
    fc.assert(
      fc.property(columnArb('float64', 30), fc.constantFrom(...ops), fc.double(), (values, op, c) => {
        const chunk = encodeChunk(
          [{ name: 'f', type: 'float64' }],
          [vectorOf('float64', values)],
          values.length,
        );
        const zone: ZoneMap = chunk.meta.columns[0].zone;
        const any = values.some((v) => {
          if (v === null) return false;
          const k = compareZoneValues(v as number, c);
          return op === '='
            ? k === 0
            : op === '<>'
              ? k !== 0
              : op === '<'
                ? k < 0
                : op === '<='
                  ? k <= 0
                  : op === '>'
                    ? k > 0
                    : k >= 0;
        });
        if (any) expect(zoneMayMatch(zone, op, c)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('ChunkReader.filterCompare', () => {
  const ops = ['=', '<>', '<', '<=', '>', '>='] as const;
  const holds = (c: number, op: (typeof ops)[number]) =>
    op === '='
      ? c === 0
      : op === '<>'
        ? c !== 0
        : op === '<'
          ? c < 0
          : op === '<='
            ? c <= 0
            : op === '>'
              ? c > 0
              : c >= 0;
  const cases: [ColumnType, fc.Arbitrary<number | string>][] = [
    ['int32', fc.oneof(fc.integer({ min: -200, max: 200 }), fc.double({ min: -200, max: 200, noNaN: true }))],
    ['float64', fc.oneof(fc.double(), fc.integer({ min: 0, max: 100 }))],
    ['timestamptz', fc.integer({ min: -1e6, max: 1e6 })],
    ['text', fc.oneof(fc.string(), fc.constantFrom('a', 'b', 'é', '', '😀'))],
  ];
  for (const [type, valueArb] of cases) {
    it(`matches a naive comparison on ${type}`, () => {
      const colArb =
        type === 'text'
          ? fc.oneof(
              columnArb('text', 200),
              fc.array(fc.option(fc.constantFrom('a', 'b', 'é', '', '😀'), { nil: null }), {
                maxLength: 300,
              }),
            )
          : fc.oneof(columnArb(type, 200), periodic);
      fc.assert(
        fc.property(colArb, fc.constantFrom(...ops), valueArb, (values, op, c) => {
          const chunk = encodeChunk([{ name: 'x', type }], [vectorOf(type, values)], values.length);
          const got = openChunk(serializeChunk(chunk)).filterCompare(0, op, c);
          const want = values.flatMap((v, i) =>
            v !== null && holds(compareZoneValues(v as number | string, c), op) ? [i] : [],
          );
          expect(got === undefined ? undefined : Array.from(got)).toEqual(want);
        }),
        { numRuns: 200 },
      );
    });
  }
});
