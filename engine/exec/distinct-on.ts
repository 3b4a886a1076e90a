/**
 * @module engine/exec/distinct-on
 * DISTINCT ON (k) ... ORDER BY k, rest: instead of sorting every row, keep for
 * each distinct k the best row by the remaining sort keys (one comparison per
 * input row, no allocation unless a row wins), then sort only the winners.
 * Ties keep the first row seen, matching a stable sort followed by "first row".
 *
 * Winners are accounted against the query's memory budget. When the next one
 * does not fit, the operator falls back to the spilling sort followed by
 * DISTINCT ON, fed the winners so far and then the rest of the input: every
 * row dropped so far lost to a winner, and the winners come first, so the
 * stable sort keeps them ahead of later ties.
 */
import type { Plan } from '../plan/nodes.ts';
import type { ExecVector } from '../storage/table-store.ts';
import { hashKeyFor } from '../types/values.ts';
import { compileExpr } from './compile-expr.ts';
import { type ExecBatch, type ExecContext, getterFor, rowsToBatch, setFrameBatch } from './frame.ts';
import { queryMemory, rowBytes } from './memory.ts';
import { newFrame, type Operator } from './operator.ts';
import { compareRows, distinctOperator, rowsOperator, sortKeyComparators, sortOperator } from './sort.ts';

/** Accounted bytes of a winner beyond its sort keys: the record, its map entry, its share of the pinned batch. */
const WINNER_BYTES = 96;
const PINNED_VALUE_BYTES = 16;

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
  const mem = queryMemory(ctx);
  let held = 0;
  const fits = (keys: readonly unknown[], key: unknown): boolean => {
    const bytes =
      WINNER_BYTES +
      rowBytes(keys) +
      PINNED_VALUE_BYTES * width +
      (typeof key === 'string' ? 2 * key.length : 0);
    if (!mem.tryReserve(bytes)) return false;
    held += bytes;
    return true;
  };
  /** Switches to sort + DISTINCT ON over the winners and then rows j.. of `b` and the rest of the input. */
  const fallBack = (b: ExecBatch, j: number): Operator => {
    const rows = [...winners.values()].map((w) => w.cols.map((c) => getterFor(c)(w.row)));
    winners.clear();
    mem.release(held);
    held = 0;
    const rest = b.sel ? b.sel.subarray(j) : Uint32Array.from({ length: b.count - j }, (_, k) => j + k);
    const pre: ExecBatch[] = [rowsToBatch(rows, width), { ...b, sel: rest, count: rest.length }];
    const feed: Operator = { next: () => pre.shift() ?? input.next() };
    return distinctOperator(sortOperator(feed, sort, ctx), distinct, ctx);
  };
  // Fast path for DISTINCT ON (dict column) ORDER BY it, numeric column: winners
  // are found by dictionary code and compared on the raw typed array.
  const k0 = sort.keys[0].expr;
  const k1 = sort.keys[1]?.expr;
  const desc1 = sort.keys[1]?.desc ?? false;
  /** -1: not applicable; b.count: done; otherwise the row to fall back at. */
  const fastBatch = (b: ExecBatch, sel: Uint32Array | undefined): number => {
    if (m !== 1 || nk !== 2 || k0.kind !== 'col' || k1?.kind !== 'col') return -1;
    const kv = b.cols[k0.index];
    const tv = b.cols[k1.index];
    if (kv.kind !== 'dict' || kv.nulls || tv.kind !== 'flat' || tv.nulls) return -1;
    const t = tv.values;
    if (!(t instanceof Float64Array || t instanceof Int32Array)) return -1;
    const codes = kv.codes;
    const dict = kv.dict.values as ArrayLike<unknown>;
    const byCode: (Winner | undefined)[] = new Array(dict.length);
    for (let j = 0; j < b.count; j++) {
      const i = sel ? sel[j] : j;
      const c = codes[i];
      let w = byCode[c];
      if (w === undefined) {
        const key = hashers[0](dict[c]);
        w = winners.get(key);
        if (w === undefined) {
          const keys = [dict[c], t[i]];
          if (!fits(keys, key)) return j;
          w = { cols: b.cols, row: i, keys };
          winners.set(key, w);
          byCode[c] = w;
          continue;
        }
        byCode[c] = w;
      }
      const x = t[i];
      const cur = w.keys[1] as number;
      // NaN sorts last ascending (first descending), as in PostgreSQL.
      const better = desc1 ? x > cur || (x !== x && cur === cur) : x < cur || (cur !== cur && x === x);
      if (better) {
        w.cols = b.cols;
        w.row = i;
        w.keys[1] = x;
      }
    }
    return b.count;
  };
  return {
    next() {
      if (!out) {
        for (let b = input.next(); b; b = input.next()) {
          setFrameBatch(frame, b);
          const sel = b.sel;
          const fast = fastBatch(b, sel);
          if (fast >= 0 && fast < b.count) {
            out = fallBack(b, fast);
            return out.next();
          }
          if (fast >= 0) continue;
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
              if (!fits(keys, key)) {
                out = fallBack(b, j);
                return out.next();
              }
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
        winners.clear();
        mem.release(held);
        held = 0;
        out = rowsOperator(rows, width);
      }
      return out.next();
    },
  };
}
