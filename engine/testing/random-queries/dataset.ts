/**
 * @module engine/testing/random-queries/dataset
 * Generated tables for the random query generator: every table has one column
 * per supported type (int, bigint, double, numeric, text, bool, timestamptz)
 * plus a join key. Values come from small per-type pools drawn with skew, so
 * there are many duplicates, heavy hitters, NULLs (~15%), and edge values
 * (int/bigint extremes, 2^53+1, NaN, ±Infinity, -0, 20-digit numerics, '', '%').
 * Finite doubles are dyadic (0.125, -1.25, 1e10, …) so float sums are exact in
 * any order: a different aggregation order cannot fake a wrong answer.
 * The same SQL (CREATE TABLE + INSERT … VALUES) loads every system.
 *
 * A {@link TableShape} narrows the schema for the distributed data plane
 * (HTTP): it stores no `numeric` columns and bigints only within ±2^53, and
 * distribution and hypertable time columns are NOT NULL — numerics and wider
 * bigints then only arise in expressions, where the engine computes them.
 */
import type { Prng } from '../prng.ts';

/** Column types the generator knows. */
export type RqgType = 'int' | 'bigint' | 'double' | 'numeric' | 'text' | 'bool' | 'timestamptz';

/** SQL type names, in PostgreSQL spelling. */
export const SQL_TYPE: Readonly<Record<RqgType, string>> = {
  int: 'integer',
  bigint: 'bigint',
  double: 'double precision',
  numeric: 'numeric',
  text: 'text',
  bool: 'boolean',
  timestamptz: 'timestamptz',
};

/** A column of a generated table. */
export interface RqgColumn {
  readonly name: string;
  readonly type: RqgType;
}

/** A generated table: schema plus rows of SQL literals (NULL as 'NULL'). */
export interface RqgTable {
  readonly name: string;
  readonly columns: readonly RqgColumn[];
  readonly rows: readonly (readonly string[])[];
  /** Columns declared NOT NULL. */
  readonly notNull?: readonly string[];
}

/** The fixed column set of every generated table (`k` is the small-domain join key). */
export const RQG_COLUMNS: readonly RqgColumn[] = [
  { name: 'k', type: 'int' },
  { name: 'i', type: 'int' },
  { name: 'b', type: 'bigint' },
  { name: 'd', type: 'double' },
  { name: 'n', type: 'numeric' },
  { name: 's', type: 'text' },
  { name: 'f', type: 'bool' },
  { name: 't', type: 'timestamptz' },
];

const TEXTS = ['', 'a', 'A', 'b', 'ab', 'abc', 'Ab', 'a b', 'x%y', 'x_y', 'é', 'zz', ' a', "o'k", 'B'];

/** Literal pools per type: index 0.. are drawn with skew toward the front. */
function pool(type: RqgType, rng: Prng): string[] {
  switch (type) {
    case 'int':
      return [0, 1, -1, 2, 3, 5, 7, 10, -20, 42, 100, 2147483647, -2147483648].map(String);
    case 'bigint':
      return [
        '0',
        '1',
        '-3',
        '1000000',
        '2147483648',
        '9007199254740993',
        '-9007199254740993',
        '9223372036854775807',
        '-9223372036854775808',
      ];
    case 'double':
      return [
        '0.5',
        '1',
        '-1.25',
        '0.125',
        '3.75',
        '100',
        "'-0'",
        '1e10',
        '-0.0625',
        "'NaN'",
        "'Infinity'",
        "'-Infinity'",
      ];
    case 'numeric':
      return ['0', '1.50', '-2.25', '0.1', '10', '3.333', '-0.001', '12345678901234567890.12', '100.0'];
    case 'text':
      return TEXTS.map((s) => `'${s.replace(/'/g, "''")}'`);
    case 'bool':
      return ['true', 'false'];
    case 'timestamptz': {
      const base = Date.UTC(2020, 0, 1);
      const out: string[] = [];
      for (let i = 0; i < 8; i++) {
        const ms =
          base + rng.int(400) * 86400000 + rng.int(24) * 3600000 + (rng.chance(0.3) ? rng.int(60000) : 0);
        const iso = new Date(ms).toISOString().replace('T', ' ').replace('Z', '+00');
        out.push(`'${iso}'`);
      }
      return out;
    }
  }
}

/** A skewed pick: index ~ floor(len * u^2), so early pool entries dominate. */
function skewed<T>(rng: Prng, items: readonly T[]): T {
  const u = rng.float();
  return items[Math.min(items.length - 1, Math.floor(items.length * u * u))];
}

/** Literal pools for a seed, shared by data and predicates so predicates hit rows. */
export class LiteralPools {
  private readonly pools = new Map<RqgType, string[]>();

  /** Builds every pool once from the dataset's PRNG (order shuffled so heavy hitters differ per seed). */
  constructor(rng: Prng) {
    for (const type of Object.keys(SQL_TYPE) as RqgType[]) {
      const p = pool(type, rng);
      this.pools.set(type, rng.sample(p, p.length));
    }
  }

  /** All literals of a type. */
  all(type: RqgType): readonly string[] {
    return this.pools.get(type)!;
  }

