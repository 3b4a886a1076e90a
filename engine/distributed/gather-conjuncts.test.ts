/**
 * Gather scans push the WHERE conjuncts that ship alone; their conjunction must ship too.
 * A BETWEEN (an AND of its own) next to another conjunct bound as a nested AND, which
 * PostgreSQL's parser flattens when the rendered SQL is bound again on the shard, so the
 * round-trip proof failed and the gather answered 500 "cannot plan the scan" (found by
 * the random HTTP generator, seed 5).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initParser, parseSql } from '../sql/parser.ts';
import { planGather } from './coordinator-plan.ts';
import type { DistTable } from './table-schema.ts';

const t: DistTable = {
  id: 1,
  version: 1,
  name: 'rq',
  columns: [
    { id: 0, name: 'k', type: 'int32', notNull: true },
    { id: 1, name: 'b', type: 'int64', notNull: false },
    { id: 2, name: 's', type: 'text', notNull: false },
    { id: 3, name: 'd', type: 'float64', notNull: false },
  ],
  nextColumnId: 4,
  placement: { kind: 'distributed', columnId: 0 },
  shardCount: 4,
  unique: [],
};

const CONJUNCTS = [
  'a.b BETWEEN 2147483648 AND -3',
  'a.b NOT BETWEEN 1 AND 5',
  "a.s NOT LIKE 'A%'",
  '(a.d > 1 OR a.d < -1)',
  '(a.k = 1 OR (a.k = 2 OR a.k = 3))',
  '(a.b > 0 AND a.b < 10)',
  'a.d BETWEEN SYMMETRIC 5 AND 1',
];

describe('gather scans ship conjunctions of shippable conjuncts', () => {
  beforeAll(() => initParser());

  const filterOf = (where: string) => {
    const stmt = parseSql(`SELECT a.d FROM rq a WHERE ${where}`)[0].stmt.SelectStmt;
    return planGather(stmt, [t], [])[0].plan.fragment.filter?.sql;
  };

  it('every pair and triple of conjuncts is pushed whole when its parts ship alone', () => {
    const alone = new Map(CONJUNCTS.map((c) => [c, filterOf(c) !== undefined]));
    expect([...alone.values()].filter(Boolean).length).toBeGreaterThan(4);
    for (const a of CONJUNCTS)
      for (const b of CONJUNCTS)
        for (const c of ['', ...CONJUNCTS]) {
          const parts = [a, b, c].filter(Boolean);
          const sql = filterOf(parts.join(' AND '));
          expect(sql !== undefined, parts.join(' AND ')).toBe(parts.some((x) => alone.get(x)));
        }
  });
});
