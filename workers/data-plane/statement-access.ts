/**
 * @module workers/data-plane/statement-access
 * What each statement needs — the pure half of the data plane's one
 * authorization check (see `authorize` for the request side: principals,
 * audit, middleware). Every parsed statement's WHOLE AST is walked, so DML
 * inside `INSERT … SELECT`, data-modifying CTEs and management functions
 * called anywhere in a SELECT count. A statement kind not named here needs
 * `admin` (fail closed). No Workers types: it runs and typechecks in Node too.
 */
import { MANAGEMENT_FUNCTIONS } from '../../engine/distributed/sql-statements.ts';
import { SqlError, SqlState } from '../../engine/errors.ts';
import type { PgNode } from '../../engine/sql/parser.ts';

/** A data-plane role, lowest first. */
export type DataPlaneRole = 'read' | 'write' | 'admin';

const RANK: Record<DataPlaneRole, number> = { read: 0, write: 1, admin: 2 };

/** What one statement (or request) needs, and why; all of it is safe to audit. */
export interface Access {
  /** The statement kind: `select`, `insert`, `drop table`, `ingest` … */
  readonly kind: string;
  readonly role: DataPlaneRole;
  /** The construct that needs `role` (`DELETE`, `drop_chunks()`, `DROP TABLE` …). */
  readonly reason: string;
  readonly tables: readonly string[];
}

/** Management functions that only read (everything else in `MANAGEMENT_FUNCTIONS` is admin). */
export const READ_FUNCTIONS = new Set(['show_shards', 'show_chunks']);

/**
 * Functions with side effects that the engine does not run today, named so a
 * future implementation cannot slip past: Timescale / Citus administration and
 * PostgreSQL server functions need admin, sequence updates need write.
 */
const ADMIN_FUNCTIONS = new Set([
  'compress_chunk',
  'decompress_chunk',
  'add_compression_policy',
  'remove_compression_policy',
  'add_columnstore_policy',
  'remove_columnstore_policy',
  'convert_to_columnstore',
  'convert_to_rowstore',
  'add_continuous_aggregate_policy',
  'remove_continuous_aggregate_policy',
  'refresh_continuous_aggregate',
  'add_dimension',
  'set_chunk_time_interval',
  'add_reorder_policy',
  'remove_reorder_policy',
  'reorder_chunk',
  'move_chunk',
  'add_job',
  'alter_job',
  'delete_job',
  'run_job',
  'alter_distributed_table',
  'undistribute_table',
  'truncate_local_data_after_distributing_table',
  'rebalance_table_shards',
  'isolate_tenant_to_new_shard',
  'citus_add_node',
  'citus_remove_node',
  'citus_move_shard_placement',
  'create_distributed_function',
  'set_config',
  'pg_terminate_backend',
  'pg_cancel_backend',
  'pg_reload_conf',
  'pg_read_file',
  'pg_read_binary_file',
  'pg_ls_dir',
  'lo_import',
  'lo_export',
  'dblink',
  'dblink_exec',
]);
const WRITE_FUNCTIONS = new Set(['nextval', 'setval']);

/** Statements that only read (their nested statements and calls are still walked). */
const READ_STATEMENTS = new Set([
  'SelectStmt',
  'VariableShowStmt',
  'ExplainStmt',
  'PrepareStmt',
  'DeclareCursorStmt',
  'FetchStmt',
  'ClosePortalStmt',
  'DeallocateStmt',
  'TransactionStmt',
]);
const WRITE_STATEMENTS: Record<string, string> = {
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
};
/** `SET` of these changes who the caller is, not a session setting. */
const IDENTITY_SETTINGS = new Set(['role', 'session_authorization']);

function functionName(fc: PgNode): string {
  const parts = (fc.funcname ?? []) as PgNode[];
  return String(parts[parts.length - 1]?.String?.sval ?? '').toLowerCase();
}

function functionRole(name: string): DataPlaneRole {
  if (READ_FUNCTIONS.has(name)) return 'read';
  if (MANAGEMENT_FUNCTIONS.has(name) || ADMIN_FUNCTIONS.has(name)) return 'admin';
  return WRITE_FUNCTIONS.has(name) ? 'write' : 'read';
}