  /** One literal drawn with `rng`, skewed toward the seed's heavy hitters. */
  pick(type: RqgType, rng: Prng): string {
    return skewed(rng, this.all(type));
  }
}

/** Which columns a generated table has and which of them never hold NULL. */
export interface TableShape {
  readonly columns: readonly RqgColumn[];
  readonly notNull: readonly string[];
  /** Stored bigints stay within ±(2^53 − 1) (the data plane's limit); wider ones are clamped. */
  readonly safeBigint: boolean;
}

/** The engine's shape: every column type, NULLs everywhere. */
export const ENGINE_SHAPE: TableShape = { columns: RQG_COLUMNS, notNull: [], safeBigint: false };

/**
 * The distributed data plane's shape: no `numeric` column, bigints within ±2^53,
 * `k` (the distribution column) and `t` (a hypertable's time column) NOT NULL.
 */
export const HTTP_SHAPE: TableShape = {
  columns: RQG_COLUMNS.filter((c) => c.type !== 'numeric'),
  notNull: ['k', 't'],
  safeBigint: true,
};

const SAFE_BIGINT = 9007199254740991n;

/** Generates a table of `rowCount` rows; `nullRate` of cells are NULL (never in `shape.notNull`). */
export function generateTable(
  name: string,
  rowCount: number,
  rng: Prng,
  pools: LiteralPools,
  nullRate = 0.15,
  shape: TableShape = ENGINE_SHAPE,
): RqgTable {
  const rows: string[][] = [];
  for (let r = 0; r < rowCount; r++) {
    rows.push(
      RQG_COLUMNS.map((c) => {
        // Every column draws the same random numbers in every shape, so shapes share their data.
        const isNull = rng.chance(nullRate);
        const v = c.name === 'k' ? String(rng.int(8)) : pools.pick(c.type, rng);
        if (isNull && !shape.notNull.includes(c.name)) return 'NULL';
        if (c.type === 'bigint' && shape.safeBigint) {
          const n = BigInt(v);
          if (n > SAFE_BIGINT) return String(SAFE_BIGINT);
          if (n < -SAFE_BIGINT) return String(-SAFE_BIGINT);
        }
        return v;
      }),
    );
  }
  const keep = new Set(shape.columns.map((c) => c.name));
  const idx = RQG_COLUMNS.flatMap((c, i) => (keep.has(c.name) ? [i] : []));
  return {
    name,
    columns: shape.columns,
    rows: shape === ENGINE_SHAPE ? rows : rows.map((r) => idx.map((i) => r[i])),
    notNull: shape.notNull,
  };
}

/** CREATE TABLE and INSERT statements that load `table` (`batch` rows per INSERT). */
export function loadStatements(table: RqgTable, batch = 200): string[] {
  return [createStatement(table), ...insertStatements(table, batch)];
}

/** INSERT statements that load `table`'s rows (`batch` rows per INSERT). */
export function insertStatements(table: RqgTable, batch = 200): string[] {
  const out: string[] = [];
  for (let i = 0; i < table.rows.length; i += batch) {
    const values = table.rows.slice(i, i + batch).map((r) => `(${r.join(', ')})`);
    out.push(`INSERT INTO ${table.name} VALUES ${values.join(', ')}`);
  }
  return out;
}

/** The table with rows sorted by `column` (NULLs last), so chunk zone maps on it are narrow. */
export function clusterBy(table: RqgTable, column: string): RqgTable {
  const i = table.columns.findIndex((c) => c.name === column);
  const key = (r: readonly string[]) => (r[i] === 'NULL' ? Number.POSITIVE_INFINITY : Number(r[i]));
  return { ...table, rows: [...table.rows].sort((a, b) => key(a) - key(b)) };
}

/** One literal as the JS value `Database.bulkLoad` parses: NULL → null, quotes removed. */
function bulkValue(literal: string): string | null {
  if (literal === 'NULL') return null;
  if (literal.startsWith("'")) return literal.slice(1, -1).replace(/''/g, "'");
  return literal;
}

/** The table as columns of JS values for `Database.bulkLoad` (text that the engine parses per type). */
export function bulkColumns(table: RqgTable): Record<string, (string | null)[]> {
  const out: Record<string, (string | null)[]> = {};
  table.columns.forEach((c, i) => {
    out[c.name] = table.rows.map((r) => bulkValue(r[i]));
  });
  return out;
}

/** CREATE TABLE for `table` alone. */
export function createStatement(table: RqgTable): string {
  const notNull = (c: RqgColumn) => (table.notNull?.includes(c.name) ? ' NOT NULL' : '');
  return `CREATE TABLE ${table.name} (${table.columns.map((c) => `${c.name} ${SQL_TYPE[c.type]}${notNull(c)}`).join(', ')})`;
}

/** The rows as CSV for PostgreSQL `COPY … (FORMAT csv)`: NULL unquoted-empty, every value quoted. */
export function csvRows(table: RqgTable): string {
  const cell = (literal: string) => {
    const v = bulkValue(literal);
    return v === null ? '' : `"${v.replace(/"/g, '""')}"`;
  };
  return table.rows.map((r) => r.map(cell).join(',')).join('\n') + '\n';
}
