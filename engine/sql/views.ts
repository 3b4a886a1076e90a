/**
 * @module engine/sql/views
 * CREATE [OR REPLACE] VIEW, DROP VIEW and the expansion of a view where a
 * query reads it. A view keeps its defining query (parse tree plus the text its
 * locations point into) and is bound afresh at each use, like PostgreSQL's
 * rewriter: planners, local or distributed, only ever see base tables.
 * A view depends on the relations its query names; DROP TABLE / DROP VIEW of
 * such a relation needs CASCADE (which drops the dependent views too).
 */
import type { QueryResult, StatementEnv } from '../database.ts';
import { SqlError, SqlState } from '../errors.ts';
import type { Column, Plan } from '../plan/nodes.ts';
import type { TableStore, ViewDef } from '../storage/table-store.ts';
import { pgTypeName } from '../types/values.ts';
import { names } from './bind-expr.ts';
import type { PgNode } from './parser.ts';

type DdlResult = Omit<QueryResult, 'stats'>;

const err = (code: string, msg: string, pos?: number, hint?: string) =>
  new SqlError(code, msg, pos === undefined || pos < 0 ? undefined : pos + 1, hint);

const done = (command: string): DdlResult => ({ command, columns: [], rows: [], rowCount: 0 });

/** Relation names a parse tree reads (RangeVar nodes), for dependency tracking. */
function relationNames(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const x of node) relationNames(x, out);
  else if (node && typeof node === 'object') {
    const rv = (node as PgNode).RangeVar;
    if (rv && typeof rv.relname === 'string' && !rv.schemaname) out.add(rv.relname);
    for (const v of Object.values(node)) relationNames(v, out);
  }
  return out;
}

/** The views whose query names `name` (directly). */
function dependents(store: TableStore, name: string): ViewDef[] {
  return [...(store.views?.values() ?? [])].filter(
    (v) => v.name !== name && relationNames(v.query, new Set()).has(name),
  );
}

/**
 * Refuses to drop `name` while views depend on it (2BP01), or with CASCADE drops
 * them first (recursively), as PostgreSQL does.
 */
export function dropDependents(store: TableStore, name: string, kind: string, cascade: boolean): void {
  const deps = dependents(store, name);
  if (deps.length === 0) return;
  if (!cascade)
    throw err(
      SqlState.dependentObjectsStillExist,
      `cannot drop ${kind} ${name} because other objects depend on it`,
      undefined,
      'Use DROP ... CASCADE to drop the dependent objects too.',
    );
  for (const v of deps) {
    dropDependents(store, v.name, 'view', true);
    store.views?.delete(v.name);
  }
}

const BOOLEAN_WORDS = new Set(['true', 'false', 'on', 'off', 'yes', 'no', '1', '0', 't', 'f', 'y', 'n']);

/**
 * `WITH (security_barrier, security_invoker)`: validated as PostgreSQL does (22023); they
 * change nothing here (no row-level security, one role per query). `check_option` is refused.
 */
function checkViewOptions(options: PgNode[] | undefined): void {
  for (const o of options ?? []) {
    const d = o.DefElem;
    if (d.defname === 'check_option')
      throw err(SqlState.featureNotSupported, 'WITH CHECK OPTION is not supported');
    if (d.defname !== 'security_barrier' && d.defname !== 'security_invoker')
      throw err(SqlState.invalidParameterValue, `unrecognized parameter "${d.defname}"`);
    const a = d.arg;
    const v =
      a === undefined
        ? 'true'
        : String(
            a.Integer?.ival ?? a.String?.sval ?? a.Boolean?.boolval ?? names(a.TypeName?.names).join('.'),
          );
    if (!BOOLEAN_WORDS.has(v.toLowerCase()))
      throw err(SqlState.invalidParameterValue, `invalid value for boolean option "${d.defname}": ${v}`);
  }
}

