/**
 * @module engine/testing/random-queries/dml
 * Random UPDATE and DELETE statements over one generated table: random
 * predicates (the same trees as SELECT's WHERE, without subqueries, which the
 * distributed data plane refuses in DML) and SET expressions of the column's
 * type, a third of them casts from another numeric type that may overflow
 * (22003 must then abort the whole statement). The distribution column `k` is
 * never assigned (the data plane refuses it with 0A000, as Citus does). After
 * each statement the runner compares the affected-row count and the table.
 */
import type { Prng } from '../prng.ts';
import { type LiteralPools, type RqgTable, SQL_TYPE } from './dataset.ts';
import { type Expr, pred, renderPred, type Scope, scalar } from './expressions.ts';

/** A generated data-modifying statement and the table it changes. */
export interface RqgDml {
  readonly sql: string;
  readonly table: RqgTable;
}

const NUMERIC = new Set(['int', 'bigint', 'double', 'numeric']);

/** One random UPDATE (60%) or DELETE over one of `tables`. */
export function generateDml(rng: Prng, pools: LiteralPools, tables: readonly RqgTable[]): RqgDml {
  const table = rng.pick(tables);
  const columns: Expr[] = table.columns.map((c) => ({ sql: c.name, type: c.type }));
  const scope: Scope = { rng, pools, columns };
  const where = renderPred(pred(scope, 2));
  if (rng.chance(0.4)) return { sql: `DELETE FROM ${table.name} WHERE ${where}`, table };
  const targets = rng.sample(
    table.columns.filter((c) => c.name !== 'k'),
    rng.range(1, 2),
  );
  const sets = targets.map((c) => {
    const others = columns.filter((o) => NUMERIC.has(o.type) && o.type !== c.type);
    if (NUMERIC.has(c.type) && others.length && rng.chance(0.35)) {
      const from = scalar(scope, 1, rng.pick(others).type);
      return `${c.name} = (${from.sql})::${SQL_TYPE[c.type]}`;
    }
    return `${c.name} = ${scalar(scope, 2, c.type).sql}`;
  });
  const filter = rng.chance(0.85) ? ` WHERE ${where}` : '';
  return { sql: `UPDATE ${table.name} SET ${sets.join(', ')}${filter}`, table };
}
