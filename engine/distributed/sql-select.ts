/**
 * @module engine/distributed/sql-select
 * Plans a single-table SELECT for distributed execution: a fragment every
 * targeted shard runs (filter, projection or partial aggregation, top-k), the
 * coordinator's merge (see `partial-merge`), the shards equality/IN on the
 * distribution column narrows it to, and zone-map bounds for chunk pruning.
 */
import { SqlError, SqlState } from '../errors.ts';
import { sqlTypeName } from '../sql/sql-names.ts';
import type { AggSpec, ColumnBound, SortKey } from './fragment.ts';
import { columnsOf, type FExpr } from './fragment-expr.ts';
import type { DistributedSelect, OutputSpec, OutputType } from './partial-merge.ts';
import { colExpr, constValue, type ExprScope, translateExpr, unsupported } from './sql-expr.ts';
import type { DistTable, DistType } from './table-schema.ts';

// biome-ignore lint/suspicious/noExplicitAny: the pg AST is untyped JSON.
type Node = any;

/** A planned SELECT plus routing: `pruneValues` set means only their shards are needed. */
export interface PlannedSelect extends DistributedSelect {
  readonly table: DistTable;
  readonly pruneValues?: readonly unknown[];
}

const AGGS = new Set(['count', 'sum', 'min', 'max', 'avg']);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function funcName(n: Node): string | undefined {
  return n?.FuncCall ? (n.FuncCall.funcname as Node[]).map((x) => x.String.sval).join('.') : undefined;
}

function containsAgg(n: Node): boolean {
  if (n === null || typeof n !== 'object') return false;
  if (AGGS.has(funcName(n) ?? '')) return true;
  return Object.values(n).some(containsAgg);
}

function intConst(n: Node, what: string, scope: ExprScope): number | undefined {
  if (!n) return undefined;
  const c = constValue(n, scope);
  if (c.v === null) return undefined;
  if (typeof c.v !== 'number' || !Number.isInteger(c.v) || c.v < 0) {
    throw new SqlError(SqlState.invalidParameterValue, `${what} must be a non-negative integer`);
  }
  return c.v;
}

/** Splits top-level ANDs. */
function conjuncts(e: FExpr | undefined): FExpr[] {
  if (!e) return [];
  return e.k === 'and' ? e.args.flatMap(conjuncts) : [e];
}

/** `col = v`, `col IN (…)` and ORs of those on one column → the column and its possible values. */
function equalityValues(e: FExpr): { columnId: number; values: unknown[] } | undefined {
  if (e.k === 'in' && !e.negated && e.arg.k === 'col')
    return { columnId: e.arg.id, values: e.list.filter((v) => v !== null) };
  if (e.k === 'cmp' && e.op === '=') {
    if (e.l.k === 'col' && e.r.k === 'const' && e.r.v !== null) return { columnId: e.l.id, values: [e.r.v] };
    if (e.r.k === 'col' && e.l.k === 'const' && e.l.v !== null) return { columnId: e.r.id, values: [e.l.v] };
  }
  if (e.k === 'or') {
    const parts = e.args.map(equalityValues);
    const first = parts[0];
    if (!first || parts.some((p) => p?.columnId !== first.columnId)) return undefined;
    return { columnId: first.columnId, values: parts.flatMap((p) => p!.values) };
  }
  return undefined;
}

function boundsOf(filter: FExpr | undefined): ColumnBound[] {
  const out: ColumnBound[] = [];
  for (const c of conjuncts(filter)) {
    const eq = equalityValues(c);
    if (eq) {
      out.push(eq);
      continue;
    }
    if (c.k !== 'cmp') continue;
    const [col, val, op] =
      c.l.k === 'col' && c.r.k === 'const'
        ? [c.l, c.r.v, c.op]
        : c.r.k === 'col' && c.l.k === 'const'
          ? [c.r, c.l.v, flip(c.op)]
          : [];
    if (col?.k !== 'col' || val === null || val === undefined) continue;
    if (op === '=') out.push({ columnId: col.id, values: [val] });
    else if (op === '>' || op === '>=') out.push({ columnId: col.id, lo: val });
    else if (op === '<' || op === '<=') out.push({ columnId: col.id, hi: val });
  }
  return out;
}