function createView(env: StatementEnv, s: PgNode): DdlResult {
  const views = env.store.views;
  if (!views) throw err(SqlState.featureNotSupported, 'CREATE VIEW is not supported here');
  const name: string = s.view.relname;
  if (s.withCheckOption && s.withCheckOption !== 'NO_CHECK_OPTION')
    throw err(SqlState.featureNotSupported, 'WITH CHECK OPTION is not supported');
  checkViewOptions(s.options);
  if (env.store.get(name))
    throw err(
      s.replace ? SqlState.wrongObjectType : SqlState.duplicateTable,
      s.replace ? `"${name}" is not a view` : `relation "${name}" already exists`,
      s.view.location,
    );
  const old = views.get(name);
  if (old && !s.replace)
    throw err(SqlState.duplicateTable, `relation "${name}" already exists`, s.view.location);
  const q = env.binder().bindQuery(s.query);
  const aliases = names(s.aliases);
  if (aliases.length > q.columns.length)
    throw err(SqlState.syntaxError, 'CREATE VIEW specifies more column names than columns');
  const columns = q.columns.map((c, i) => ({
    name: aliases[i] ?? c.name,
    type: c.type === 'unknown' ? 'text' : c.type,
  }));
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) throw err(SqlState.duplicateColumn, `column "${c.name}" specified more than once`);
    seen.add(c.name);
  }
  if (old) checkReplacement(old, columns);
  views.set(name, { name, sql: env.sql, query: s.query, columns });
  return done('CREATE VIEW');
}

/** CREATE OR REPLACE VIEW may only add columns at the end (PostgreSQL's rule). */
function checkReplacement(old: ViewDef, columns: ViewDef['columns']): void {
  if (columns.length < old.columns.length)
    throw err(SqlState.invalidTableDefinition, 'cannot drop columns from view');
  old.columns.forEach((o, i) => {
    const c = columns[i];
    if (c.name !== o.name)
      throw err(
        SqlState.invalidTableDefinition,
        `cannot change name of view column "${o.name}" to "${c.name}"`,
        undefined,
        'Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.',
      );
    if (c.type !== o.type)
      throw err(
        SqlState.invalidTableDefinition,
        `cannot change data type of view column "${o.name}" from ${pgTypeName(o.type)} to ${pgTypeName(c.type)}`,
      );
  });
}

function dropViews(env: StatementEnv, s: PgNode): DdlResult {
  const views = env.store.views;
  for (const o of s.objects) {
    const n = names(o.List.items);
    const name = n[n.length - 1];
    if (!views?.has(name)) {
      if (env.store.get(name))
        throw err(
          SqlState.wrongObjectType,
          `"${name}" is not a view`,
          undefined,
          'Use DROP TABLE to remove a table.',
        );
      if (s.missing_ok) continue;
      throw err(SqlState.undefinedTable, `view "${name}" does not exist`);
    }
    dropDependents(env.store, name, 'view', s.behavior === 'DROP_CASCADE');
    views.delete(name);
  }
  return done('DROP VIEW');
}

/** Runs CREATE VIEW / DROP VIEW; undefined when `stmt` is neither. */
export function runViewDdl(env: StatementEnv, stmt: PgNode): DdlResult | undefined {
  if (stmt.ViewStmt) return createView(env, stmt.ViewStmt);
  if (stmt.DropStmt?.removeType === 'OBJECT_VIEW') return dropViews(env, stmt.DropStmt);
  return undefined;
}

/** Views being expanded, innermost last: a view reaching itself is a cycle, not a stack overflow. */
const expanding: string[] = [];

/**
 * Binds view `v`'s query on its own (no outer query, CTEs or parameters are
 * visible to it) and names its columns as the view does.
 */
export function expandView(
  v: ViewDef,
  bind: (query: PgNode, sql: string) => { plan: Plan; columns: readonly Column[] },
): { plan: Plan; columns: Column[] } {
  if (expanding.includes(v.name))
    throw err(
      SqlState.invalidObjectDefinition,
      `infinite recursion detected in rules for relation "${v.name}"`,
    );
  expanding.push(v.name);
  try {
    const q = bind(v.query, v.sql);
    const columns = v.columns.map((c, i) => ({ name: c.name, type: q.columns[i]?.type ?? c.type }));
    if (q.columns.length === columns.length) return { plan: q.plan, columns };
    // `*` was expanded when the view was created: columns added to a table since stay out.
    const exprs = columns.map((c, i) => ({ kind: 'col' as const, index: i, type: c.type }));
    return { plan: { kind: 'project', input: q.plan, exprs, schema: columns }, columns };
  } finally {
    expanding.pop();
  }
}
