/** Fragment → SQL rendering and result conversion details the differential test does not pin down. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../database.ts';
import { initParser } from '../sql/parser.ts';
import type { Fragment } from './fragment.ts';
import { engineOver, engineTableDef, hotSegment, runFragmentOnEngine } from './fragment-engine.ts';
import { fragmentSql, timestampLiteral, toPartial } from './fragment-sql.ts';
import { unpackPartial } from './partial-columns.ts';
import type { DistTable } from './table-schema.ts';

describe('fragment SQL values', () => {
  it('writes timestamp literals exact to the microsecond, before 1970 too', () => {
    expect(timestampLiteral(1451606400123456)).toBe('2016-01-01 00:00:00.123456+00');
    expect(timestampLiteral(-1)).toBe('1969-12-31 23:59:59.999999+00');
  });
});

describe('toPartial', () => {
  const table: DistTable = {
    name: 't',
    columns: [
      { id: 0, name: 'ts', type: 'timestamptz', notNull: false },
      { id: 1, name: 'host', type: 'text', notNull: false },
      { id: 2, name: 'v', type: 'float64', notNull: false },
      { id: 3, name: 'n', type: 'int64', notNull: false },
    ],
    id: 1,
    version: 1,
    nextColumnId: 4,
    placement: { kind: 'local' },
    shardCount: 1,
  };
  const T0 = 1451606400123457; // odd microseconds: text formatting and parsing must round-trip them
  const rows: unknown[][] = Array.from({ length: 40 }, (_, i) => [
    T0 + i * 1_000_001,
    `h${i % 3}`,
    i / 4,
    i - 7,
  ]);
  rows.push([null, null, null, null]);
  let db: Database;
  beforeAll(async () => {
    await initParser();
    db = await engineOver([{ def: engineTableDef(table), segments: () => [hotSegment(table, rows)] }]);
  });
  const col = (id: number) => ({ sql: `c${id}`, type: table.columns[id].type });
  const scan: Fragment = {
    table: 't',
    reads: [0, 1, 2, 3],
    defaults: [],
    bounds: [],
    mode: 'rows',
    project: [col(0), col(1), col(2), col(3)],
    aggs: [],
    orderBy: [],
  };

  it('reads raw and formatted engine results into the same plane values', async () => {
    const sql = fragmentSql(scan);
    const raw = toPartial(scan, await db.query(sql, [], { raw: true }));
    const text = toPartial(scan, await db.query(sql));
    const plain = (p: typeof raw) => p.columns.map((c) => Array.from(c));
    expect(plain(raw)).toEqual(plain(text));
    expect(raw.rowCount).toBe(41);
    expect(Array.from(raw.columns[0]).slice(0, 2)).toEqual([T0, T0 + 1_000_001]);
    expect(raw.columns[0][40]).toBeNull();
    expect(raw.columns[3][0]).toBe(-7); // int64 leaves the engine as bigint, travels as number
  });

  it('packs all-number columns into Float64Arrays, not columns with NULLs or text', async () => {
    const f: Fragment = { ...scan, filter: { sql: '(c2 IS NOT NULL)', type: 'bool' } };
    const p = toPartial(f, await db.query(fragmentSql(f), [], { raw: true }));
    expect(p.rowCount).toBe(40);
    expect(p.columns[0]).toBeInstanceOf(Float64Array);
    expect(p.columns[2]).toBeInstanceOf(Float64Array);
    expect(p.columns[3]).toBeInstanceOf(Float64Array);
    expect(Array.isArray(p.columns[1])).toBe(true);
    expect(Array.from(p.columns[2])).toEqual(rows.slice(0, 40).map((r) => r[2]));
  });

  it('drops the placeholder output of a fragment with no outputs', async () => {
    const f: Fragment = { ...scan, project: [] };
    const p = toPartial(f, await db.query(fragmentSql(f), [], { raw: true }));
    expect(p.rowCount).toBe(41);
    expect(p.columns).toEqual([]);
  });

  it('builds the same partial from result batches, and packs text for requesters that unpack', async () => {
    const fromRows = toPartial(scan, await db.query(fragmentSql(scan), [], { raw: true }));
    const plain = (p: typeof fromRows) => p.columns.map((c) => Array.from(c));
    const batches = (await runFragmentOnEngine(db, scan)).result;
    expect(plain(batches)).toEqual(plain(fromRows));
    const packed = (await runFragmentOnEngine(db, { ...scan, pack: true })).result;
    // Packed on the wire: the text column is a dictionary of 3 strings, not 41 values.
    expect(packed.columns[1]).toMatchObject({ kind: 'dict', dict: ['h0', 'h1', 'h2'] });
    const copy = structuredClone(packed);
    expect(plain(unpackPartial(copy))).toEqual(plain(fromRows));
    expect(Array.from(unpackPartial(copy).columns[1]).at(-1)).toBeNull();
  });

  it('reads int64 sums and counts as numbers from batches', async () => {
    const agg: Fragment = {
      ...scan,
      mode: 'agg',
      project: [col(1)],
      aggs: [{ fn: 'sum', arg: col(3) }, { fn: 'count' }, { fn: 'max', arg: col(0) }],
      orderBy: [{ index: 0, desc: false, nullsFirst: false }],
    };
    const p = (await runFragmentOnEngine(db, agg)).result;
    const byHost = (h: string) => rows.filter((r) => r[1] === h);
    expect(Array.from(p.columns[0])).toEqual(['h0', 'h1', 'h2', null]);
    expect(Array.from(p.columns[1])).toEqual([
      ...['h0', 'h1', 'h2'].map((h) => byHost(h).reduce((a, r) => a + (r[3] as number), 0)),
      null,
    ]);
    expect(Array.from(p.columns[2])).toEqual([14, 13, 13, 1]);
    expect(p.columns[3][0]).toBe(Math.max(...byHost('h0').map((r) => r[0] as number)));
  });
});
