import { visitExpr } from '../plan/expr-utils.ts';
import type { AggCall, Expr, Plan } from '../plan/nodes.ts';
import type { SqlType } from '../types/values.ts';
import { chunkColumnName } from './chunk-rows.ts';
import { declaredType, readsAsStored } from './column-types.ts';
import { exprSql } from './expr-sql.ts';
import type { AggSpec, FragmentExpr, SortKey } from './fragment.ts';
import type { DistributedSelect, OutputSpec, OutputType } from './partial-merge.ts';
import { boundsOf } from './select-pruning.ts';
import { sameOnShard } from './shard-binding.ts';
import type { DistTable } from './table-schema.ts';

/** A planned SELECT plus routing: `pruneValues` set means only their shards are needed. */
export interface PlannedSelect extends DistributedSelect {
  readonly table: DistTable;
  readonly pruneValues?: readonly unknown[];
}

/** Types whose values travel in partials and merge exactly on the coordinator. */
const MERGEABLE = new Set<SqlType>([
  'bool',
  'int16',
  'int32',
  'int64',
  'float32',
  'float64',
  'text',
  'timestamptz',
]);
/** Types sum and avg partials add exactly or as PostgreSQL does. */
const SUMMABLE = new Set<SqlType>(['int16', 'int32', 'int64', 'float64']);

type Peeled = {
  visible?: readonly Expr[];
  limit?: Expr;
  offset?: Expr;
  distinctOn?: readonly Expr[];
  sort?: Extract<Plan, { kind: 'sort' }>;
  project: Extract<Plan, { kind: 'project' }>;
  aggregate?: Extract<Plan, { kind: 'aggregate' }>;
  filter?: Expr;
  scan: Extract<Plan, { kind: 'scan' }>;
};

/** Matches the plan shape the rules cut; undefined for any other. */
export function peel(plan: Plan): Peeled | undefined {
  let p = plan;
  const out: Partial<Peeled> = {};
  if (p.kind === 'project' && ['limit', 'sort', 'distinct'].includes(p.input.kind)) {
    out.visible = p.exprs;
    p = p.input;
  }
  if (p.kind === 'limit') {
    out.limit = p.limit;
    out.offset = p.offset;
    p = p.input;
  }
  if (p.kind === 'distinct') {
    if (!p.on) return undefined;
    out.distinctOn = p.on;
    p = p.input;
  }
  if (p.kind === 'sort') {
    out.sort = p;
    p = p.input;
  }
  if (p.kind !== 'project') return undefined;
  out.project = p;
  p = p.input;
  if (p.kind === 'aggregate') {
    out.aggregate = p;
    p = p.input;
  }
  if (p.kind === 'filter') {
    out.filter = p.predicate;
    p = p.input;
  }
  if (p.kind !== 'scan' || p.filter || p.withRowId) return undefined;
  out.scan = p;
  return out as Peeled;
}

