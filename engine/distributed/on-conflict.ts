/**
 * @module engine/distributed/on-conflict
 * `INSERT … ON CONFLICT [(cols) | ON CONSTRAINT name] DO NOTHING | DO UPDATE
 * SET … [WHERE …]` of a distributed table, planned at the coordinator: the
 * arbiter constraint is resolved against the table's constraints (42P10 when
 * none matches, as PostgreSQL), and DO UPDATE's SET and WHERE are bound by the
 * engine over the target row plus EXCLUDED, then shipped as SQL that each
 * shard's engine evaluates per conflicting row (see `unique-keys`,
 * `fragment-engine` `evaluateDml`) — as UPDATE ships its SET (see `dml-sql`).
 *
 * The evaluated row holds the target's columns at their ids and EXCLUDED's at
 * `excludedBase + id`, all named by id (`c<id>`).
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Expr } from '../plan/nodes.ts';
import { coerce } from '../sql/coerce.ts';
import { sqlTypeName } from '../sql/sql-names.ts';
import { chunkColumnName } from './chunk-rows.ts';
import { declaredType } from './column-types.ts';
import { bindSelectPlan, schemaDefs } from './coordinator-schema.ts';
import { type DmlSql, defaultLiteral, ROW_POSITION } from './dml-sql.ts';
import { exprSql } from './expr-sql.ts';
import { quoteIdent } from './fragment-sql.ts';
import { sameOnShard } from './shard-binding.ts';
import { unsupported } from './sql-expr.ts';
import { peel } from './sql-select.ts';
import type { DistTable } from './table-schema.ts';
import type { OnConflict } from './unique-keys.ts';

// biome-ignore lint/suspicious/noExplicitAny: the pg AST is untyped JSON.
type Node = any;

/** Prefix of EXCLUDED's column names in the scope DO UPDATE binds against (no real name has it). */
const EXCLUDED = '\u0001excluded.';

/** `excluded.col` → a reference to the EXCLUDED copy of `col`; other nodes copied as they are. */
function renameExcluded(n: Node): Node {
  if (Array.isArray(n)) return n.map(renameExcluded);
  if (!n || typeof n !== 'object') return n;
  const fields = n.ColumnRef?.fields as Node[] | undefined;
  if (fields?.length === 2 && fields[0].String?.sval === 'excluded' && fields[1].String)
    return {
      ColumnRef: { ...n.ColumnRef, fields: [{ String: { sval: EXCLUDED + fields[1].String.sval } }] },
    };
  const out: Node = {};
  for (const k of Object.keys(n)) out[k] = renameExcluded(n[k]);
  return out;
}

/** The arbiter constraint's name (undefined: any constraint, DO NOTHING without a target). */
function arbiter(oc: Node, table: DistTable): string | undefined {
  const constraints = table.unique ?? [];
  const infer = oc.infer;
  if (!infer) return undefined;
  if (infer.conname) {
    if (!constraints.some((c) => c.name === infer.conname))
      throw new SqlError('42704', `constraint "${infer.conname}" for table "${table.name}" does not exist`);
    return infer.conname;
  }
  if (infer.whereClause) unsupported('ON CONFLICT (…) WHERE (partial unique indexes)');
  const ids = (infer.indexElems as Node[]).map((e) => {
    const name = e.IndexElem.name as string | undefined;
    const col = name === undefined ? undefined : table.columns.find((c) => c.name === name);
    if (!col) {
      if (name === undefined) unsupported('ON CONFLICT on an expression');
      throw new SqlError(SqlState.undefinedColumn, `column "${name}" does not exist`);
    }
    return col.id;
  });
  const match = constraints.find(
    (c) => c.columnIds.length === new Set(ids).size && c.columnIds.every((id) => ids.includes(id)),
  );
  if (!match)
    throw new SqlError(
      '42P10',
      'there is no unique or exclusion constraint matching the ON CONFLICT specification',
    );
  return match.name;
}