function flip(op: string): string {
  return ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as Record<string, string>)[op] ?? op;
}

/** Plans `stmt` (a SelectStmt) over `table`. */
export function planSelect(stmt: Node, table: DistTable, params: readonly unknown[]): PlannedSelect {
  const s = stmt.SelectStmt ?? stmt;
  for (const k of ['havingClause', 'windowClause', 'withClause', 'lockingClause', 'intoClause']) {
    if (s[k]) unsupported(k.replace('Clause', '').toUpperCase());
  }
  if (s.op !== 'SETOP_NONE') unsupported('UNION / INTERSECT / EXCEPT');
  const scope: ExprScope = { table, params };
  const filter = s.whereClause ? translateExpr(s.whereClause, scope) : undefined;
  if (s.whereClause && containsAgg(s.whereClause))
    throw new SqlError(SqlState.groupingError, 'aggregate functions are not allowed in WHERE');

  // Expand the target list.
  const targets: { name: string; node?: Node; expr?: FExpr }[] = [];
  for (const t of s.targetList as Node[]) {
    const rt = t.ResTarget;
    const fields = rt.val.ColumnRef?.fields as Node[] | undefined;
    if (fields?.[fields.length - 1].A_Star) {
      for (const c of table.columns) targets.push({ name: c.name, expr: colExpr(c) });
      continue;
    }
    const name =
      rt.name ??
      (fields ? fields[fields.length - 1].String.sval : (funcName(rt.val)?.split('.').pop() ?? '?column?'));
    targets.push({ name, node: rt.val });
  }

  const aggMode = Boolean(s.groupClause) || targets.some((t) => t.node && containsAgg(t.node));
  const project: FExpr[] = [];
  const aggs: AggSpec[] = [];
  const outputs: OutputSpec[] = [];
  const typeOf = (e: FExpr): DistType | 'null' =>
    e.k === 'col' || e.k === 'const' || e.k === 'arith' ? e.type : e.k === 'bucket' ? 'timestamptz' : 'bool';

  const addAgg = (n: Node, name: string, hidden: boolean): number => {
    const fc = n.FuncCall;
    const fn = funcName(n)!;
    if (fc.agg_distinct && fn !== 'count') unsupported(`${fn}(DISTINCT …)`);
    if (fc.agg_filter || fc.agg_order || fc.over) unsupported(`${fn} with FILTER / ORDER BY / OVER`);
    const arg = fc.agg_star ? undefined : translateExpr((fc.args as Node[])[0], scope);
    if (arg && containsAgg(fc.args[0]))
      throw new SqlError(SqlState.groupingError, 'aggregate function calls cannot be nested');
    const argType = arg ? typeOf(arg) : 'int64';
    if ((fn === 'sum' || fn === 'avg') && !['int32', 'int64', 'float64', 'null'].includes(argType)) {
      throw new SqlError(
        SqlState.undefinedFunction,
        `function ${fn}(${argType === 'null' ? 'unknown' : sqlTypeName(argType)}) does not exist`,
      );
    }
    const push = (spec: AggSpec) => aggs.push(spec) - 1;
    if (fn === 'avg') {
      const sum = push({ fn: 'sum', arg });
      const count = push({ fn: 'count', arg });
      // PostgreSQL: avg of integers is numeric, of double precision double precision.
      const type = argType === 'float64' ? 'float64' : 'numeric';
      outputs.push({ name, type, source: { k: 'avg', sum, count }, hidden });
    } else {
      // PostgreSQL: sum(integer) is bigint, sum(bigint) numeric, sum(double precision) double.
      const type: OutputType =
        fn === 'count'
          ? 'int64'
          : fn === 'sum'
            ? argType === 'float64'
              ? 'float64'
              : argType === 'int64'
                ? 'numeric'
                : 'int64'
            : argType;
      outputs.push({
        name,
        type,
        source: {
          k: 'agg',
          index: push({ fn: fc.agg_distinct ? 'countDistinct' : (fn as AggSpec['fn']), arg }),
        },
        hidden,
      });
    }
    return outputs.length - 1;
  };

  if (aggMode) {
    for (const g of (s.groupClause ?? []) as Node[]) {
      const pos = g.A_Const?.ival ? (g.A_Const.ival.ival as number) : undefined;
      const alias = g.ColumnRef
        ? targets.find(
            (t) => t.name === g.ColumnRef.fields.at(-1).String?.sval && t.node && !t.node.ColumnRef,
          )
        : undefined;
      const src = pos !== undefined ? targets[pos - 1] : alias;
      if (pos !== undefined && !src)
        throw new SqlError('42P10', `GROUP BY position ${pos} is not in select list`);
      const node = src ? src.node : g;
      if (src && !node) unsupported('GROUP BY *');
      if (containsAgg(node))
        throw new SqlError(SqlState.groupingError, 'aggregate functions are not allowed in GROUP BY');
      const e = src?.expr ?? translateExpr(node, scope);
      if (!project.some((p) => same(p, e))) project.push(e);
    }
    for (const t of targets) {
      if (t.node && AGGS.has(funcName(t.node) ?? '')) {
        addAgg(t.node, t.name, false);
        continue;
      }
      if (t.node && containsAgg(t.node)) unsupported('expressions over aggregates');
      const e = t.expr ?? translateExpr(t.node, scope);
      const idx = project.findIndex((p) => same(p, e));
      if (idx < 0 && !(e.k === 'const')) {
        throw new SqlError(
          SqlState.groupingError,
          `column "${t.name}" must appear in the GROUP BY clause or be used in an aggregate function`,
        );
      }
      if (idx < 0) project.push(e);
      outputs.push({
        name: t.name,
        type: typeOf(e),
        source: { k: 'value', index: idx < 0 ? project.length - 1 : idx },
      });
    }
  } else {
    for (const t of targets) {
      const e = t.expr ?? translateExpr(t.node, scope);
      project.push(e);
      outputs.push({ name: t.name, type: typeOf(e), source: { k: 'value', index: project.length - 1 } });
    }
  }

  // ORDER BY: by position, by output name, or by an expression (added as a hidden output).
  const orderBy: SortKey[] = [];
  for (const sb of (s.sortClause ?? []) as Node[]) {
    const { node, sortby_dir: dir, sortby_nulls: nulls } = sb.SortBy;
    const desc = dir === 'SORTBY_DESC';
    const nullsFirst = nulls === 'SORTBY_NULLS_FIRST' || (nulls !== 'SORTBY_NULLS_LAST' && desc);
    let index: number;
    if (node.A_Const?.ival) {
      index = (node.A_Const.ival.ival as number) - 1;
      if (index < 0 || index >= targets.length)
        throw new SqlError('42P10', `ORDER BY position ${index + 1} is not in select list`);
    } else if (
      node.ColumnRef &&
      outputs.some((o) => !o.hidden && o.name === node.ColumnRef.fields.at(-1).String?.sval)
    ) {
      index = outputs.findIndex((o) => o.name === node.ColumnRef.fields.at(-1).String.sval);
    } else if (aggMode && AGGS.has(funcName(node) ?? '')) {
      index = addAgg(node, '?order?', true);
    } else {
      const e = translateExpr(node, scope);
      let p = project.findIndex((x) => same(x, e));
      if (p < 0 && aggMode)
        throw new SqlError(
          SqlState.groupingError,
          'ORDER BY expression must appear in GROUP BY or be an aggregate',
        );
      if (p < 0) p = project.push(e) - 1;
      index = outputs.findIndex((o) => o.source.k === 'value' && o.source.index === p);
      if (index < 0)
        index =
          outputs.push({ name: '?order?', type: typeOf(e), source: { k: 'value', index: p }, hidden: true }) -
          1;
    }
    orderBy.push({ index, desc, nullsFirst });
  }
  // DISTINCT ON (rows mode): keep the first row per key under ORDER BY (TSBS lastpoint).
  let distinctOn: number[] | undefined;
  if (s.distinctClause) {
    const items = s.distinctClause as Node[];
    if (aggMode || items.length === 0 || items.some((d) => Object.keys(d).length === 0))
      unsupported('DISTINCT');
    distinctOn = items.map((d) => {
      const e = translateExpr(d, scope);
      let p = project.findIndex((x) => same(x, e));
      if (p < 0) p = project.push(e) - 1;
      let o = outputs.findIndex((x) => x.source.k === 'value' && x.source.index === p);
      if (o < 0)
        o =
          outputs.push({
            name: '?distinct?',
            type: typeOf(e),
            source: { k: 'value', index: p },
            hidden: true,
          }) - 1;
      return o;
    });
    const lead = orderBy.slice(0, distinctOn.length).map((k) => k.index);
    if (orderBy.length > 0 && !distinctOn.every((o) => lead.includes(o))) {
      throw new SqlError('42P10', 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions');
    }
  }
  const limit = s.limitCount ? intConst(s.limitCount, 'LIMIT', scope) : undefined;
  const offset = intConst(s.limitOffset, 'OFFSET', scope) ?? 0;

  // Row mode keeps output i == project i, so sort keys push down unchanged. Aggregates
  // push ORDER BY + LIMIT only when the sort keys cover every group key (a total order
  // on groups): then a group of the final top k is in the top k of every shard holding it,
  // with its complete partial. Exact count(DISTINCT) fragments group finer: never.
  const keyIndex = (k: SortKey) => {
    const src = outputs[k.index].source;
    return src.k === 'value' ? src.index : -1;
  };
  const aggTopK =
    aggMode &&
    limit !== undefined &&
    orderBy.length > 0 &&
    orderBy.every((k) => keyIndex(k) >= 0) &&
    project.every((e, i) => e.k === 'const' || orderBy.some((k) => keyIndex(k) === i)) &&
    aggs.every((a) => a.fn !== 'countDistinct');
  const pushKeys = aggMode && !aggTopK ? [] : orderBy.map((k) => ({ ...k, index: keyIndex(k) }));
  const reads = new Set<number>();
  const collect = (e: FExpr | undefined) => {
    if (e) for (const id of columnsOf(e)) reads.add(id);
  };
  collect(filter);
  for (const p of project) collect(p);
  for (const a of aggs) collect(a.arg);
  const defaults: unknown[] = [];
  for (const c of table.columns) defaults[c.id] = c.default ?? null;
  const bounds = boundsOf(filter);
  let pruneValues: unknown[] | undefined;
  if (table.placement.kind === 'distributed') {
    const distId = table.placement.columnId;
    for (const b of bounds) {
      if (b.columnId === distId && b.values)
        pruneValues = pruneValues ? pruneValues.filter((v) => b.values!.includes(v)) : [...b.values];
    }
  }
  return {
    table,
    pruneValues,
    fragment: {
      table: table.name,
      reads: [...reads],
      defaults,
      filter,
      bounds,
      mode: aggMode ? 'agg' : 'rows',
      project,
      aggs,
      orderBy: pushKeys,
      limit: (!aggMode || aggTopK) && limit !== undefined ? offset + limit : undefined,
      distinctOn: distinctOn?.map((o) => (outputs[o].source as { index: number }).index),
    },
    distinctOn,
    outputs,
    orderBy,
    limit,
    offset,
  };
}

/**
 * The fast path's plan, or undefined when it cannot plan the statement exactly. Call it only
 * on statements the engine has bound: any error here then means "not on the fast path", and
 * the general path answers exactly as the engine does (windows, casts, functions…).
 */
export function planFastPath(
  stmt: Node,
  t: DistTable,
  params: readonly unknown[],
): PlannedSelect | undefined {
  if (hasWindow(stmt)) return undefined;
  try {
    return planSelect(stmt, t, params);
  } catch (e) {
    if (e instanceof SqlError) return undefined;
    throw e;
  }
}

/** True when `n` calls a window function (`… OVER (…)`). */
function hasWindow(n: unknown): boolean {
  if (n === null || typeof n !== 'object') return false;
  if ('FuncCall' in n && (n as { FuncCall: { over?: unknown } }).FuncCall.over) return true;
  return Object.values(n).some(hasWindow);
}
