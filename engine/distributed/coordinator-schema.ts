/**
 * @module engine/distributed/coordinator-schema
 * The catalog's schema as an engine store with no rows. The data plane binds
 * every statement here before it picks a path (fast path, general path, DML on
 * the shards), so type, name and function errors — and their positions — are
 * the engine's, which are PostgreSQL's. Writes are captured, never stored:
 * INSERT … VALUES runs here and hands back its rows already coerced to the
 * target's column types, defaults filled in, NOT NULL checked.
 *
 * Table definitions are built once per catalog snapshot (a snapshot object is
 * one catalog version in this isolate); each statement gets a fresh store, so
 * concurrent requests never share captured rows.
 */
import { Database, paramType, type QueryOptions, type QueryResult } from '../database.ts';
import { SqlError, SqlState } from '../errors.ts';
import type { Expr, Plan } from '../plan/nodes.ts';
import { SelectBinder } from '../sql/bind-select.ts';
import type { PgNode } from '../sql/parser.ts';
import type { SegmentView, TableData, TableDef, TableStore } from '../storage/table-store.ts';
import { declaredType } from './column-types.ts';
import type { DistTable } from './table-schema.ts';

const notHere = (): never => {
  throw new SqlError(SqlState.featureNotSupported, 'the schema store holds no rows');
};

/** A table with no rows whose inserts are captured (ordered like `def.columns`). */
class SchemaTable implements TableData {
  readonly inserted: unknown[][] = [];
  constructor(readonly def: TableDef) {}
  segments(): readonly SegmentView[] {
    return [];
  }
  insert(rows: readonly (readonly unknown[])[]): number[] {
    const first = this.inserted.length;
    for (const r of rows) this.inserted.push([...r]);
    return rows.map((_, i) => first + i);
  }
  appendChunk(): void {
    notHere();
  }
  deleteRow(): void {}
  readRow(id: number): unknown[] {
    return this.inserted[id] ?? notHere();
  }
  truncate(): void {}
  lookupKey(): number | undefined {
    return undefined;
  }
  setDef(): void {
    notHere();
  }
}

class SchemaStore implements TableStore {
  private readonly tables = new Map<string, SchemaTable>();
  constructor(defs: readonly TableDef[]) {
    for (const d of defs) this.tables.set(d.name, new SchemaTable(d));
  }
  get(name: string): SchemaTable | undefined {
    return this.tables.get(name);
  }
  create(): TableData {
    return notHere();
  }
  drop(): void {
    notHere();
  }
  names(): string[] {
    return [...this.tables.keys()];
  }
}

/** The engine value of a catalog default (int64 is a bigint in the engine). */
function engineDefault(type: string, v: unknown): Expr | undefined {
  if (v === undefined || v === null) return undefined;
  return { kind: 'const', value: type === 'int64' ? BigInt(v as number) : v, type } as Expr;
}

/** Engine definitions of catalog tables (catalog names, declared types and modifiers, NOT NULL and defaults). */
export function schemaDefs(tables: readonly DistTable[]): TableDef[] {
  return tables.map((t) => ({
    name: t.name,
    columns: t.columns.map((c) => ({
      id: c.id,
      name: c.name,
      type: declaredType(c),
      notNull: c.notNull,
      default: engineDefault(declaredType(c), c.default),
      typmod: c.typmod,
    })),
    primaryKey: [],
    checks: [],
  }));
}

const defsBySnapshot = new WeakMap<object, TableDef[]>();

/** `schemaDefs` of a catalog snapshot, built once per snapshot object (one catalog version). */
export function snapshotDefs(snapshot: { readonly tables: readonly unknown[] }): TableDef[] {
  let defs = defsBySnapshot.get(snapshot);
  if (!defs) {
    defs = schemaDefs(snapshot.tables as DistTable[]);
    defsBySnapshot.set(snapshot, defs);
  }
  return defs;
}

/** What binding one statement produced. */
export interface BoundStatement {
  /** The engine's result: a SELECT's columns (bound only, no rows); a DML command tag. */
  readonly result: QueryResult;
  /** Rows the statement inserted into `table` (engine values ordered like its columns). */
  inserted(table: string): readonly unknown[][];
}

/**
 * Binds `stmt` (parsed out of `sql`) against the schema: SELECT is bound and planned only;
 * INSERT, UPDATE and DELETE run over the empty tables (so VALUES rows are evaluated and
 * captured). Throws the engine's SqlError for anything PostgreSQL would reject.
 */
export async function bindStatement(
  defs: readonly TableDef[],
  stmt: PgNode,
  sql: string,
  params: readonly unknown[],
  wasmModule?: WebAssembly.Module,
): Promise<BoundStatement> {
  const store = new SchemaStore(defs);
  const db = await Database.create({ store, wasmModule });
  const opts: QueryOptions = { bindOnly: true };
  const result = db.runParsed(stmt, sql, params, opts);
  return { result, inserted: (table) => store.get(table)?.inserted ?? [] };
}

/**
 * The engine's bound logical plan of a SELECT (a parsed SelectStmt, or its body) over `defs`, bound
 * synchronously (the parser is initialized: the statement was parsed). Throws the engine's errors.
 */
export function bindSelectPlan(
  defs: readonly TableDef[],
  stmt: PgNode,
  sql: string,
  params: readonly unknown[],
): Plan {
  const ctx = { ctes: new Map(), params: params.map(paramType), sql };
  const node = stmt.SelectStmt ? stmt : { SelectStmt: stmt };
  return new SelectBinder(new SchemaStore(defs), ctx).bindQuery(node).plan;
}
