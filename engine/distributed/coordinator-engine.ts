/**
 * @module engine/distributed/coordinator-engine
 * The coordinator half of the general two-level plan (see `coordinator-plan`):
 * shard partials gathered per table are checked against `GATHER_LIMITS`,
 * loaded as hot segments of a read-only engine `Database` whose tables carry
 * the catalog's table and column names, and the original statement runs
 * there. Results come back exact (see `resultValue`: int8 beyond ±2^53 and
 * numeric as text, timestamptz → µs).
 */
import { Database, type QueryResult } from '../database.ts';
import { SqlError, SqlState } from '../errors.ts';
import type { Expr } from '../plan/nodes.ts';
import { JsHotSource, type SegmentTable, SegmentTableStore } from '../storage/segment-store.ts';
import type { TableDef } from '../storage/table-store.ts';
import { declaredType } from './column-types.ts';
import { GATHER_LIMITS, type TableGather } from './coordinator-plan.ts';
import type { PartialResult } from './fragment.ts';
import { parseTimestampUs, planeInt64 } from './table-schema.ts';

/** One table's gather plan and the partials its shards returned. */
export interface GatheredTable {
  readonly gather: Pick<TableGather, 'table' | 'columns'>;
  readonly partials: readonly PartialResult[];
}

/** An engine result column's type (ColumnType, or an array type such as `int4[]`). */
export type EngineType = QueryResult['columns'][number]['type'];

/** A statement's result in data-plane values, typed by engine column type. */
export interface CoordinatorRows {
  readonly columns: { name: string; type: EngineType }[];
  readonly rows: unknown[][];
}

/** Running totals of what a statement pulled to the coordinator; throws 54000 past the limits. */
export class GatherBudget {
  rows = 0;
  bytes = 0;

  constructor(readonly limits: { readonly rows: number; readonly bytes: number } = GATHER_LIMITS) {}

  /**
   * Counts one partial; values are costed near their V8 heap size (boxed numbers, string
   * headers). `scanLimit` is the LIMIT its scan ran with: reaching it means rows were cut off,
   * which must fail rather than answer from part of the table.
   */
  add(p: PartialResult, scanLimit?: number): void {
    this.rows += p.rowCount;
    for (const col of p.columns) {
      if (col instanceof Float64Array) this.bytes += 8 * col.length;
      else
        for (let i = 0; i < col.length; i++)
          this.bytes += typeof col[i] === 'string' ? 40 + (col[i] as string).length : 24;
    }
    const { limits } = this;
    const cut = scanLimit !== undefined && p.rowCount >= scanLimit;
    if (cut || this.rows > limits.rows || this.bytes > limits.bytes) {
      throw new SqlError(
        SqlState.programLimitExceeded,
        `this statement needs more than ${limits.rows} rows or ` +
          `${Math.round(limits.bytes / 1024 / 1024)} MB of table data at the coordinator ` +
          '(joins, subqueries, HAVING, window functions and set operations run there); ' +
          'add filters on the distribution or time column, or aggregate in a single-table query',
      );
    }
  }
}

function engineTable(g: GatheredTable): SegmentTable {
  const { table, columns } = g.gather;
  const def: TableDef = {
    name: table.name,
    columns: columns.map((c) => ({
      id: c.id,
      name: c.name,
      type: declaredType(c),
      // Read-only here; kept so information_schema reports NOT NULL columns as PostgreSQL does.
      notNull: c.notNull,
      default: undefined as Expr | undefined,
      typmod: c.typmod,
    })),
    primaryKey: [],
    checks: [],
  };
  const segments = g.partials
    .filter((p) => p.rowCount > 0)
    .map((p) => {
      const cols = new Map<number, unknown[]>();
      columns.forEach((c, i) => {
        const src = p.columns[i];
        cols.set(
          c.id,
          c.type === 'int64'
            ? Array.from(src, (v) => (v === null || v === undefined ? null : BigInt(v as number)))
            : Array.from(src),
        );
      });
      return { source: new JsHotSource(p.rowCount, cols), hot: true };
    });
  return { def, segments: () => segments };
}

/** An engine over the gathered tables (the parser must be initialized, or `wasmModule` given). */
export function coordinatorDatabase(
  tables: readonly GatheredTable[],
  wasmModule?: WebAssembly.Module,
): Promise<Database> {
  return Database.create({ store: new SegmentTableStore(tables.map(engineTable)), wasmModule });
}

/** One statement's text out of a multi-statement string (parser locations are UTF-8 byte offsets). */
export function statementText(sql: string, location: number, length: number): string {
  const bytes = new TextEncoder().encode(sql);
  const end = length > 0 ? location + length : bytes.length;
  return new TextDecoder().decode(bytes.subarray(location, end));
}

/** An engine value in the data plane's representation. */
export function planeValue(v: unknown, type: EngineType): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return planeInt64(v);
  if (type === 'numeric' && typeof v === 'string') return Number(v);
  if (type === 'timestamptz' && typeof v === 'string') {
    try {
      return parseTimestampUs(v);
    } catch {
      return v; // infinity and BC dates stay PostgreSQL text
    }
  }
  return v;
}

/**
 * An engine result value as a statement answers it: exact — int8 within ±2^53 a number, beyond
 * it decimal text; numeric always its PostgreSQL text (as node-postgres and Neon send them);
 * timestamptz as µs (formatted later).
 */
export function resultValue(v: unknown, type: EngineType): unknown {
  if (typeof v === 'bigint') {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : String(v);
  }
  if (type === 'numeric') return v ?? null;
  return planeValue(v, type);
}

/** Converts an engine result to statement values (see `resultValue`). */
export function coordinatorRows(r: QueryResult): CoordinatorRows {
  const types = r.columns.map((c) => c.type);
  return {
    columns: r.columns.map((c) => ({ name: c.name, type: c.type })),
    rows: r.rows.map((row) => row.map((v, i) => resultValue(v, types[i]))),
  };
}
