/**
 * @module engine/testing/result-compare
 * Compares query results from different engines after each side has been
 * normalized to plain cells: NULL, boolean, number (floats and small ints),
 * bigint (exact 64-bit), string (text, canonical decimal text for numeric,
 * PostgreSQL text for timestamps/dates/intervals). Floats match within a
 * relative tolerance; results without a total ORDER BY compare as multisets
 * (both sides sorted by an exact total order on cells, then compared pairwise).
 */

/** One normalized result value. */
export type Cell = null | boolean | number | bigint | string;

/** Default relative tolerance for floating-point cells. */
export const DEFAULT_REL_TOL = 1e-9;

/** Canonical decimal text: no '+', no leading zeros, no trailing fractional zeros, '-0' → '0'. */
export function normalizeDecimal(text: string): string {
  const t = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)) return t; // NaN, Infinity, garbage: leave as is
  let neg = t.startsWith('-');
  let body = t.replace(/^[+-]/, '');
  let [int, frac = ''] = body.split('.');
  int = int.replace(/^0+/, '') || '0';
  frac = frac.replace(/0+$/, '');
  body = frac ? `${int}.${frac}` : int;
  if (body === '0') neg = false;
  return neg ? `-${body}` : body;
}

function numericValue(c: Cell): number | undefined {
  if (typeof c === 'number') return c;
  if (typeof c === 'bigint') return Number(c);
  return undefined;
}

/**
 * True when two cells are equal: exact for ints/text/bools, within `relTol` (or the
 * absolute `absTol`) for floats.
 */
export function cellsEqual(a: Cell, b: Cell, relTol = DEFAULT_REL_TOL, absTol = 0): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a === b;
  const x = numericValue(a);
  const y = numericValue(b);
  if (x !== undefined && y !== undefined) {
    if (typeof a === 'bigint' || typeof b === 'bigint') {
      const other = typeof a === 'bigint' ? y : x;
      const big = (typeof a === 'bigint' ? a : b) as bigint;
      if (Number.isSafeInteger(other)) return BigInt(other) === big;
    }
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
    if (x === y) return true;
    const diff = Math.abs(x - y);
    return diff <= relTol * Math.max(Math.abs(x), Math.abs(y)) || diff <= Math.max(1e-12, absTol);
  }
  return a === b;
}

/** Rank of a cell's kind in the multiset sort order (numbers of any width together). */
function kindRank(c: Cell): number {
  if (c === null) return 0;
  if (typeof c === 'boolean') return 1;
  if (typeof c === 'number' || typeof c === 'bigint') return 2;
  return 3;
}

/** A total order on cells for multiset comparison: exact numeric order (NaN last), then text. */
function compareCells(a: Cell, b: Cell): number {
  const ka = kindRank(a);
  const kb = kindRank(b);
  if (ka !== kb) return ka - kb;
  if (ka === 2) {
    if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
    const x = Number(a);
    const y = Number(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (ka === 1) return Number(a) - Number(b);
  if (ka === 3) return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  return 0;
}

function compareRows(a: readonly Cell[], b: readonly Cell[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareCells(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Renders a cell for messages (bigints with an `n`, strings quoted). */
export function showCell(c: Cell): string {
  if (typeof c === 'bigint') return `${c}n`;
  if (typeof c === 'string') return JSON.stringify(c);
  return String(c);
}

const showRow = (r: readonly Cell[]): string => `(${r.map(showCell).join(', ')})`;

/**
 * Compares `actual` to `expected`. Returns undefined when they match, otherwise
 * a short description of the first difference. `ordered` compares row sequences;
 * otherwise both sides are sorted by a canonical key first. `absTols` gives columns an
 * absolute float tolerance (float8 sum/avg: float-sum-bound).
 */
export function diffResults(
  expected: readonly (readonly Cell[])[],
  actual: readonly (readonly Cell[])[],
  ordered: boolean,
  relTol = DEFAULT_REL_TOL,
  absTols: readonly number[] = [],
): string | undefined {
  if (expected.length !== actual.length) {
    return `row count: expected ${expected.length}, got ${actual.length}${
      expected.length + actual.length <= 6
        ? ` (expected ${expected.map(showRow).join(' ')}; got ${actual.map(showRow).join(' ')})`
        : ''
    }`;
  }
  const sortRows = (rows: readonly (readonly Cell[])[]) => [...rows].sort(compareRows);
  const e = ordered ? expected : sortRows(expected);
  const a = ordered ? actual : sortRows(actual);
  for (let i = 0; i < e.length; i++) {
    if (e[i].length !== a[i].length) return `row ${i}: expected ${e[i].length} columns, got ${a[i].length}`;
    for (let j = 0; j < e[i].length; j++) {
      if (!cellsEqual(e[i][j], a[i][j], relTol, absTols[j] ?? 0)) {
        return `row ${i} col ${j}: expected ${showRow(e[i])}, got ${showRow(a[i])}`;
      }
    }
  }
  return undefined;
}
