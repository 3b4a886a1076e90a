/**
 * @module engine/exec/distinct-on
 * DISTINCT ON (k) ... ORDER BY k, rest: instead of sorting every row, keep for
 * each distinct k the best row by the remaining sort keys (one comparison per
 * input row, no allocation unless a row wins), then sort only the winners.
 * Ties keep the first row seen, matching a stable sort followed by "first row".
 */
import type { Plan } from '../plan/nodes.ts';
import type { ExecVector } from '../storage/table-store.ts';
import { hashKeyFor } from '../types/values.ts';
import { compileExpr } from './compile-expr.ts';
import { type ExecContext, getterFor, setFrameBatch } from './frame.ts';
import { newFrame, type Operator } from './operator.ts';
import { compareRows, rowsOperator, sortKeyComparators } from './sort.ts';

interface Winner {
  cols: readonly ExecVector[];
  row: number;
  keys: unknown[];
}

/** Builds the operator for `distinct(on)` directly over `sort`, reading the sort's input. */
export function distinctOnOperator(
  input: Operator,
  distinct: Extract<Plan, { kind: 'distinct' }>,
  sort: Extract<Plan, { kind: 'sort' }>,
  ctx: ExecContext,
): Operator {
  const width = sort.schema.length;
  const m = distinct.on!.length;
  const frame = newFrame(width, ctx);
  const keyEvs = sort.keys.map((k) => compileExpr(k.expr, frame));
  const nk = keyEvs.length;
  const hashers = sort.keys.slice(0, m).map((k) => hashKeyFor(k.expr.type));
  const keyCmps = sortKeyComparators(
    sort.keys.map((k, i) => ({ ...k, expr: { kind: 'col', index: i, type: k.expr.type } })),
  );
  const restCmps = keyCmps.slice(m);
  const winners = new Map<unknown, Winner>();
  const scratch: unknown[] = new Array(nk);
  let out: Operator | undefined;
  return {
    next() {
      if (!out) {
        for (let b = input.next(); b; b = input.next()) {
          setFrameBatch(frame, b);
          const sel = b.sel;
          for (let j = 0; j < b.count; j++) {
            const i = sel ? sel[j] : j;
            let key: unknown;
            if (m === 1) {
              const v = keyEvs[0](i);
              key = v === null ? null : hashers[0](v);
            } else {
              let s = '';
              for (let k = 0; k < m; k++) {
                const v = keyEvs[k](i);
                s += `${v === null ? '\u0002' : String(hashers[k](v))}\u0001`;
              }
              key = s;
            }
            for (let k = m; k < nk; k++) scratch[k] = keyEvs[k](i);
            const w = winners.get(key);
            if (w === undefined) {
              const keys = new Array(nk);
              for (let k = 0; k < m; k++) keys[k] = keyEvs[k](i);
              for (let k = m; k < nk; k++) keys[k] = scratch[k];
              winners.set(key, { cols: b.cols, row: i, keys });
            } else if (compareRows(restCmps, scratch, w.keys) < 0) {
              w.cols = b.cols;
              w.row = i;
              for (let k = m; k < nk; k++) w.keys[k] = scratch[k];
            }
          }
        }
        const list = [...winners.values()];
        list.sort((a, b) => compareRows(keyCmps, a.keys, b.keys));
        const rows = list.map((w) => w.cols.map((c) => getterFor(c)(w.row)));
        out = rowsOperator(rows, width);
      }
      return out.next();
    },
  };
}
