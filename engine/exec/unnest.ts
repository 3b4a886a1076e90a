/**
 * @module engine/exec/unnest
 * `unnest(array)` as a FROM item: one row per element (NULL elements kept),
 * plus a 1-based bigint ordinality column WITH ORDINALITY; likewise one row per
 * match of `regexp_matches` / piece of `regexp_split_to_table`. Arguments are
 * evaluated once (they may reference an enclosing query's row, not LATERAL
 * siblings); a NULL array yields no rows, as in PostgreSQL.
 */
import { regexSetRows } from '../functions/regex-functions.ts';
import type { Plan } from '../plan/nodes.ts';
import { compileExpr } from './compile-expr.ts';
import type { ExecContext } from './frame.ts';
import type { Operator } from './operator.ts';
import { BATCH_ROWS, newFrame } from './operator.ts';

export function unnestOperator(plan: Extract<Plan, { kind: 'function' }>, ctx: ExecContext): Operator {
  const args = plan.args.map((a) => compileExpr(a, newFrame(0, ctx))(0));
  const arr = plan.name === 'unnest' ? ((args[0] as unknown[] | null) ?? []) : regexSetRows(plan.name, args);
  const [elem, ord] = plan.schema;
  let pos = 0;
  return {
    next() {
      if (pos >= arr.length) return null;
      const end = Math.min(arr.length, pos + BATCH_ROWS);
      const values = arr.slice(pos, end);
      const n = values.length;
      const cols = [{ kind: 'js' as const, type: elem.type, length: n, values }];
      if (ord) {
        const ords: bigint[] = new Array(n);
        for (let k = 0; k < n; k++) ords[k] = BigInt(pos + k + 1);
        cols.push({ kind: 'js', type: ord.type, length: n, values: ords });
      }
      pos = end;
      return { length: n, cols, count: n };
    },
  };
}