/** The role one statement node needs by itself (not counting what it contains). */
function nodeRole(key: string, v: PgNode): { role: DataPlaneRole; reason: string } {
  if (WRITE_STATEMENTS[key]) return { role: 'write', reason: WRITE_STATEMENTS[key] };
  if (key === 'SelectStmt') {
    if (v?.intoClause) return { role: 'admin', reason: 'SELECT INTO' };
    if (v?.lockingClause?.length) return { role: 'write', reason: 'SELECT … FOR UPDATE / SHARE' };
    return { role: 'read', reason: 'SELECT' };
  }
  // COPY to or from a server file or program reaches the server, not just the table.
  if (key === 'CopyStmt')
    return v?.filename || v?.is_program
      ? { role: 'admin', reason: 'COPY file' }
      : { role: 'write', reason: 'COPY' };
  if (key === 'VariableSetStmt')
    return IDENTITY_SETTINGS.has(String(v?.name ?? '').toLowerCase())
      ? { role: 'admin', reason: `SET ${v.name}` }
      : { role: 'read', reason: 'SET' };
  if (READ_STATEMENTS.has(key)) return { role: 'read', reason: key };
  return { role: 'admin', reason: statementLabel(key, v).toUpperCase() };
}

/** A readable statement kind from its node: `drop table`, `create index`, `insert` … */
function statementLabel(key: string, v: PgNode): string {
  const object = (t: unknown) =>
    String(t ?? 'OBJECT_TABLE')
      .replace('OBJECT_', '')
      .replace(/_/g, ' ')
      .toLowerCase();
  if (key === 'CreateStmt') return 'create table';
  if (key === 'DropStmt') return `drop ${object(v?.removeType)}`;
  if (key === 'AlterTableStmt') return `alter ${object(v?.objtype)}`;
  if (key === 'IndexStmt') return 'create index';
  if (key === 'ViewStmt') return 'create view';
  if (key === 'VariableShowStmt') return 'show';
  if (key === 'VariableSetStmt') return 'set';
  return key
    .replace(/Stmt$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

const MAX_TABLES = 16;

/**
 * What one parsed statement needs: the highest role of any statement node or
 * function call anywhere in its AST. Pure; the parser's JSON is the input.
 */
export function statementAccess(stmt: PgNode): Access {
  const key = Object.keys(stmt ?? {})[0] ?? 'unknown';
  const top = nodeRole(key, stmt?.[key]);
  let role = top.role;
  let reason = top.reason;
  const tables = new Set<string>();
  const raise = (r: DataPlaneRole, why: string) => {
    if (RANK[r] > RANK[role]) {
      role = r;
      reason = why;
    }
  };
  const visit = (node: PgNode): void => {
    if (Array.isArray(node)) {
      for (const x of node) visit(x);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (typeof node.relname === 'string' && tables.size < MAX_TABLES) tables.add(node.relname.slice(0, 63));
    for (const [k, v] of Object.entries(node)) {
      if (k === 'FuncCall') {
        const name = functionName(v);
        const r = functionRole(name);
        raise(r, `${name}()`);
        // The first argument of a management call names its table (a literal, never a parameter value).
        const first = (v as PgNode).args?.[0]?.A_Const?.sval?.sval;
        if (MANAGEMENT_FUNCTIONS.has(name) && typeof first === 'string' && tables.size < MAX_TABLES)
          tables.add(first.slice(0, 63));
      } else if (k.endsWith('Stmt') && /^[A-Z]/.test(k)) {
        const n = nodeRole(k, v);
        raise(n.role, n.reason);
      }
      visit(v);
    }
  };
  visit(stmt);
  if (key === 'DropStmt')
    for (const o of (stmt.DropStmt.objects ?? []) as PgNode[]) {
      const items = (o?.List?.items ?? []) as PgNode[];
      const name = items[items.length - 1]?.String?.sval;
      if (typeof name === 'string' && tables.size < MAX_TABLES) tables.add(name.slice(0, 63));
    }
  return { kind: statementLabel(key, stmt?.[key]), role, reason, tables: [...tables] };
}

/** True when `have` is at least `need`. */
export function roleAllows(have: DataPlaneRole, need: DataPlaneRole): boolean {
  return RANK[have] >= RANK[need];
}

/** The first access `role` may not perform (its index), or undefined when all are allowed. */
export function firstDenied(role: DataPlaneRole, accesses: readonly Access[]): number | undefined {
  const i = accesses.findIndex((a) => !roleAllows(role, a.role));
  return i < 0 ? undefined : i;
}

export function permissionDenied(role: DataPlaneRole, accesses: readonly Access[], i: number): SqlError {
  const a = accesses[i];
  const where = accesses.length > 1 ? ` (statement ${i + 1} of ${accesses.length}; none ran)` : '';
  return new SqlError(
    SqlState.insufficientPrivilege,
    `permission denied: ${a.reason} requires the ${a.role} role; this key or session has ${role}${where}`,
  );
}

/** Pure form of the check: throws 42501 unless `role` may perform every access. */
export function authorize(role: DataPlaneRole, accesses: readonly Access[]): void {
  const i = firstDenied(role, accesses);
  if (i !== undefined) throw permissionDenied(role, accesses, i);
}