/** The ON CONFLICT clause of an INSERT (`ins`, an InsertStmt), planned for the shards. */
export function onConflictOf(
  ins: Node,
  table: DistTable,
  params: readonly unknown[],
): OnConflict | undefined {
  const oc = ins.onConflictClause;
  if (!oc) return undefined;
  const constraint = arbiter(oc, table);
  const excludedBase = table.nextColumnId;
  if (oc.action === 'ONCONFLICT_NOTHING') return { constraint, action: 'nothing', excludedBase };
  if (!oc.infer)
    throw new SqlError(
      SqlState.syntaxError,
      'ON CONFLICT DO UPDATE requires inference specification or constraint name',
    );
  const scope: DistTable = {
    ...table,
    columns: [
      ...table.columns,
      ...table.columns.map((c) => ({ ...c, name: EXCLUDED + c.name, id: excludedBase + c.id })),
    ],
    nextColumnId: 2 * excludedBase,
  };
  const set = (oc.targetList as Node[]).map((t) => {
    const rt = t.ResTarget;
    if (rt.indirection) unsupported('UPDATE of array elements or fields');
    const column = table.columns.find((c) => c.name === rt.name);
    if (!column)
      throw new SqlError(
        SqlState.undefinedColumn,
        `column "${rt.name}" of relation "${table.name}" does not exist`,
      );
    if (table.placement.kind === 'distributed' && table.placement.columnId === column.id)
      unsupported('updating the distribution column (rows would move between shards)');
    return { rt, column };
  });
  // SET values and WHERE, bound by the engine over the target row and EXCLUDED.
  const alias = ins.relation.alias?.aliasname as string | undefined;
  const values = set.filter((s) => !s.rt.val.SetToDefault);
  const stmt = {
    targetList: values.map((s) => ({ ResTarget: { val: renameExcluded(s.rt.val) } })),
    fromClause: [
      {
        RangeVar: {
          relname: table.name,
          inh: true,
          relpersistence: 'p',
          alias: alias && { aliasname: alias },
        },
      },
    ],
    whereClause: oc.whereClause && renameExcluded(oc.whereClause),
    op: 'SETOP_NONE',
  };
  const m = peel(bindSelectPlan(schemaDefs([scope]), stmt, '', params));
  if (!m) return unsupported('this ON CONFLICT DO UPDATE');
  const byId = (i: number) => chunkColumnName(scope.columns[m.scan.columns[i]].id);
  const shipped: { expr: Expr; sql: string }[] = [];
  const ship = (e: Expr): string => {
    const sql = exprSql(e, byId);
    if (sql === undefined) return unsupported('subqueries and now() in ON CONFLICT DO UPDATE');
    shipped.push({ expr: e, sql });
    return sql;
  };
  let next = 0;
  // Assigned as the declared type (the modifier follows on the shard, see `unique-keys`).
  const targets = set.map(({ rt, column }) =>
    rt.val.SetToDefault
      ? `CAST(${defaultLiteral(column)} AS ${sqlTypeName(declaredType(column))})`
      : ship(coerce(m.project.exprs[next++], declaredType(column), true)),
  );
  const where = m.filter && ship(m.filter);
  // The shard binds the same text to the same expressions, or the statement is refused.
  const byIdScope: DistTable = {
    ...scope,
    columns: scope.columns.map((c) => ({ ...c, name: chunkColumnName(c.id) })),
  };
  if (!sameOnShard(scope, shipped, params, true)) unsupported('this ON CONFLICT DO UPDATE');
  const text =
    `SELECT ${[quoteIdent(ROW_POSITION), ...targets].join(', ')} FROM ${quoteIdent(table.name)}` +
    (where ? ` WHERE ${where}` : '');
  const dml: DmlSql = { text, params, table: byIdScope };
  return {
    constraint,
    action: 'update',
    set: set.map(({ column }) => ({
      column: {
        id: column.id,
        name: column.name,
        type: column.type,
        sqlType: column.sqlType,
        typmod: column.typmod,
        notNull: column.notNull,
      },
    })),
    dml,
    excludedBase,
  };
}
