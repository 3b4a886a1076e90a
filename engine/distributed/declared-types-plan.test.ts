import { beforeAll, describe, expect, it } from 'vitest';
import { initParser, parseSql } from '../sql/parser.ts';
import { planGather } from './coordinator-plan.ts';
import { onConflictOf } from './on-conflict.ts';
import { planSelectNode } from './select-binding.ts';
import { classify } from './sql-statements.ts';
import type { DistTable } from './table-schema.ts';

/** Columns whose declared type is not their representation's (smallint in int32, date in int32 days). */
const t: DistTable = {
  id: 1,
  version: 1,
  name: 'dt',
  columns: [
    { id: 0, name: 'id', type: 'int32', notNull: true },
    { id: 1, name: 's', type: 'int32', sqlType: 'int16', notNull: false },
    { id: 2, name: 'd', type: 'int32', sqlType: 'date', notNull: false },
    { id: 3, name: 'v', type: 'text', typmod: { kind: 'varchar', length: 4 }, notNull: false },
  ],
  nextColumnId: 4,
  placement: { kind: 'distributed', columnId: 0 },
  shardCount: 4,
  unique: [{ name: 'dt_pkey', columnIds: [0], primary: true }],
};

const select = (sql: string) => parseSql(sql)[0].stmt.SelectStmt;

describe('declared column types on the fast path', () => {
  beforeAll(() => initParser());

  it('plans reads of columns that read as stored; leaves declared-other columns to the engine', () => {
    expect(planSelectNode(select('SELECT id, v FROM dt WHERE id > 1'), t, [])).toBeDefined();
    for (const sql of [
      'SELECT s FROM dt',
      'SELECT id FROM dt WHERE s + 1 > 3',
      "SELECT count(*) FROM dt WHERE d > '2024-01-01'",
      'SELECT max(d) FROM dt',
    ])
      expect(planSelectNode(select(sql), t, []), sql).toBeUndefined();
  });

  it('gathers representations and pushes only conjuncts over columns read as stored', () => {
    const stmt = select("SELECT s + 1, d FROM dt WHERE id = 7 AND d > '2024-01-01' AND s < 3");
    const [g] = planGather(stmt, [t], []);
    expect(g.columns.map((c) => c.name).sort()).toEqual(['d', 'id', 's']);
    // The gather keeps the declared columns for the coordinator's engine; the shards read representations.
    expect(g.columns.find((c) => c.name === 'd')?.sqlType).toBe('date');
    expect(g.plan.table.columns.every((c) => c.sqlType === undefined && !c.typmod)).toBe(true);
    expect(g.plan.fragment.filter?.sql).toMatch(/c0/);
    expect(g.plan.fragment.filter?.sql).not.toMatch(/c1|c2/);
    expect(g.plan.pruneValues).toEqual([7]);
  });

  it('ON CONFLICT DO UPDATE binds and casts with the declared types', () => {
    const ins = parseSql(
      "INSERT INTO dt (id, s, d) VALUES (1, 2, '2024-01-02') ON CONFLICT (id) DO UPDATE SET s = excluded.s + 1, d = excluded.d + 1",
    )[0].stmt.InsertStmt;
    const oc = onConflictOf(ins, t, []);
    expect(oc?.action).toBe('update');
    expect(oc?.dml?.text).toMatch(/smallint/);
    expect(oc?.set?.map((s) => s.column.sqlType)).toEqual(['int16', 'date']);
  });

  it('DEFAULT: the engine folds the constant, casts it to the declared type, applies the modifier', () => {
    const create = (sql: string) => {
      const cmd = classify(parseSql(sql)[0].stmt, []);
      if (cmd.kind !== 'create') throw new Error(cmd.kind);
      return cmd.columns.map((c) => c.default);
    };
    expect(
      create(
        "CREATE TABLE d1 (a smallint DEFAULT 1 + 1, d date DEFAULT '2024-01-02', n numeric(5,2) DEFAULT 1.005, r real DEFAULT 0.1, v varchar(3) DEFAULT 'ab')",
      ),
    ).toEqual([2, 19724, '1.01', Math.fround(0.1), 'ab']);
    expect(() => create('CREATE TABLE d2 (a smallint DEFAULT 40000)')).toThrow(/smallint out of range/);
    expect(() => create("CREATE TABLE d3 (v varchar(2) DEFAULT 'abc')")).toThrow(/value too long/);
  });
});
