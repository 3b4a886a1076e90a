/**
 * Property tests: the external merge sort returns exactly what a stable
 * in-memory sort does (multi-key, NULLS FIRST/LAST, DESC, C collation, NaN),
 * while keeping accounted memory within a tiny budget; the spill codec round
 * trips every value the executor holds in rows.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { SortKey } from '../plan/nodes.ts';
import type { SqlType } from '../types/values.ts';
import { QueryMemory } from './memory.ts';
import { compareRows, sortKeyComparators } from './sort.ts';
import { BlockEncoder, decodeBlock } from './spill-codec.ts';
import { ExternalSorter } from './spill-sort.ts';
import { MemorySpillStore } from './spill-store.ts';

const text = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('a', 'B', 'é', '😀', 'a\u0000', '\ud800'));
const float = fc.oneof(fc.double(), fc.constantFrom(Number.NaN, 0, -0, 1.5));
const cell = (t: SqlType): fc.Arbitrary<unknown> =>
  fc.option(
    (t === 'text'
      ? text
      : t === 'float64'
        ? float
        : fc.integer({ min: -5, max: 5 })) as fc.Arbitrary<unknown>,
    { nil: null },
  );

const TYPES: SqlType[] = ['int32', 'text', 'float64'];

describe('external sort equals in-memory sort', () => {
  test('random rows, keys and budgets', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(cell('int32'), cell('text'), cell('float64')), { minLength: 400, maxLength: 1500 }),
        fc.array(fc.record({ col: fc.nat(2), desc: fc.boolean(), nullsFirst: fc.boolean() }), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.integer({ min: 4 * 1024, max: 32 * 1024 }),
        fc.option(fc.integer({ min: 1, max: 2000 }), { nil: undefined }),
        (data, keys, budget, limit) => {
          const sortKeys: SortKey[] = keys.map((k) => ({
            expr: { kind: 'col', index: k.col, type: TYPES[k.col] },
            desc: k.desc,
            nullsFirst: k.nullsFirst,
          }));
          const cmps = sortKeyComparators(sortKeys);
          const order = (a: readonly unknown[], b: readonly unknown[]) => compareRows(cmps, a, b);
          // Tag each row with its input position so stability is checked too.
          const rows = data.map((r, i) => [...r, i]);
          const expected = rows
            .slice()
            .sort(order)
            .slice(0, limit ?? rows.length);
          const store = new MemorySpillStore();
          const mem = new QueryMemory(budget, store);
          const sorter = new ExternalSorter(mem, order, 'test', limit);
          for (const r of rows) sorter.add(r.slice());
          const stream = sorter.finish();
          const got: unknown[][] = [];
          for (let r = stream.next(); r; r = stream.next()) got.push(r);
          expect(got).toEqual(expected);
          expect(mem.stats.peakBytes).toBeLessThanOrEqual(budget);
          expect(store.liveRuns).toBe(0);
          if (limit === undefined && rows.length * 100 > 2 * budget)
            expect(store.counters.runsCreated).toBeGreaterThan(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('spill codec', () => {
  const value = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.uint8Array({ maxLength: 20 }),
    fc.record({ months: fc.integer(), days: fc.integer(), micros: fc.double() }),
    fc.array(fc.option(fc.integer(), { nil: null }), { maxLength: 5 }),
  );
  test('round trips rows of every value kind', () => {
    fc.assert(
      fc.property(fc.array(fc.array(value, { minLength: 3, maxLength: 3 }), { maxLength: 50 }), (rows) => {
        const enc = new BlockEncoder();
        for (const r of rows) enc.add(r);
        const { rows: back } = decodeBlock(enc.finish());
        expect(back).toEqual(rows);
        // -0 and NaN survive exactly (toEqual alone does not tell -0 from 0).
        for (let i = 0; i < rows.length; i++)
          for (let c = 0; c < 3; c++)
            if (typeof rows[i][c] === 'number') expect(Object.is(back[i][c], rows[i][c])).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
