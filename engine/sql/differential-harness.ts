/**
 * @module engine/sql/differential-harness
 * Test-only: runs the same SQL in the engine and in PGlite (real PostgreSQL in
 * wasm) and compares the results — as multisets unless the query orders its
 * rows, floats to a relative tolerance, errors by SQLSTATE. Not imported by
 * production code (PGlite is a dev dependency).
 */
import { PGlite } from '@electric-sql/pglite';
import { Database } from '../database.ts';
import { isSqlError } from '../errors.ts';
import { formatArrayText } from '../types/array.ts';
import { formatText } from '../types/cast.ts';
import { type ArrayType, elemType, isArrayType, type SqlType } from '../types/values.ts';

/** Type OIDs PGlite would parse; we ask for PostgreSQL's text output instead. */
const TEXT_OIDS = [
  16, 17, 20, 21, 23, 25, 114, 700, 701, 1043, 1042, 1082, 1083, 1114, 1184, 1186, 1700, 2950, 3802,
  // Their one-dimensional array types (array_agg results), also as text.
  1000, 1001, 1005, 1007, 1016, 1009, 199, 1021, 1022, 1015, 1014, 1182, 1183, 1115, 1185, 1187, 1231, 2951,
  3807,
];
const parsers = Object.fromEntries(TEXT_OIDS.map((o) => [o, (v: string) => v]));

export interface Pair {
  readonly engine: Database;
  readonly pg: PGlite;
}

/** Creates both databases and runs the same setup SQL in each. */
export async function makePair(setup: string): Promise<Pair> {
  const engine = await Database.create();
  const pg = new PGlite();
  await pg.exec("SET TimeZone = 'UTC'; SET extra_float_digits = 1;");
  if (setup.trim()) {
    await engine.exec(setup);
    await pg.exec(setup);
  }
  return { engine, pg };
}

type Cell = string | number | null;

/** PostgreSQL's text output of an array result (elements already in API form: dates as text). */
function arrayCell(v: unknown[], type: ArrayType): string {
  const et = elemType(type);
  return formatArrayText(v, (x) =>
    typeof x === 'string' ? x : et === 'bool' ? (x ? 't' : 'f') : formatText(x, et),
  );
}

function fromEngine(v: unknown, type?: string): Cell {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v) && type && isArrayType(type as SqlType)) return arrayCell(v, type as ArrayType);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return v;
  if (v instanceof Uint8Array) return `\\x${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  return String(v);
}

function sortKey(row: Cell[]): string {
  return JSON.stringify(
    row.map((c) => (typeof c === 'number' ? (Number.isFinite(c) ? Number(c.toPrecision(9)) : String(c)) : c)),
  );
}

function cellsEqual(e: Cell, p: Cell, isFloat: boolean): boolean {
  if (e === null || p === null) return e === p;
  if (typeof e === 'number' || isFloat) {
    const x = Number(e);
    const y =
      p === 'NaN' ? Number.NaN : p === 'Infinity' ? Infinity : p === '-Infinity' ? -Infinity : Number(p);
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
    if (x === y) return true;
    return Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
  }
  return e === p;
}

export interface Outcome {
  readonly rows?: Cell[][];
  readonly error?: string;
}

/** Runs `sql` in both; returns a description of the first difference, or undefined when equal. */
export async function diff(pair: Pair, sql: string, params: unknown[] = []): Promise<string | undefined> {
  let eng: Outcome;
  let pgo: Outcome;
  let floatCols: boolean[] = [];
  try {
    const r = await pair.engine.query(sql, params);
    floatCols = r.columns.map((c) => c.type === 'float64' || c.type === 'float32');
    eng = {
      rows: r.rows.map((row) => row.map((v, c) => toCell(fromEngine(v, r.columns[c].type), floatCols[c]))),
    };
  } catch (e) {
    if (!isSqlError(e)) throw e;
    eng = { error: e.code };
  }
  try {
    const r = await pair.pg.query<Record<string, unknown>>(sql, params, { parsers, rowMode: 'array' });
    pgo = {
      rows: (r.rows as unknown as Cell[][]).map((row) => row.map((v, c) => toCell(v ?? null, floatCols[c]))),
    };
  } catch (e) {
    pgo = { error: (e as { code?: string }).code ?? 'unknown' };
  }
  if (eng.error || pgo.error) {
    if (eng.error === pgo.error) return undefined;
    return `error mismatch: engine=${eng.error ?? 'ok'} pg=${pgo.error ?? 'ok'}`;
  }
  const er = eng.rows!;
  const pr = pgo.rows!;
  if (er.length !== pr.length)
    return `row count: engine=${er.length} pg=${pr.length}\nengine=${show(er)}\npg=${show(pr)}`;
  const ordered = /\border\s+by\b/i.test(topLevel(sql));
  const a = ordered ? er : [...er].sort((x, y) => cmpStr(sortKey(x), sortKey(y)));
  const b = ordered ? pr : [...pr].sort((x, y) => cmpStr(sortKey(x), sortKey(y)));
  for (let i = 0; i < a.length; i++) {
    for (let c = 0; c < Math.max(a[i].length, b[i].length); c++) {
      if (!cellsEqual(a[i][c], b[i][c], floatCols[c] ?? false)) {
        return `row ${i} col ${c}: engine=${JSON.stringify(a[i][c])} pg=${JSON.stringify(b[i][c])}\nengine=${show(a)}\npg=${show(b)}`;
      }
    }
  }
  return undefined;
}

/** Floats compare as numbers (with tolerance); everything else as PostgreSQL text. */
function toCell(v: Cell, isFloat: boolean | undefined): Cell {
  if (v === null) return null;
  if (isFloat)
    return v === 'NaN' ? Number.NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : Number(v);
  return typeof v === 'number' ? String(v) : v;
}

/** The SQL with parenthesized parts removed, so only a top-level ORDER BY counts. */
function topLevel(sql: string): string {
  let s = sql;
  for (let prev = ''; prev !== s; ) {
    prev = s;
    s = s.replace(/\([^()]*\)/g, '');
  }
  return s;
}

const cmpStr = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
const show = (rows: Cell[][]) => JSON.stringify(rows.slice(0, 10));
