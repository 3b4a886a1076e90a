/**
 * The value → row-runs index of clustered text blocks answers `=` / `IN` with
 * exactly the rows a scan of the codes finds (and declines blocks it cannot index).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeChunk, serializeChunk } from './chunk-encoder.ts';
import { openChunk } from './chunk-reader.ts';
import { encodeColumn } from './column-codec.ts';
import { filterInBlock } from './pushdown.ts';
import { buildRunIndex, rowsOfRuns } from './run-index.ts';
import { vectorOf } from './test-vectors.ts';

/** A clustered text column: runs of a few values, each value possibly in several runs. */
const clusteredArb = fc
  .array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'host_1', 'é', ''), fc.integer({ min: 1, max: 400 })), {
    minLength: 1,
    maxLength: 40,
  })
  .map((runs) => runs.flatMap(([v, len]) => Array.from({ length: len }, () => v)));

describe('run index', () => {
  it('selects the same rows as scanning the codes', () => {
    let indexed = 0;
    fc.assert(
      fc.property(clusteredArb, fc.subarray(['a', 'b', 'c', 'host_1', 'é', '', 'zz']), (values, wanted) => {
        const n = values.length;
        const block = encodeColumn('text', vectorOf('text', values), n).bytes;
        const index = buildRunIndex(block, n);
        const want = values.flatMap((v, i) => (wanted.includes(v) ? [i] : []));
        expect(Array.from(filterInBlock(block, n, wanted))).toEqual(want);
        if (index !== null) {
          indexed++;
          expect(Array.from(rowsOfRuns(index, wanted))).toEqual(want);
        }
        const chunk = openChunk(
          serializeChunk(encodeChunk([{ name: 'h', type: 'text' }], [vectorOf('text', values)], n)),
        );
        expect(Array.from(chunk.filterIn(0, wanted)), 'cached reader').toEqual(want);
      }),
      { numRuns: 200 },
    );
    expect(indexed).toBeGreaterThan(50);
  });

  it('declines blocks with NULLs and non-dictionary blocks', () => {
    const withNull = ['a', 'a', null, 'b', 'b', 'b', 'b', 'b'].concat(Array(200).fill('b'));
    expect(
      buildRunIndex(encodeColumn('text', vectorOf('text', withNull), withNull.length).bytes, withNull.length),
    ).toBe(null);
    const distinct = Array.from({ length: 300 }, (_, i) => `v${i}`);
    expect(buildRunIndex(encodeColumn('text', vectorOf('text', distinct), 300).bytes, 300)).toBe(null);
    const reader = openChunk(
      serializeChunk(
        encodeChunk([{ name: 'h', type: 'text' }], [vectorOf('text', withNull)], withNull.length),
      ),
    );
    expect(Array.from(reader.filterIn(0, ['a']))).toEqual([0, 1]);
  });
});
