/**
 * Chunk layout (segmentby / orderby): bulk-loaded chunks are ordered by the
 * layout, and every query returns the same rows as over the unordered load.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Database } from '../database.ts';
import { isSqlError } from '../errors.ts';
import { compareText } from '../types/values.ts';
import { materialize } from './chunk-builder.ts';
import { MemoryTableStore } from './memory-store.ts';

const DDL = 'CREATE TABLE m (time timestamptz, host text, v double precision, k int)';
const LAYOUT =
  "ALTER TABLE m SET (timescaledb.compress, timescaledb.compress_segmentby = 'host', timescaledb.compress_orderby = 'time DESC, k')";

const rowArb = fc.record({
  time: fc.option(fc.integer({ min: 0, max: 50 }), { nil: null }),
  host: fc.option(fc.constantFrom('a', 'b', 'c', 'B', 'é'), { nil: null }),
  v: fc.option(fc.constantFrom(1.5, -2, Number.NaN, 0, 100), { nil: null }),
  k: fc.option(fc.integer({ min: -3, max: 3 }), { nil: null }),
});

async function load(
  rows: { time: number | null; host: string | null; v: number | null; k: number | null }[],
  layout: boolean,
  encoded: boolean,
) {
  const db = await Database.create({ store: new MemoryTableStore({ encoded }) });
  await db.exec(DDL);
  if (layout) await db.exec(LAYOUT);
  const time = rows.map((r) => (r.time === null ? null : 1451606400000000 + r.time * 1e6));
  await db.bulkLoad(
    'm',
    { time, host: rows.map((r) => r.host), v: rows.map((r) => r.v), k: rows.map((r) => r.k) },
    rows.length,
  );
  return db;
}

const QUERIES = [
  'SELECT host, time, v, k FROM m ORDER BY 1, 2, 3, 4',
  "SELECT host, count(*), max(v), min(k) FROM m WHERE host IN ('a', 'é') GROUP BY host ORDER BY host",
  "SELECT count(*) FROM m WHERE (host = 'b' OR host = 'B') AND k > 0",
];

describe('chunk layout', () => {
  test('chunks are ordered by segmentby, then orderby; results are unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { minLength: 0, maxLength: 200 }), async (rows) => {
        for (const encoded of [true, false]) {
          const plain = await load(rows, false, encoded);
          const laid = await load(rows, true, encoded);
          for (const q of QUERIES) expect((await laid.query(q)).rows).toEqual((await plain.query(q)).rows);
          const t = laid.store.get('m')!;
          for (const seg of t.segments()) {
            const [time, host, , k] = t.def.columns.map((c) => materialize(seg.source.column(c.id)!));
            for (let i = 1; i < seg.source.rowCount; i++) {
              const h = hostOrder(host[i - 1] as string | null, host[i] as string | null);
              expect(h, `host order at ${i}`).toBeLessThanOrEqual(0);
              if (h < 0) continue;
              // time DESC puts NULLs first; then k ascending with NULLs last.
              const tc = descOrder(time[i - 1] as number | null, time[i] as number | null);
              expect(tc, `time order at ${i}`).toBeLessThanOrEqual(0);
              if (tc === 0)
                expect(ascOrder(k[i - 1] as number | null, k[i] as number | null)).toBeLessThanOrEqual(0);
            }
          }
        }
      }),
      { numRuns: 25 },
    );
  });

  test('orders rows inside each chunk of a multi-chunk load', async () => {
    const n = 70_000;
    const host = Array.from({ length: n }, (_, i) => `h${i % 100}`);
    const time = Float64Array.from({ length: n }, (_, i) => Math.floor(i / 100) * 1e6);
    const db = await Database.create({ store: new MemoryTableStore({ encoded: true }) });
    await db.exec(DDL);
    await db.exec(LAYOUT);
    await db.bulkLoad('m', { time, host }, n);
    const t = db.store.get('m')!;
    const first = t.segments()[0].source;
    const hosts = materialize(first.column(t.def.columns[1].id)!);
    // h0 < h1 < h10 < … in C collation; each host is one contiguous run.
    expect(hosts[0]).toBe('h0');
    expect(new Set(hosts.slice(0, 656))).toEqual(new Set(['h0']));
    expect((await db.query("SELECT count(*) FROM m WHERE host = 'h42'")).rows[0][0]).toBe(700n);
  });

  test('late-materialized host scans see deletes and updates', async () => {
    const n = 20_000;
    const host = Array.from({ length: n }, (_, i) => `h${i % 40}`);
    const time = Float64Array.from({ length: n }, (_, i) => Math.floor(i / 40) * 1e6);
    const k = Int32Array.from({ length: n }, (_, i) => i % 7);
    for (const layout of [true, false]) {
      const db = await Database.create({ store: new MemoryTableStore({ encoded: true }) });
      await db.exec(DDL);
      if (layout) await db.exec(LAYOUT);
      await db.bulkLoad('m', { time, host, k }, n);
      const q = "SELECT count(*), sum(k), min(time) FROM m WHERE host = 'h3'";
      const before = host.reduce((acc, h, i) => (h === 'h3' ? acc + k[i] : acc), 0);
      expect((await db.query(q)).rows[0]).toEqual([500n, BigInt(before), '1970-01-01 00:00:00+00']);
      await db.exec("DELETE FROM m WHERE host = 'h3' AND k = 6");
      await db.exec("UPDATE m SET k = 100 WHERE host IN ('h3') AND k = 5");
      const rows = (await db.query(q)).rows[0];
      const want = host.reduce(
        (acc, h, i) => (h !== 'h3' || k[i] === 6 ? acc : [acc[0] + 1, acc[1] + (k[i] === 5 ? 100 : k[i])]),
        [0, 0],
      );
      expect(rows.slice(0, 2)).toEqual([BigInt(want[0]), BigInt(want[1])]);
    }
  });

  test('rejects unknown columns and options', async () => {
    const db = await Database.create();
    await db.exec(DDL);
    const code = async (sql: string) => {
      try {
        await db.exec(sql);
        return 'ok';
      } catch (e) {
        return isSqlError(e) ? e.code : String(e);
      }
    };
    expect(await code("ALTER TABLE m SET (timescaledb.compress_segmentby = 'nope')")).toBe('42703');
    expect(await code("ALTER TABLE m SET (fillfactor = '70')")).toBe('0A000');
    expect(await code("ALTER TABLE m SET (timescaledb.compress_orderby = 'time sideways')")).toBe('42601');
    expect(await code("ALTER TABLE m SET (timescaledb.compress_orderby = 'time DESC')")).toBe('ok');
  });
});

function hostOrder(a: string | null, b: string | null): number {
  if (a === null || b === null) return (a === null ? 1 : 0) - (b === null ? 1 : 0);
  return compareText(a, b);
}

function ascOrder(a: number | null, b: number | null): number {
  if (a === null || b === null) return (a === null ? 1 : 0) - (b === null ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

function descOrder(a: number | null, b: number | null): number {
  return ascOrder(b, a);
}
