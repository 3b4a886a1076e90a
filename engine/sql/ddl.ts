/**
 * @module engine/sql/ddl
 * CREATE TABLE (PRIMARY KEY, NOT NULL, DEFAULT, CHECK, serial), DROP TABLE,
 * TRUNCATE, ALTER TABLE ADD/DROP/RENAME COLUMN and RENAME TO.
 */
import type { QueryResult, StatementEnv } from '../database.ts';
import { SqlError, SqlState } from '../errors.ts';
import type { Expr } from '../plan/nodes.ts';
import { layoutFromOptions } from '../storage/chunk-layout.ts';
import type { ColumnDef, TableDef } from '../storage/table-store.ts';
import { type ArrayType, isArrayType } from '../types/values.ts';
import type { ColumnType } from '../vector.ts';
import { bindExpr, coerce, names, typeFromTypeName, typmodOf } from './bind-expr.ts';
import { createTableAs } from './create-table-as.ts';
import type { PgNode } from './parser.ts';
import { Scope } from './scope.ts';
import { constraintName } from './sql-names.ts';
import { dropDependents, runViewDdl } from './views.ts';

type DdlResult = Omit<QueryResult, 'stats'>;

const done = (command: string): DdlResult => ({ command, columns: [], rows: [], rowCount: 0 });
const err = (code: string, msg: string, pos?: number) =>
  new SqlError(code, msg, pos === undefined || pos < 0 ? undefined : pos + 1);

let nextColumnId = 1;

/** A fresh column id (ids stay stable across renames and drops of other columns). */
export const newColumnId = (): number => nextColumnId++;

function serialDefault(type: ColumnType | ArrayType): Expr {
  let n = 0;
  const big = type === 'int64';
  return {
    kind: 'call',
    name: 'nextval',
    args: [],
    type,
    impl: { name: 'nextval', strict: false, fn: () => (big ? BigInt(++n) : ++n) },
  };
}

/**
 * A column's declared type. One-dimensional arrays (`int[]`) are stored like any
 * value; multidimensional ones and element type modifiers (`varchar(5)[]`,
 * enforced per element by PostgreSQL) are refused rather than half-enforced.
 */
function columnType(tn: PgNode): ColumnType | ArrayType {
  if (tn.arrayBounds?.length > 1)
    throw err(SqlState.featureNotSupported, 'multidimensional array columns are not supported', tn.location);
  if (tn.arrayBounds && tn.typmods?.length)
    throw err(
      SqlState.featureNotSupported,
      'type modifiers on array element types are not supported',
      tn.location,
    );
  return typeFromTypeName(tn, true) as ColumnType | ArrayType;
}

function columnDef(env: StatementEnv, cd: PgNode, pk: string[], checks: PgNode[]): ColumnDef {
  const typeNames = names(cd.typeName.names);
  const last = typeNames[typeNames.length - 1];
  const serial = /^(small|big)?serial[248]?$/.test(last);
  const type = columnType(cd.typeName);
  let notNull = serial;
  let def: Expr | undefined = serial ? serialDefault(type) : undefined;
  for (const c of cd.constraints ?? []) {
    const con = c.Constraint;
    switch (con.contype) {
      case 'CONSTR_NOTNULL':
        notNull = true;
        break;
      case 'CONSTR_NULL':
        break;
      case 'CONSTR_PRIMARY':
        notNull = true;
        pk.push(cd.colname);
        break;
      case 'CONSTR_DEFAULT': {
        const b = env.binder().makeBinder(new Scope([]));
        def = coerce(bindExpr(b, con.raw_expr), type, true, con.location);
        break;
      }
      case 'CONSTR_CHECK':
        checks.push(con);
        break;
      default:
        throw err(
          SqlState.featureNotSupported,
          `${constraintName(con.contype)} is not supported`,
          con.location,
        );
    }
  }
  const typmod = isArrayType(type) ? undefined : typmodOf(cd.typeName, type);
  return { id: newColumnId(), name: cd.colname, type, notNull, default: def, typmod };
}

