import { beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../plan/nodes.ts';
import { initParser, parseSql } from '../sql/parser.ts';
import { chunkColumnName } from './chunk-rows.ts';
import { bindSelectPlan, schemaDefs } from './coordinator-schema.ts';
import { exprSql } from './expr-sql.ts';
import { sameOnShard } from './shard-binding.ts';
import type { DistTable } from './table-schema.ts';

const t: DistTable = {
  id: 1,
  version: 1,
  name: 'sb',
  columns: [
    { id: 0, name: 'ts', type: 'timestamptz', notNull: false },
    { id: 1, name: 'host', type: 'text', notNull: false },
    { id: 2, name: 'v', type: 'float64', notNull: false },
  ],
  nextColumnId: 3,
  placement: { kind: 'distributed', columnId: 1 },
  shardCount: 4,
};

/** The bound WHERE of `SELECT FROM sb WHERE <where>` and its rendering over `c<id>` columns. */
function shipped(where: string) {
  const sql = `SELECT FROM sb WHERE ${where}`;
  const plan = bindSelectPlan(schemaDefs([t]), parseSql(sql)[0].stmt, sql, []);
  const expr = (plan as Extract<Plan, { kind: 'project' }>).input as Extract<Plan, { kind: 'filter' }>;
  return { expr: expr.predicate, sql: exprSql(expr.predicate, (i) => chunkColumnName(t.columns[i].id))! };
}

describe('sameOnShard', () => {
  beforeAll(() => initParser());

  it('proves renderings of bound expressions, again for other values of a proven shape', () => {
    for (const w of [
      "host ~ '^h[0-9]' AND v::numeric(6,2) > 1.5",
      "ts >= '2024-01-01' AND date_trunc('hour', ts) < '2024-01-02 03:00'",
      "ts >= '2031-07-09 12:34:56.789012+00' AND date_trunc('hour', ts) < '2030-01-02'",
      "v BETWEEN 0.30000000000000004 AND 1e300 OR host IN ('a', 'b''c')",
    ])
      expect(sameOnShard(t, [shipped(w)], []), w).toBe(true);
  });

  it('refuses SQL that binds to another expression', () => {
    const a = shipped('v > 1.5');
    const b = shipped('v >= 1.5');
    expect(sameOnShard(t, [{ expr: a.expr, sql: b.sql }], [])).toBe(false);
    expect(sameOnShard(t, [{ expr: a.expr, sql: '(c2 > 2.5)' }], [])).toBe(false);
    expect(sameOnShard(t, [{ expr: a.expr, sql: "(c1 > '1.5'::text)" }], [])).toBe(false);
    expect(sameOnShard(t, [a], [])).toBe(true);
  });
});
