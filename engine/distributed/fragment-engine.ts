/**
 * @module engine/distributed/fragment-engine
 * Runs plan fragments on the engine's vectorized executor over one shard's
 * segments: the shard's table definitions become engine TableDefs with columns
 * named by id (`c<id>`, the chunk column names), hot rows become a hot segment,
 * and the fragment becomes SQL (see `fragment-sql`). Pure TypeScript, so the
 * Durable Object and the Node differential test share it.
 */
import { Database } from '../database.ts';
import { SqlError, SqlState } from '../errors.ts';
import type { Expr } from '../plan/nodes.ts';
import { parseSql } from '../sql/parser.ts';
import { JsHotSource, type SegmentTable, SegmentTableStore } from '../storage/segment-store.ts';
import type { SegmentView, TableDef } from '../storage/table-store.ts';
import type { ColumnType } from '../vector.ts';
import { chunkColumnName } from './chunk-rows.ts';
import { declaredType } from './column-types.ts';
import { planeValue } from './coordinator-engine.ts';
import { type DmlSql, ROW_POSITION } from './dml-sql.ts';
import type { Fragment, PartialResult } from './fragment.ts';
import { fragmentSql, fragmentWidth, partialOf } from './fragment-sql.ts';
import { PartialColumns } from './partial-columns.ts';
import type { DistColumn, DistTable, Row } from './table-schema.ts';

/** Engine value of a data-plane value (int64 travels as number, the engine wants bigint). */
function engineValue(c: DistColumn, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  return c.type === 'int64' ? BigInt(v as number) : v;
}

/**
 * The engine definition of a data-plane table (columns named `c<id>`, no constraints: writes
 * never go through it). Columns have their stored representation's type, or with `declared`
 * their declared type (as `evaluateDml` reads them: UPDATE's and ON CONFLICT's SELECT).
 */
export function engineTableDef(t: DistTable, declared = false): TableDef {
  return {
    name: t.name,
    columns: t.columns.map((c) => ({
      id: c.id,
      name: chunkColumnName(c.id),
      type: declared ? declaredType(c) : (c.type as ColumnType),
      notNull: false,
      default:
        c.default === undefined || c.default === null
          ? undefined
          : ({
              kind: 'const',
              value: engineValue(c, c.default),
              type: declared ? declaredType(c) : c.type,
            } as Expr),
    })),
    primaryKey: [],
    checks: [],
  };
}

/** Hot rows (arrays by column id) as one hot segment; a missing slot reads as the column default. */
export function hotSegment(t: DistTable, rows: readonly Row[]): SegmentView {
  const cols = new Map<number, unknown[]>();
  for (const c of t.columns) {
    const out: unknown[] = new Array(rows.length);
    const dflt = engineValue(c, c.default);
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i][c.id];
      out[i] = v === undefined ? dflt : engineValue(c, v);
    }
    cols.set(c.id, out);
  }
  return { source: new JsHotSource(rows.length, cols), hot: true };
}

/** An engine over the given tables (the parser must be initialized, or `wasmModule` given). */
export function engineOver(
  tables: Iterable<SegmentTable>,
  wasmModule?: WebAssembly.Module,
): Promise<Database> {
  return Database.create({ store: new SegmentTableStore(tables), wasmModule });
}

/** Engine scan counters of one fragment run. */
export interface FragmentScanStats {
  readonly chunksScanned: number;
  readonly chunksSkipped: number;
}

/** Runs `f` on `db` and returns its columnar partial result. */
export async function runFragmentOnEngine(
  db: Database,
  f: Fragment,
): Promise<{ result: PartialResult; stats: FragmentScanStats; timing: Record<string, number> }> {
  const t0 = performance.now();
  const sql = fragmentSql(f);
  const t1 = performance.now();
  // Result batches go straight into columns (no row arrays); see `partial-columns`.
  const cols = new PartialColumns(fragmentWidth(f));
  const r = await db.query(sql, [...(f.params ?? [])], { sink: (b) => cols.add(b) });
  const t2 = performance.now();
  cols.numericToNumbers(r.columns.map((c) => c.type));
  const result = partialOf(f, cols.cols, cols.rowCount, f.pack === true);
  return {
    result,
    stats: { chunksScanned: r.stats.chunksScanned, chunksSkipped: r.stats.chunksSkipped },
    timing: { render: t1 - t0, query: t2 - t1, partial: performance.now() - t2 },
  };
}

