/**
 * @module engine/distributed/coordinator-plan
 * The general two-level plan for a SELECT the single-table fast path cannot
 * plan (joins, subqueries, HAVING, windows, set operations, CTEs …): every
 * distributed or reference table the statement references is gathered to the
 * coordinator by a scan fragment — only the columns the statement names, only
 * the rows the pushable WHERE conjuncts keep (which also prune shards and
 * chunks) — and the original statement then runs on an engine `Database`
 * over the gathered rows (see `coordinator-engine`). Correct for the whole
 * SQL surface of the engine; bounded by `GATHER_LIMITS`.
 *
 * A conjunct is pushed into a table's scan only when that is exactly
 * equivalent: the table occurs once in the statement, in the top-level FROM,
 * not on the nullable side of an outer join, and the conjunct names only that
 * table's columns and binds, alone over that table, to an expression the
 * distributed rules ship to the shards (see `sql-select`). Everything else is
 * evaluated by the coordinator's engine.
 */
import { SqlError, SqlState } from '../errors.ts';
import { storedView } from './column-types.ts';
import { planSelectNode, rangeVar, whereOnly } from './select-binding.ts';
import type { PlannedSelect } from './sql-select.ts';
import type { DistColumn, DistTable } from './table-schema.ts';

// biome-ignore lint/suspicious/noExplicitAny: the pg AST is untyped JSON.
type Node = any;

/**
 * What the coordinator may pull from the shards for one statement. `bytes` bounds the
 * gathered values' estimated heap size (see `GatherBudget`): a Worker isolate has 128 MB,
 * and 1M rows × 3 columns measured 140 MB of heap in Node — far past it.
 */
export const GATHER_LIMITS = { rows: 1_000_000, bytes: 48 * 1024 * 1024 } as const;

/** One table to gather: its scan fragment (with routing) and the columns it returns, in order. */
export interface TableGather {
  readonly table: DistTable;
  readonly columns: readonly DistColumn[];
  readonly plan: PlannedSelect;
}

/** Calls `visit` on every object node of the AST (depth first). */
export function walkAst(n: Node, visit: (n: Node) => void): void {
  if (n === null || typeof n !== 'object') return;
  if (Array.isArray(n)) {
    for (const x of n) walkAst(x, visit);
    return;
  }
  visit(n);
  for (const v of Object.values(n)) walkAst(v, visit);
}

/** Whether the statement reads `information_schema` (then the coordinator lists every table). */
export function readsInformationSchema(stmt: Node): boolean {
  let found = false;
  walkAst(stmt, (n) => {
    if (n.RangeVar?.schemaname === 'information_schema') found = true;
  });
  return found;
}

/** Names of the relations a statement reads (CTE names excluded), with their occurrence counts. */
export function referencedRelations(stmt: Node): Map<string, number> {
  const ctes = new Set<string>();
  walkAst(stmt, (n) => {
    if (n.CommonTableExpr) ctes.add(n.CommonTableExpr.ctename);
  });
  const out = new Map<string, number>();
  walkAst(stmt, (n) => {
    const rv = n.RangeVar;
    // Catalog tables live in `public`; information_schema views are the coordinator engine's own.
    if (!rv || (rv.schemaname && rv.schemaname !== 'public') || (ctes.has(rv.relname) && !rv.schemaname))
      return;
    out.set(rv.relname, (out.get(rv.relname) ?? 0) + 1);
  });
  return out;
}

/** Column names the statement mentions; undefined when it needs every column (`*`, NATURAL, whole-row refs). */
function usedNames(stmt: Node, relNames: ReadonlySet<string>): Set<string> | undefined {
  const names = new Set<string>();
  let all = false;
  walkAst(stmt, (n) => {
    if (n.ColumnRef) {
      const fields = n.ColumnRef.fields as Node[];
      const last = fields[fields.length - 1];
      if (last.A_Star) all = true;
      else if (last.String) {
        names.add(last.String.sval);
        if (fields.length === 1 && relNames.has(last.String.sval)) all = true;
      }
    } else if (n.JoinExpr) {
      if (n.JoinExpr.isNatural) all = true;
      for (const u of (n.JoinExpr.usingClause ?? []) as Node[]) names.add(u.String.sval);
    }
  });
  return all ? undefined : names;
}

interface FromItem {
  readonly table: string;
  readonly alias: string;
  readonly nullable: boolean;
}

/** The tables of a top-level FROM list; `opaque` when some item's columns are unknown here. */
function fromItems(from: readonly Node[]): { items: FromItem[]; opaque: boolean } {
  const items: FromItem[] = [];
  let opaque = false;
  const visit = (n: Node, nullable: boolean) => {
    if (n.RangeVar) {
      const rv = n.RangeVar;
      items.push({ table: rv.relname, alias: rv.alias?.aliasname ?? rv.relname, nullable });
    } else if (n.JoinExpr) {
      const j = n.JoinExpr;
      if (j.alias) opaque = true;
      const t = j.jointype as string;
      visit(j.larg, nullable || t === 'JOIN_RIGHT' || t === 'JOIN_FULL');
      visit(j.rarg, nullable || t === 'JOIN_LEFT' || t === 'JOIN_FULL');
    } else opaque = true;
  };
  for (const n of from) visit(n, false);
  return { items, opaque };
}

