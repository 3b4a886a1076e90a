/**
 * @module engine/testing/random-queries/predicate-probe
 * A deterministic matrix of single-column predicates (IS [NOT] NULL, IN, and
 * = / < against the seed's heaviest literals) counted in two systems. Random
 * queries find predicate bugs only by luck; this probe checks every column type
 * against the values that actually occur, which is where chunk zone maps and
 * filters on encoded data (dictionary codes, bit-packed ranges, bool bitmaps)
 * take their shortcuts.
 */
import type { LiteralPools, RqgTable } from './dataset.ts';
import { typedLiteral } from './expressions.ts';
import type { QueryTarget } from './runner.ts';

/** The probe queries for `table`: `SELECT count(*) FROM t WHERE <predicate>`. */
export function probeQueries(table: RqgTable, pools: LiteralPools, literalsPerColumn = 4): string[] {
  const out: string[] = [];
  for (const c of table.columns) {
    const lits = pools
      .all(c.type)
      .slice(0, literalsPerColumn)
      .map((v) => typedLiteral(c.type, v));
    const preds = [
      `${c.name} IS NULL`,
      `${c.name} IS NOT NULL`,
      `${c.name} IN (${lits.slice(0, 2).join(', ')})`,
      ...lits.flatMap((l) => [`${c.name} = ${l}`, `${c.name} < ${l}`]),
    ];
    for (const p of preds) out.push(`SELECT count(*) FROM ${table.name} WHERE ${p}`);
  }
  return out;
}

/** Runs the probe in both systems; returns one line per disagreement (empty when all agree). */
export async function probePredicates(
  oracle: QueryTarget,
  target: QueryTarget,
  table: RqgTable,
  pools: LiteralPools,
): Promise<string[]> {
  const wrong: string[] = [];
  for (const sql of probeQueries(table, pools)) {
    const expected = (await oracle.query(sql)).rows[0][0];
    let actual: unknown;
    try {
      actual = (await target.query(sql)).rows[0][0];
    } catch (e) {
      actual = `error ${(e as { code?: string }).code ?? ''} ${(e as Error).message}`;
    }
    if (expected !== actual) wrong.push(`${sql}: expected ${String(expected)}, got ${String(actual)}`);
  }
  return wrong;
}