/** Rows an UPDATE / DELETE matched (positions into the given rows) and, for UPDATE, their SET values. */
export interface DmlMatch {
  readonly positions: number[];
  /** Per matched row, the SET values in data-plane representation (empty for DELETE). */
  readonly values: unknown[][];
}

/** A store whose tables are swapped per evaluation (the engine is created once, asynchronously). */
class SwapStore extends SegmentTableStore {
  current = new SegmentTableStore([]);
  override get(name: string) {
    return this.current.get(name);
  }
  override names(): string[] {
    return this.current.names();
  }
}

let dmlEngine: { db: Database; store: SwapStore } | undefined;

/** Creates the DML evaluator's engine once per isolate; `evaluateDml` needs it (it is synchronous). */
export async function dmlEvaluatorReady(wasmModule?: WebAssembly.Module): Promise<void> {
  if (dmlEngine) return;
  const store = new SwapStore([]);
  const db = await Database.create({ store, wasmModule });
  dmlEngine ??= { db, store };
}

/** Parsed DML texts: ON CONFLICT DO UPDATE evaluates one text once per conflicting row. */
const parsedTexts = new Map<string, ReturnType<typeof parseSql>[number]['stmt']>();

function parsedDml(text: string) {
  let stmt = parsedTexts.get(text);
  if (!stmt) {
    if (parsedTexts.size >= 64) parsedTexts.clear();
    stmt = parseSql(text)[0].stmt;
    parsedTexts.set(text, stmt);
  }
  return stmt;
}

/**
 * Evaluates an UPDATE / DELETE shipped as SQL (see `dml-sql`) over `rows` (arrays by column
 * id; a missing slot reads as the column default) with the engine: which rows match, and
 * their new values. Synchronous, so a shard can run it inside its storage transaction.
 */
export function evaluateDml(dml: DmlSql, rows: readonly Row[]): DmlMatch {
  if (!dmlEngine) throw new SqlError(SqlState.internalError, 'the DML evaluator is not ready');
  const t = dml.table;
  const rowColumn = { id: t.nextColumnId, name: ROW_POSITION, type: 'int32' as const, notNull: true };
  // Declared types: WHERE and SET read the columns as PostgreSQL would (smallint, real, timestamp…).
  const def: TableDef = {
    name: t.name,
    columns: [...t.columns, rowColumn].map((c) => ({
      id: c.id,
      name: c.name,
      type: declaredType(c),
      notNull: false,
    })),
    primaryKey: [],
    checks: [],
  };
  const values = new Map<number, unknown[]>();
  for (const c of t.columns) {
    const dflt = engineValue(c, c.default);
    values.set(
      c.id,
      rows.map((r) => (r[c.id] === undefined ? dflt : engineValue(c, r[c.id]))),
    );
  }
  values.set(
    rowColumn.id,
    rows.map((_, i) => i),
  );
  const { db, store } = dmlEngine;
  store.current = new SegmentTableStore([
    { def, segments: () => [{ source: new JsHotSource(rows.length, values), hot: true }] },
  ]);
  try {
    const r = db.runParsed(parsedDml(dml.text), dml.text, dml.params, { raw: true });
    const types = r.columns.map((c) => c.type);
    return {
      positions: r.rows.map((row) => row[0] as number),
      // A numeric column stores its exact decimal text; other values as the plane holds them.
      values: r.rows.map((row) =>
        row.slice(1).map((v, i) => (types[i + 1] === 'numeric' ? v : planeValue(v, types[i + 1]))),
      ),
    };
  } finally {
    store.current = new SegmentTableStore([]);
  }
}
