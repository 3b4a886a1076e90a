/**
 * @module engine/sql/insert
 * INSERT: VALUES (with DEFAULT) or a query as the source, column lists,
 * RETURNING, and ON CONFLICT (primary key) DO NOTHING / DO UPDATE. Every row is
 * decided before anything is written, so a failing statement changes nothing.
 */
import type { StatementEnv } from '../database.ts';
import { SqlState } from '../errors.ts';
import { keyText } from '../storage/memory-store.ts';
import type { ColumnDef, TableData } from '../storage/table-store.ts';
import { castFn } from '../types/cast.ts';
import { bindExpr, coerce } from './bind-expr.ts';
import { assignTo, checkAssignable, nodeLocation } from './coerce.ts';
import {
  checkRow,
  type DmlResult,
  defaultValue,
  err,
  returning,
  rowEvaluator,
  tableOf,
  tableScope,
} from './dml.ts';
import type { PgNode } from './parser.ts';
import { Scope } from './scope.ts';

/** Source rows of an INSERT, already coerced to the target columns' types. */
function insertSource(env: StatementEnv, _t: TableData, s: PgNode, targets: ColumnDef[]): unknown[][] {
  const sel = s.selectStmt?.SelectStmt;
  if (!sel) return [targets.map(() => undefined)]; // DEFAULT VALUES
  if (sel.valuesLists && !sel.sortClause && !sel.limitCount && !sel.withClause) {
    const b = env.binder().makeBinder(new Scope([]));
    return sel.valuesLists.map((l: PgNode) => {
      const items = l.List.items as PgNode[];
      if (items.length > targets.length)
        throw err('42601', 'INSERT has more expressions than target columns');
      const exprs = items.map((x, i) =>
        x.SetToDefault ? undefined : assignTo(bindExpr(b, x), targets[i], nodeLocation(x)),
      );
      // Constants (literals, folded casts) are values already: compiling an evaluator per value
      // cost ~40 µs each, most of a 5,000-row INSERT.
      return exprs.map((e) =>
        e === undefined ? undefined : e.kind === 'const' ? e.value : rowEvaluator(env, 0, [e])([])[0],
      );
    });
  }
  const q = env.binder().bindQuery(s.selectStmt);
  if (q.columns.length > targets.length)
    throw err('42601', 'INSERT has more expressions than target columns');
  const casts = q.columns.map((c, i) => {
    checkAssignable(c.type, targets[i]);
    return c.type === targets[i].type ? undefined : castFn(c.type, targets[i].type);
  });
  return env.run(q.plan).map((r) => r.map((v, i) => (v === null || !casts[i] ? v : casts[i]!(v))));
}

/** Runs an INSERT statement. */
export function insertRows(env: StatementEnv, s: PgNode): DmlResult {
  const t = tableOf(env, s.relation);
  const def = t.def;
  const qualifier = s.relation.alias?.aliasname ?? def.name;
  const targetNames: string[] = (s.cols ?? []).map((c: PgNode) => c.ResTarget.name);
  const targets = targetNames.length
    ? targetNames.map((n) => {
        const c = def.columns.find((x) => x.name === n);
        if (!c) throw err(SqlState.undefinedColumn, `column "${n}" of relation "${def.name}" does not exist`);
        return c;
      })
    : [...def.columns];
  const source = insertSource(env, t, s, targets);
  const oc = s.onConflictClause;
  const pkIdx = def.primaryKey.map((id) => def.columns.findIndex((c) => c.id === id));
  const inferred: string[] = (oc?.infer?.indexElems ?? []).map((e: PgNode) => e.IndexElem?.name);
  if (oc?.infer?.conname || oc?.infer?.whereClause) {
    throw err(
      SqlState.featureNotSupported,
      'ON CONFLICT ON CONSTRAINT / partial index inference is not supported',
    );
  }
  if (
    inferred.length > 0 &&
    (inferred.length !== pkIdx.length || !pkIdx.every((i) => inferred.includes(def.columns[i].name)))
  ) {
    throw err('42P10', 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
  }
  if (oc && pkIdx.length === 0)
    throw err('42P10', 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
  let update: ((existing: unknown[], excluded: unknown[]) => unknown[] | undefined) | undefined;
  if (oc?.action === 'ONCONFLICT_UPDATE') {
    const width = def.columns.length;
    const excluded = def.columns.map((c) => ({ qualifier: 'excluded', name: c.name, type: c.type }));
    const b = env.binder().makeBinder(tableScope(t, qualifier, excluded));
    const sets = (oc.targetList as PgNode[]).map((x) => {
      const rt = x.ResTarget;
      const idx = def.columns.findIndex((c) => c.name === rt.name);
      if (idx < 0)
        throw err(SqlState.undefinedColumn, `column "${rt.name}" of relation "${def.name}" does not exist`);
      return { idx, expr: assignTo(bindExpr(b, rt.val), def.columns[idx], nodeLocation(rt.val)) };
    });
    const where = oc.whereClause ? coerce(bindExpr(b, oc.whereClause), 'bool') : undefined;
    const ev = rowEvaluator(env, 2 * width, [...sets.map((x) => x.expr), ...(where ? [where] : [])]);
    update = (existing, exc) => {
      const vals = ev([...existing, ...exc]);
      if (where && vals[vals.length - 1] !== true) return undefined;
      const row = existing.slice();
      sets.forEach((x, i) => {
        row[x.idx] = vals[i];
      });
      return row;
    };
  }
  // Decide every row first and write only at the end, so a failing statement changes nothing.
  const written: unknown[][] = [];
  const deletes: number[] = [];
  const pending = new Map<string, 'insert' | 'update'>();
  const dup = () =>
    err(SqlState.uniqueViolation, `duplicate key value violates unique constraint "${def.name}_pkey"`);
  for (const src of source) {
    const row = def.columns.map((c) => {
      const ti = targets.indexOf(c);
      const v = ti >= 0 && ti < src.length ? src[ti] : undefined;
      return v === undefined ? defaultValue(env, c) : v;
    });
    checkRow(env, t, row);
    if (pkIdx.length === 0) {
      written.push(row);
      continue;
    }
    const key = keyText(pkIdx.map((i) => row[i]));
    const prior = pending.get(key);
    const existing = prior ? undefined : t.lookupKey(key);
    if (prior === undefined && existing === undefined) {
      pending.set(key, 'insert');
      written.push(row);
      continue;
    }
    if (!oc) throw dup();
    if (!update) continue;
    if (prior !== undefined) {
      throw err(
        SqlState.cardinalityViolation,
        'ON CONFLICT DO UPDATE command cannot affect row a second time',
      );
    }
    const next = update(t.readRow(existing!), row);
    pending.set(key, 'update');
    if (!next) continue;
    checkRow(env, t, next);
    if (keyText(pkIdx.map((i) => next[i])) !== key) {
      throw err(SqlState.featureNotSupported, 'ON CONFLICT DO UPDATE may not change the key');
    }
    deletes.push(existing!);
    written.push(next);
  }
  const ret = returning(env, t, s.returningClause?.exprs ?? s.returningList, written, qualifier);
  for (const id of deletes) t.deleteRow(id);
  t.insert(written);
  return { command: 'INSERT', columns: ret.columns, rows: ret.rows, rowCount: written.length };
}