function bindChecks(
  env: StatementEnv,
  table: string,
  columns: readonly ColumnDef[],
  checks: PgNode[],
): TableDef['checks'] {
  const scope = new Scope(columns.map((c) => ({ qualifier: table, name: c.name, type: c.type })));
  return checks.map((con, i) => {
    const b = env.binder().makeBinder(scope);
    const expr = coerce(bindExpr(b, con.raw_expr), 'bool', false, con.location);
    return { name: con.conname ?? `${table}_check${i === 0 ? '' : i}`, expr };
  });
}

function createTable(env: StatementEnv, s: PgNode): DdlResult {
  const name: string = s.relation.relname;
  if (env.store.get(name) || env.store.views?.has(name)) {
    if (s.if_not_exists) return done('CREATE TABLE');
    throw err(SqlState.duplicateTable, `relation "${name}" already exists`, s.relation.location);
  }
  if (s.inhRelations || s.partspec)
    throw err(SqlState.featureNotSupported, 'inheritance and partitioning are not supported');
  const pk: string[] = [];
  const checks: PgNode[] = [];
  const columns: ColumnDef[] = [];
  for (const el of s.tableElts ?? []) {
    if (el.ColumnDef) {
      const cd = columnDef(env, el.ColumnDef, pk, checks);
      if (columns.some((c) => c.name === cd.name))
        throw err(SqlState.duplicateColumn, `column "${cd.name}" specified more than once`);
      columns.push(cd);
    } else if (el.Constraint) {
      const con = el.Constraint;
      if (con.contype === 'CONSTR_PRIMARY') pk.push(...names(con.keys));
      else if (con.contype === 'CONSTR_CHECK') checks.push(con);
      else
        throw err(
          SqlState.featureNotSupported,
          `table constraint ${con.contype} is not supported`,
          con.location,
        );
    } else throw err(SqlState.featureNotSupported, 'this CREATE TABLE element is not supported');
  }
  const pkIds = pk.map((n) => {
    const i = columns.findIndex((c) => c.name === n);
    if (i < 0) throw err(SqlState.undefinedColumn, `column "${n}" named in key does not exist`);
    columns[i] = { ...columns[i], notNull: true };
    return columns[i].id;
  });
  env.store.create({ name, columns, primaryKey: pkIds, checks: bindChecks(env, name, columns, checks) });
  return done('CREATE TABLE');
}

function table(env: StatementEnv, rv: PgNode) {
  const t = env.store.get(rv.relname);
  if (!t) throw err(SqlState.undefinedTable, `relation "${rv.relname}" does not exist`, rv.location);
  return t;
}

function alterTable(env: StatementEnv, s: PgNode): DdlResult {
  const t = table(env, s.relation);
  let def = t.def;
  for (const c of s.cmds) {
    const cmd = c.AlterTableCmd;
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        const pk: string[] = [];
        const checks: PgNode[] = [];
        const cd = columnDef(env, cmd.def.ColumnDef, pk, checks);
        if (def.columns.some((x) => x.name === cd.name)) {
          if (cmd.missing_ok) continue;
          throw err(SqlState.duplicateColumn, `column "${cd.name}" of relation "${def.name}" already exists`);
        }
        if (pk.length)
          throw err(SqlState.featureNotSupported, 'adding a PRIMARY KEY column is not supported');
        if (cd.default && cd.default.kind !== 'const')
          throw err(SqlState.featureNotSupported, 'ADD COLUMN with a volatile DEFAULT is not supported');
        const hasRows = t.segments().some((seg) => seg.source.rowCount > 0);
        if (
          cd.notNull &&
          hasRows &&
          (!cd.default || (cd.default.kind === 'const' && cd.default.value === null))
        ) {
          throw err(
            SqlState.notNullViolation,
            `column "${cd.name}" of relation "${def.name}" contains null values`,
          );
        }
        def = {
          ...def,
          columns: [...def.columns, cd],
          checks: [...def.checks, ...bindChecks(env, def.name, [...def.columns, cd], checks)],
        };
        t.setDef(def);
        // Existing hot rows take the default (chunks substitute it on read).
        if (cd.default?.kind === 'const' && cd.default.value !== null) backfill(t, cd);
        break;
      }
      case 'AT_DropColumn': {
        const idx = def.columns.findIndex((x) => x.name === cmd.name);
        if (idx < 0) {
          if (cmd.missing_ok) continue;
          throw err(
            SqlState.undefinedColumn,
            `column "${cmd.name}" of relation "${def.name}" does not exist`,
          );
        }
        const id = def.columns[idx].id;
        if (def.primaryKey.includes(id))
          throw err(SqlState.featureNotSupported, 'dropping a primary key column is not supported');
        def = { ...def, columns: def.columns.filter((_, i) => i !== idx) };
        t.setDef(def);
        break;
      }
      case 'AT_SetRelOptions': {
        // TimescaleDB compression settings: the row order inside bulk-loaded chunks.
        const options = (cmd.def?.List?.items ?? []).map((x: PgNode) => ({
          namespace: x.DefElem.defnamespace,
          name: x.DefElem.defname,
          value: x.DefElem.arg?.String?.sval,
        }));
        def = { ...def, layout: layoutFromOptions(def, options) };
        t.setDef(def);
        break;
      }
      default:
        throw err(SqlState.featureNotSupported, `ALTER TABLE ${cmd.subtype} is not supported`);
    }
  }
  return done('ALTER TABLE');
}