/** Splits a WHERE clause into its top-level AND conjuncts. */
export function andConjuncts(n: Node | undefined): Node[] {
  if (!n) return [];
  if (n.BoolExpr?.boolop === 'AND_EXPR') return (n.BoolExpr.args as Node[]).flatMap(andConjuncts);
  return [n];
}

/** The alias a conjunct's column references all resolve to, or undefined. */
function soleAlias(
  conjunct: Node,
  items: readonly FromItem[],
  columnsOf: (table: string) => readonly DistColumn[],
): string | undefined {
  let alias: string | undefined;
  let ok = true;
  let refs = 0;
  walkAst(conjunct, (n) => {
    if (n.SubLink || n.FuncCall?.over) ok = false;
    if (!n.ColumnRef) return;
    refs++;
    const fields = (n.ColumnRef.fields as Node[]).map((f) => f.String?.sval as string | undefined);
    let a: string | undefined;
    if (fields.length === 2) a = fields[0];
    else if (fields.length === 1) {
      const owners = items.filter((it) => columnsOf(it.table).some((c) => c.name === fields[0]));
      a = owners.length === 1 ? owners[0].alias : undefined;
    }
    if (a === undefined || (alias !== undefined && a !== alias)) ok = false;
    alias = a;
  });
  return ok && refs > 0 ? alias : undefined;
}

const colRef = (name: string): Node => ({ ColumnRef: { fields: [{ String: { sval: name } }] } });

/**
 * Plans the gather of every table in `tables` (the relations `stmt` reads,
 * already looked up in the catalog) for `stmt`, a parsed statement node.
 */
export function planGather(
  stmt: Node,
  tables: readonly DistTable[],
  params: readonly unknown[],
  maxRows: number = GATHER_LIMITS.rows,
): TableGather[] {
  const counts = referencedRelations(stmt);
  const relNames = new Set<string>(counts.keys());
  walkAst(stmt, (n) => {
    if (n.RangeVar?.alias) relNames.add(n.RangeVar.alias.aliasname);
  });
  const names = usedNames(stmt, relNames);
  const byName = new Map(tables.map((t) => [t.name, t]));
  const columnsOf = (name: string) => byName.get(name)?.columns ?? [];

  // Pushable conjuncts of the top-level WHERE, per table.
  const pushed = new Map<string, { conjunct: Node; alias: string }[]>();
  const top = stmt.SelectStmt ?? stmt;
  if (top.op === 'SETOP_NONE' && top.whereClause) {
    const { items, opaque } = fromItems((top.fromClause ?? []) as Node[]);
    if (!opaque) {
      for (const c of andConjuncts(top.whereClause)) {
        const alias = soleAlias(c, items, columnsOf);
        const item = items.find((it) => it.alias === alias);
        const t = item && byName.get(item.table);
        if (!item || !t || item.nullable || counts.get(item.table) !== 1) continue;
        // Not shippable alone over its table: the coordinator's engine evaluates it.
        if (!planSelectNode(whereOnly(t.name, c, item.alias), t, params)) continue;
        pushed.set(t.name, [...(pushed.get(t.name) ?? []), { conjunct: c, alias: item.alias }]);
      }
    }
  }

  return tables.map((t) => {
    let columns = names ? t.columns.filter((c) => names.has(c.name)) : [...t.columns];
    if (columns.length === 0) columns = [t.columns[0]]; // count(*) still needs the rows
    const conj = (pushed.get(t.name) ?? []).map((p) => p.conjunct);
    const whereClause =
      conj.length === 0
        ? undefined
        : conj.length === 1
          ? conj[0]
          : { BoolExpr: { boolop: 'AND_EXPR', args: conj } };
    const scan = {
      targetList: columns.map((c) => ({ ResTarget: { val: colRef(c.name) } })),
      fromClause: [rangeVar(t.name, pushed.get(t.name)?.[0]?.alias ?? t.name)],
      whereClause,
      // One row past the limit is enough to know the limit is exceeded; the byte budget (at
      // least 24 bytes a value) caps it too, which keeps one shard's answer within an RPC message.
      limitCount: {
        A_Const: {
          ival: { ival: Math.min(maxRows, Math.floor(GATHER_LIMITS.bytes / (24 * columns.length))) + 1 },
        },
      },
      op: 'SETOP_NONE',
    };
    // Shards send the stored representation; the coordinator's engine reads it as declared. The
    // pushed conjuncts read only columns whose declared type is their representation's (see
    // `planBound`), so they mean the same over the stored view.
    // Each conjunct shipped alone; should their conjunction not (a bug of the rules), the scan
    // gathers every row: the coordinator's engine applies the whole WHERE either way.
    const plan =
      planSelectNode(scan, storedView(t), params) ??
      (whereClause ? planSelectNode({ ...scan, whereClause: undefined }, storedView(t), params) : undefined);
    if (!plan) throw new SqlError(SqlState.internalError, `cannot plan the scan of "${t.name}"`);
    return { table: t, columns, plan };
  });
}
