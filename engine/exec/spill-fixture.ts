/**
 * @module engine/exec/spill-fixture
 * Test-only: the tables and helpers the spill tests share — a budget small
 * enough that every operator spills, and rows with NULLs, duplicates, wide
 * bigints and non-ASCII text in both tables.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';

/** A memory budget every interesting query passes. */
export const TINY = 64 * 1024;
export const UNLIMITED = Number.POSITIVE_INFINITY;

export const SETUP = `
CREATE TABLE t (id int, grp int, name text, score float8, big bigint, note text);
INSERT INTO t SELECT g, g % 37, CASE WHEN g % 11 = 0 THEN NULL ELSE 'n' || (g % 101) END,
  CASE WHEN g % 13 = 0 THEN NULL ELSE (g * 7919 % 1000) / 10.0 END, g::bigint * 1000003,
  CASE WHEN g % 5 = 0 THEN 'ünï ' || g ELSE 'x' END
FROM generate_series(1, 6000) g;
CREATE TABLE u (id int, grp int, label text);
INSERT INTO u SELECT g, CASE WHEN g % 17 = 0 THEN NULL ELSE g % 53 END, 'l' || g FROM generate_series(1, 3000) g;
`;

/** Rows as a sorted list of JSON strings: multiset comparison for queries without ORDER BY. */
export const canon = (rows: unknown[][]): string[] =>
  rows.map((r) => JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))).sort();

/** A suite: each query, run with the tiny budget, must spill and answer exactly like PostgreSQL (PGlite). */
export function spillsLikePostgres(title: string, queries: readonly string[]): void {
  describe(title, () => {
    let pair: Pair;
    beforeAll(async () => {
      pair = await makePair(SETUP);
      pair.engine.memoryLimit = TINY;
    });
    test.each(queries)('%s', async (sql) => {
      expect(await diff(pair, sql)).toBeUndefined();
      const r = await pair.engine.query(sql);
      expect(r.memory!.spilledBytes).toBeGreaterThan(0);
    });
  });
}