function backfill(t: ReturnType<typeof table>, cd: ColumnDef): void {
  for (const seg of t.segments()) {
    if (!seg.hot) continue;
    const v = seg.source.column(cd.id);
    if (v?.kind === 'js') (v.values as unknown[]).fill((cd.default as { value: unknown }).value);
  }
}

function rename(env: StatementEnv, s: PgNode): DdlResult {
  const t = table(env, s.relation);
  if (s.renameType === 'OBJECT_COLUMN') {
    const def = t.def;
    if (!def.columns.some((c) => c.name === s.subname)) {
      throw err(SqlState.undefinedColumn, `column "${s.subname}" does not exist`);
    }
    if (def.columns.some((c) => c.name === s.newname)) {
      throw err(SqlState.duplicateColumn, `column "${s.newname}" of relation "${def.name}" already exists`);
    }
    t.setDef({
      ...def,
      columns: def.columns.map((c) => (c.name === s.subname ? { ...c, name: s.newname } : c)),
    });
    return done('ALTER TABLE');
  }
  throw err(SqlState.featureNotSupported, 'only RENAME COLUMN is supported');
}

/** Runs a DDL statement; undefined when `stmt` is not DDL. */
export function runDdl(stmt: PgNode, env: StatementEnv): DdlResult | undefined {
  const view = runViewDdl(env, stmt);
  if (view) return view;
  const key = Object.keys(stmt)[0];
  const s = stmt[key];
  switch (key) {
    case 'CreateTableAsStmt':
    case 'SelectStmt':
      return createTableAs(env, stmt);
    case 'CreateStmt':
      return createTable(env, s);
    case 'DropStmt': {
      if (s.removeType !== 'OBJECT_TABLE')
        throw err(SqlState.featureNotSupported, `DROP ${s.removeType} is not supported`);
      for (const o of s.objects) {
        const n = names(o.List.items);
        const name = n[n.length - 1];
        if (!env.store.get(name)) {
          if (env.store.views?.has(name))
            throw new SqlError(
              SqlState.wrongObjectType,
              `"${name}" is not a table`,
              undefined,
              'Use DROP VIEW to remove a view.',
            );
          if (s.missing_ok) continue;
          throw err(SqlState.undefinedTable, `table "${name}" does not exist`);
        }
        dropDependents(env.store, name, 'table', s.behavior === 'DROP_CASCADE');
        env.store.drop(name);
      }
      return done('DROP TABLE');
    }
    case 'TruncateStmt':
      for (const r of s.relations) table(env, r.RangeVar).truncate();
      return done('TRUNCATE TABLE');
    case 'AlterTableStmt':
      return alterTable(env, s);
    case 'RenameStmt':
      return rename(env, s);
  }
  return undefined;
}
