/**
 * Differential test: sum and avg over int8 on the fast path (shard partials from the
 * engine, merged by `mergePartials`) are exact like PostgreSQL's numeric, also when
 * shard partial sums pass ±2^53 and the total comes back (a double in between
 * rounds them).
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../database.ts';
import { initParser, parseSql } from '../sql/parser.ts';
import { Prng } from '../testing/prng.ts';
import { engineOver, engineTableDef, hotSegment, runFragmentOnEngine } from './fragment-engine.ts';
import { buildHashRanges, shardForValue } from './hash-ranges.ts';
import { mergePartials } from './partial-merge.ts';
import { planSelectNode } from './select-binding.ts';
import { classify } from './sql-statements.ts';
import type { DistTable, Row } from './table-schema.ts';

const table: DistTable = {
  name: 't',
  columns: [
    { id: 0, name: 'g', type: 'text', notNull: true },
    { id: 1, name: 'n', type: 'int64', notNull: false },
    { id: 2, name: 'i', type: 'int32', notNull: false },
  ],
  id: 1,
  version: 1,
  nextColumnId: 3,
  placement: { kind: 'distributed', columnId: 0 },
  shardCount: 8,
};

/** Values around ±2^53 (odd, so a double cannot hold them), a few beyond, and small ones. */
function makeRows(): Row[] {
  const rng = new Prng(53);
  return Array.from({ length: 400 }, (_, i) => {
    const big = 2n ** 53n + BigInt(2 * Math.floor(rng.float() * 1000) + 1);
    const n = i % 7 === 0 ? null : rng.float() < 0.5 ? big : -big + BigInt(i % 5);
    const v = i % 11 === 0 && n !== null ? n * 1000n : n;
    return [`g${i % 13}`, v === null ? null : Number.isSafeInteger(Number(v)) ? Number(v) : v, i * 1000];
  });
}

const QUERIES = [
  'SELECT sum(n), avg(n), sum(i), avg(i) FROM t',
  'SELECT g, sum(n), avg(n) FROM t GROUP BY g ORDER BY g',
  "SELECT sum(n) FROM t WHERE g <> 'g3'",
];

describe('integer sums on the fast path vs PGlite', () => {
  const rows = makeRows();
  const ranges = buildHashRanges(8);
  let engines: Database[] = [];
  let pg: PGlite;

  beforeAll(async () => {
    await initParser();
    const parts: Row[][] = Array.from({ length: 8 }, () => []);
    for (const r of rows) parts[shardForValue(ranges, r[0])].push(r);
    engines = await Promise.all(
      parts.map((p) => {
        const segments = [hotSegment(table, p)];
        return engineOver([{ def: engineTableDef(table), segments: () => segments }]);
      }),
    );
    pg = new PGlite();
    await pg.exec('CREATE TABLE t (g text, n bigint, i int)');
    for (const r of rows) await pg.query('INSERT INTO t VALUES ($1, $2, $3)', [r[0], r[1], r[2]]);
  }, 120_000);
  afterAll(async () => pg?.close());

  it.each(QUERIES)('%s', async (sql) => {
    const cmd = classify(parseSql(sql)[0].stmt, []);
    if (cmd.kind !== 'select') throw new Error('not a select');
    const plan = planSelectNode(cmd.stmt, table, []);
    expect(plan).toBeDefined();
    const partials = await Promise.all(
      engines.map(async (e) => structuredClone((await runFragmentOnEngine(e, plan!.fragment)).result)),
    );
    const got = mergePartials(plan!, partials).rows.map((r) => r.map((c) => String(c)));
    const res = await pg.query<unknown[]>(sql, [], { rowMode: 'array' });
    const want = (res.rows as unknown[][]).map((r) => r.map((c) => String(c)));
    expect(got).toEqual(want);
  });
});