/** A constant non-negative integer LIMIT / OFFSET; undefined when absent; null when not constant. */
function count(e: Expr | undefined): number | undefined | null {
  if (!e) return undefined;
  if (e.kind !== 'const') return null;
  if (e.value === null) return undefined;
  const n = Number(e.value);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

const colIndex = (e: Expr): number | undefined => (e.kind === 'col' ? e.index : undefined);

/** Plans a bound SELECT over `table`, or undefined when the rules do not cut it. */
export function planBound(
  plan: Plan,
  table: DistTable,
  params: readonly unknown[],
): PlannedSelect | undefined {
  const m = peel(plan);
  if (!m || m.scan.table !== table.name) return undefined;
  // Bound on another version of the table: its column positions mean nothing here.
  const stale = m.scan.schema.some((c, i) => {
    const col = table.columns[m.scan.columns[i]];
    return col?.name !== c.name || declaredType(col) !== c.type;
  });
  if (stale) return undefined;
  const columnId = (i: number) => table.columns[m.scan.columns[i]].id;
  const shipped: { expr: Expr; sql: string }[] = [];
  const reads = new Set<number>();
  const ship = (e: Expr): FragmentExpr | undefined => {
    const sql = exprSql(e, (i) => chunkColumnName(columnId(i)));
    if (sql === undefined) return undefined;
    shipped.push({ expr: e, sql });
    visitExpr(e, (x) => {
      if (x.kind === 'col') reads.add(columnId(x.index));
    });
    return { sql, type: e.type, constant: e.kind === 'const' };
  };
  const filter = m.filter && ship(m.filter);
  if (m.filter && !filter) return undefined;

  const project: FragmentExpr[] = [];
  const aggs: AggSpec[] = [];
  const outputs: OutputSpec[] = [];
  const names = m.project.schema;
  if (m.aggregate) {
    for (const g of m.aggregate.groups) {
      const e = MERGEABLE.has(g.type) ? ship(g) : undefined;
      if (!e) return undefined;
      project.push(e);
    }
    const specs = m.aggregate.aggs.map((a) => aggSpecs(a, ship));
    if (specs.some((s) => !s)) return undefined;
    const first: number[] = [];
    for (const s of specs) first.push(aggs.push(...s!) - s!.length);
    const nGroups = m.aggregate.groups.length;
    for (const [i, e] of m.project.exprs.entries()) {
      const name = names[i].name;
      const c = colIndex(e);
      if (e.kind === 'const' && MERGEABLE.has(e.type)) {
        const k = ship(e)!;
        outputs.push({
          name,
          type: e.type as OutputType,
          source: { k: 'value', index: project.push(k) - 1 },
        });
      } else if (c !== undefined && c < nGroups) {
        outputs.push({ name, type: e.type as OutputType, source: { k: 'value', index: c } });
      } else if (c !== undefined) {
        const a: AggCall = m.aggregate.aggs[c - nGroups];
        const at = first[c - nGroups];
        const source =
          a.name === 'avg'
            ? ({ k: 'avg', sum: at, count: at + 1 } as const)
            : ({ k: 'agg', index: at } as const);
        outputs.push({ name, type: a.type as OutputType, source });
      } else return undefined;
    }
  } else {
    for (const [i, e] of m.project.exprs.entries()) {
      const x = MERGEABLE.has(e.type) ? ship(e) : undefined;
      if (!x) return undefined;
      outputs.push({
        name: names[i].name,
        type: e.type as OutputType,
        source: { k: 'value', index: project.push(x) - 1 },
      });
    }
  }
  // Outputs the statement does not return exist only to sort by.
  if (m.visible) {
    if (m.visible.some((e, i) => colIndex(e) !== i)) return undefined;
    for (let i = m.visible.length; i < outputs.length; i++) outputs[i] = { ...outputs[i], hidden: true };
  }
  const orderBy: SortKey[] = [];
  for (const k of m.sort?.keys ?? []) {
    const index = colIndex(k.expr);
    if (index === undefined) return undefined;
    orderBy.push({ index, desc: k.desc, nullsFirst: k.nullsFirst });
  }
  const distinctOn = m.distinctOn?.map(colIndex);
  if (distinctOn && (m.aggregate || distinctOn.some((i) => i === undefined))) return undefined;
  const limit = count(m.limit);
  const offset = count(m.offset);
  if (limit === null || offset === null) return undefined;

  // Aggregates push ORDER BY + LIMIT only when the sort keys cover every group key (a total
  // order on groups): a group of the final top k is then in the top k of every shard holding
  // it, with its complete partial. Exact count(DISTINCT) fragments group finer: never.
  const keyIndex = (k: SortKey) => {
    const src = outputs[k.index].source;
    return src.k === 'value' ? src.index : -1;
  };
  const aggMode = m.aggregate !== undefined;
  const aggTopK =
    aggMode &&
    limit !== undefined &&
    orderBy.length > 0 &&
    orderBy.every((k) => keyIndex(k) >= 0) &&
    project.every((e, i) => e.constant || orderBy.some((k) => keyIndex(k) === i)) &&
    aggs.every((a) => a.fn !== 'countDistinct');
  // Shards' fragments read the stored representation (see `fragment-engine`): a column declared
  // otherwise (smallint, real, numeric, date, timestamp) is read by the coordinator's engine.
  if (table.columns.some((c) => reads.has(c.id) && !readsAsStored(c))) return undefined;
  if (!sameOnShard(table, shipped, params)) return undefined;
  const defaults: unknown[] = [];
  for (const c of table.columns) defaults[c.id] = c.default ?? null;
  const { bounds, pruneValues } = boundsOf(table, m.filter, m.scan.columns, params);
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
      orderBy: aggMode && !aggTopK ? [] : orderBy.map((k) => ({ ...k, index: keyIndex(k) })),
      limit: (!aggMode || aggTopK) && limit !== undefined ? (offset ?? 0) + limit : undefined,
      distinctOn: distinctOn as number[] | undefined,
      params: params.length > 0 ? params : undefined,
    },
    distinctOn: distinctOn as number[] | undefined,
    outputs,
    orderBy,
    limit,
    offset: offset ?? 0,
  };
}

/** The partial aggregates of one aggregate call (avg travels as sum and count); undefined: not partial. */
function aggSpecs(a: AggCall, ship: (e: Expr) => FragmentExpr | undefined): AggSpec[] | undefined {
  if (a.filter || a.orderBy?.length) return undefined;
  if (a.star) return a.name === 'count' ? [{ fn: 'count' }] : undefined;
  if (a.args.length !== 1) return undefined;
  const t = a.args[0].type;
  const ok =
    a.name === 'count'
      ? !a.distinct || MERGEABLE.has(t)
      : !a.distinct &&
        (a.name === 'sum' || a.name === 'avg'
          ? SUMMABLE.has(t)
          : ['min', 'max'].includes(a.name) && MERGEABLE.has(t));
  const arg = ok ? ship(a.args[0]) : undefined;
  if (!arg) return undefined;
  if (a.name === 'avg')
    return [
      { fn: 'sum', arg },
      { fn: 'count', arg },
    ];
  return [{ fn: a.distinct ? 'countDistinct' : (a.name as AggSpec['fn']), arg }];
}
