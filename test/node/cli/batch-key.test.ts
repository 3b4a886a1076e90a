/**
 * A load batch's Idempotency-Key is a function of what the batch is: the same
 * batch of a re-run gets the same key (so the server answers it as a
 * duplicate), and any difference in database, table, format, position, run
 * label or bytes gives another key.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BatchKeyParts, batchKey } from '../../../cli/batch-key.ts';

const parts = fc.record({
  database: fc.string({ minLength: 1 }),
  table: fc.string({ minLength: 1 }),
  format: fc.constantFrom('csv', 'ndjson', 'lp', 'parquet'),
  index: fc.nat(),
  offset: fc.nat(),
  run: fc.option(fc.string(), { nil: undefined }),
});
const body = fc.uint8Array({ maxLength: 64 });

describe('batchKey', () => {
  it('is deterministic and within the API limit of 255 characters', () => {
    fc.assert(
      fc.property(parts, body, (p, b) => {
        const k = batchKey(p, b);
        expect(batchKey({ ...p }, Uint8Array.from(b))).toBe(k);
        expect(k).toMatch(/^orochi-load-[0-9a-f]{64}$/);
      }),
    );
  });

  it('differs when any part or the body differs', () => {
    fc.assert(
      fc.property(parts, parts, body, body, (p, q, b, c) => {
        const same =
          (Object.keys(p) as (keyof BatchKeyParts)[]).every((k) => (p[k] ?? '') === (q[k] ?? '')) &&
          b.length === c.length &&
          b.every((x, i) => x === c[i]);
        expect(batchKey(p, b) === batchKey(q, c)).toBe(same);
      }),
    );
  });

  it('tells apart parts that would concatenate to the same text', () => {
    const b = new Uint8Array([1]);
    const base = { format: 'csv', index: 0, offset: 0 };
    expect(batchKey({ ...base, database: 'ab', table: 'c' }, b)).not.toBe(
      batchKey({ ...base, database: 'a', table: 'bc' }, b),
    );
    expect(batchKey({ ...base, database: 'a', table: 'b', index: 1, offset: 10 }, b)).not.toBe(
      batchKey({ ...base, database: 'a', table: 'b', index: 11, offset: 0 }, b),
    );
  });
});
