/**
 * @module engine/functions/aggregates
 * Aggregate accumulators keyed by dense group id, with state in flat arrays
 * (one slot per group) so hash aggregation allocates per group, not per row.
 * Result types and scales follow PostgreSQL (sum(int4) → int8, avg(int) →
 * numeric with select_div_scale, stddev over floats in double precision).
 */
import { SqlError, SqlState } from '../errors.ts';
import type { AggCall } from '../plan/nodes.ts';
import { checkInt64 } from '../types/cast.ts';
import {
  checkInterval,
  INTERVAL_INFINITY,
  INTERVAL_NEG_INFINITY,
  intervalInfinity,
  intervalOutOfRange,
} from '../types/datetime.ts';
import {
  type Decimal,
  decAdd,
  decDiv,
  decimalToString,
  decMul,
  decSub,
  parseDecimal,
} from '../types/numeric.ts';
import { sqrtToScale } from '../types/numeric-math.ts';
import { comparatorFor, isFloatType, isIntegerType, type SqlType } from '../types/values.ts';
import type { Interval } from '../vector.ts';
import { intervalDiv } from './interval-arith.ts';
import { checkArrayLength, checkTextLength } from './value-limits.ts';

/** One aggregate's state over all groups. `add` receives non-null values only (except count(*)). */
export interface Accumulator {
  add(g: number, v: unknown, v2?: unknown): void;
  result(g: number): unknown;
  /** True when `add` also takes NULL values (array_agg keeps NULL elements). */
  readonly acceptsNulls?: boolean;
  /** Makes room for `n` groups (typed-array state). */
  reserve?(n: number): void;
  /** Adds a batch of non-null doubles: row sel[j] (or j) belongs to group gids[j] (or 0). */
  addFloats?(gids: Int32Array | undefined, sel: Uint32Array | undefined, n: number, vals: Float64Array): void;
  /** count(*): adds `n` rows, row j to group gids[j] (or 0). */
  addRows?(gids: Int32Array | undefined, n: number): void;
  /**
   * Group g's state as spillable values (numbers, bigints, strings, booleans,
   * undefined, intervals, nested arrays), for hash aggregation that moves a
   * group to disk; g is not used again, so growing state may be dropped.
   */
  saveState(g: number): unknown[];
  /** Restores a state from `saveState` into group g (continuing it row by row gives the same result). */
  loadState(g: number, s: readonly unknown[]): void;
}

/** A decimal as spillable values, and back. */
const decOut = (d: Decimal | undefined): unknown => (d ? [d.int, d.scale] : undefined);
const decIn = (x: unknown): Decimal | undefined => {
  if (!x) return undefined;
  const [int, scale] = x as [bigint, number];
  return { int, scale };
};

function grow(a: Float64Array, n: number, fill = 0): Float64Array {
  if (a.length >= n) return a;
  const b = new Float64Array(Math.max(n, a.length * 2, 16));
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

class CountAcc implements Accumulator {
  n: Float64Array = new Float64Array(0);
  reserve(k: number): void {
    this.n = grow(this.n, k);
  }
  add(g: number): void {
    if (g >= this.n.length) this.reserve(g + 1);
    this.n[g]++;
  }
  addRows(gids: Int32Array | undefined, n: number): void {
    const c = this.n;
    if (!gids) c[0] += n;
    else for (let j = 0; j < n; j++) c[gids[j]]++;
  }
  addFloats(gids: Int32Array | undefined, _sel: Uint32Array | undefined, n: number): void {
    this.addRows(gids, n); // the values are non-null: each counts
  }
  result(g: number): unknown {
    return BigInt(this.n[g] ?? 0);
  }
  saveState(g: number): unknown[] {
    return [this.n[g] ?? 0];
  }
  loadState(g: number, s: readonly unknown[]): void {
    this.reserve(g + 1);
    this.n[g] = s[0] as number;
  }
}

class FloatSumAcc implements Accumulator {
  s: Float64Array = new Float64Array(0);
  c: Float64Array = new Float64Array(0);
  constructor(
    private readonly mode: 'sum' | 'avg',
    private readonly f32: boolean,
  ) {}
  reserve(n: number): void {
    this.s = grow(this.s, n);
    this.c = grow(this.c, n);
  }
  add(g: number, v: unknown): void {
    if (g >= this.s.length) this.reserve(g + 1);
    this.s[g] += v as number;
    this.c[g]++;
  }
  addFloats(gids: Int32Array | undefined, sel: Uint32Array | undefined, n: number, vals: Float64Array): void {
    const s = this.s;
    const c = this.c;
    if (!gids) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += vals[sel ? sel[j] : j];
      s[0] += sum;
      c[0] += n;
      return;
    }
    for (let j = 0; j < n; j++) {
      const g = gids[j];
      s[g] += vals[sel ? sel[j] : j];
      c[g]++;
    }
  }
  result(g: number): unknown {
    if (!(this.c[g] > 0)) return null;
    const r = this.mode === 'sum' ? this.s[g] : this.s[g] / this.c[g];
    return this.f32 && this.mode === 'sum' ? Math.fround(r) : r;
  }
  saveState(g: number): unknown[] {
    return [this.s[g] ?? 0, this.c[g] ?? 0];
  }
  loadState(g: number, st: readonly unknown[]): void {
    this.reserve(g + 1);
    this.s[g] = st[0] as number;
    this.c[g] = st[1] as number;
  }
}

/** Sums integers exactly: small ints in doubles (exact below 2^53), int64 in bigint. */
class IntSumAcc implements Accumulator {
  s: (number | bigint)[] = [];
  c: number[] = [];
  constructor(
    private readonly mode: 'sum' | 'avg',
    private readonly big: boolean,
  ) {}
  add(g: number, v: unknown): void {
    if (this.c[g] === undefined) {
      this.s[g] = this.big ? (v as bigint) : (v as number);
      this.c[g] = 1;
    } else {
      if (this.big) this.s[g] = (this.s[g] as bigint) + (v as bigint);
      else this.s[g] = (this.s[g] as number) + (v as number);
      this.c[g]++;
    }
  }
  result(g: number): unknown {
    if (this.c[g] === undefined) return null;
    const sum = BigInt(this.s[g]);
    if (this.mode === 'sum') return this.big ? sum.toString() : checkInt64(sum);
    return decimalToString(decDiv({ int: sum, scale: 0 }, { int: BigInt(this.c[g]), scale: 0 }));
  }
  saveState(g: number): unknown[] {
    return [this.s[g], this.c[g]];
  }
  loadState(g: number, st: readonly unknown[]): void {
    if (st[1] === undefined) return;
    this.s[g] = st[0] as number | bigint;
    this.c[g] = st[1] as number;
  }
}

class NumericSumAcc implements Accumulator {
  s: Decimal[] = [];
  c: number[] = [];
  constructor(private readonly mode: 'sum' | 'avg') {}
  /** Groups that saw a NaN: their sum and average are NaN. */
  nan: boolean[] = [];
  /** Groups that saw +Infinity (bit 1) or -Infinity (bit 2): ±Infinity, or NaN when both. */
  inf: number[] = [];
  add(g: number, v: unknown): void {
    if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') {
      if (v === 'NaN') this.nan[g] = true;
      else this.inf[g] = (this.inf[g] ?? 0) | (v === 'Infinity' ? 1 : 2);
      this.c[g] = (this.c[g] ?? 0) + 1;
      this.s[g] ??= { int: 0n, scale: 0 };
      return;
    }
    const d = parseDecimal(v as string);
    if (this.c[g] === undefined) {
      this.s[g] = d;
      this.c[g] = 1;
    } else {
      this.s[g] = decAdd(this.s[g], d);
      this.c[g]++;
    }
  }
  result(g: number): unknown {
    if (this.c[g] === undefined) return null;
    const inf = this.inf[g] ?? 0;
    if (this.nan[g] || inf === 3) return 'NaN';
    if (inf) return inf === 1 ? 'Infinity' : '-Infinity';
    if (this.mode === 'sum') return decimalToString(this.s[g]);
    return decimalToString(decDiv(this.s[g], { int: BigInt(this.c[g]), scale: 0 }));
  }
  saveState(g: number): unknown[] {
    return [decOut(this.s[g]), this.c[g], this.nan[g] ?? false, this.inf[g] ?? 0];
  }
  loadState(g: number, st: readonly unknown[]): void {
    if (st[1] === undefined) return;
    this.s[g] = decIn(st[0])!;
    this.c[g] = st[1] as number;
    if (st[2]) this.nan[g] = true;
    if (st[3]) this.inf[g] = st[3] as number;
  }
}

/**
 * sum/avg(interval) as PostgreSQL 17's IntervalAggState: a finite sum checked for overflow at
 * each row (22008), infinities counted apart — +∞ with −∞ is 22008, else the infinity wins —
 * and avg the sum ÷ count by interval_div.
 */
class IntervalSumAcc implements Accumulator {
  s: Interval[] = [];
  c: number[] = [];
  pinf: number[] = [];
  ninf: number[] = [];
  constructor(private readonly mode: 'sum' | 'avg') {}
  add(g: number, v: unknown): void {
    const x = v as Interval;
    const inf = intervalInfinity(x);
    this.c[g] = (this.c[g] ?? 0) + 1;
    if (inf > 0) this.pinf[g] = (this.pinf[g] ?? 0) + 1;
    else if (inf < 0) this.ninf[g] = (this.ninf[g] ?? 0) + 1;
    else {
      const cur = this.s[g];
      this.s[g] = cur
        ? checkInterval({
            months: cur.months + x.months,
            days: cur.days + x.days,
            micros: cur.micros + x.micros,
          })
        : x;
    }
  }
  result(g: number): unknown {
    const n = this.c[g];
    if (!n) return null;
    const p = this.pinf[g] ?? 0;
    const q = this.ninf[g] ?? 0;
    if (p > 0 && q > 0) throw intervalOutOfRange();
    if (p > 0) return INTERVAL_INFINITY;
    if (q > 0) return INTERVAL_NEG_INFINITY;
    const s = this.s[g];
    return this.mode === 'sum' ? s : intervalDiv(s, n);
  }
  saveState(g: number): unknown[] {
    return [this.s[g], this.c[g], this.pinf[g], this.ninf[g]];
  }
  loadState(g: number, st: readonly unknown[]): void {
    if (st[1] === undefined) return;
    if (st[0] !== undefined) this.s[g] = st[0] as Interval;
    this.c[g] = st[1] as number;
    if (st[2] !== undefined) this.pinf[g] = st[2] as number;
    if (st[3] !== undefined) this.ninf[g] = st[3] as number;
  }
}

class MinMaxAcc implements Accumulator {
  v: unknown[] = [];
  private readonly cmp: (a: unknown, b: unknown) => number;
  constructor(
    type: SqlType,
    private readonly sign: number,
  ) {
    this.cmp = comparatorFor(type);
  }
  add(g: number, x: unknown): void {
    const cur = this.v[g];
    if (cur === undefined || this.sign * this.cmp(x, cur) > 0) this.v[g] = x;
  }
  result(g: number): unknown {
    return this.v[g] ?? null;
  }
  saveState(g: number): unknown[] {
    return [this.v[g]];
  }
  loadState(g: number, st: readonly unknown[]): void {
    if (st[0] !== undefined) this.v[g] = st[0];
  }
}

/** Min/max over doubles in typed arrays (NaN is the largest value, as in PostgreSQL). */
class FloatMinMaxAcc implements Accumulator {
  v: Float64Array = new Float64Array(0);
  has = new Uint8Array(0);
  constructor(private readonly isMax: boolean) {}
  reserve(n: number): void {
    if (this.v.length >= n) return;
    this.v = grow(this.v, n);
    const h = new Uint8Array(this.v.length);
    h.set(this.has);
    this.has = h;
  }
  add(g: number, x: unknown): void {
    if (g >= this.v.length) this.reserve(g + 1);
    const y = x as number;
    if (!this.has[g]) {
      this.v[g] = y;
      this.has[g] = 1;
      return;
    }
    const cur = this.v[g];
    if (this.isMax ? y > cur || (y !== y && cur === cur) : y < cur || (cur !== cur && y === y)) this.v[g] = y;
  }
  addFloats(gids: Int32Array | undefined, sel: Uint32Array | undefined, n: number, vals: Float64Array): void {
    const v = this.v;
    const has = this.has;
    for (let j = 0; j < n; j++) {
      const g = gids ? gids[j] : 0;
      const y = vals[sel ? sel[j] : j];
      if (!has[g]) {
        v[g] = y;
        has[g] = 1;
      } else if (this.isMax ? y > v[g] || y !== y : y < v[g] || v[g] !== v[g]) v[g] = y;
    }
  }
  result(g: number): unknown {
    return this.has[g] ? this.v[g] : null;
  }
  saveState(g: number): unknown[] {
    return [this.v[g] ?? 0, this.has[g] ?? 0];
  }
  loadState(g: number, st: readonly unknown[]): void {
    this.reserve(g + 1);
    this.v[g] = st[0] as number;
    this.has[g] = st[1] as number;
  }
}

class BoolAcc implements Accumulator {
  v: boolean[] = [];
  constructor(private readonly isAnd: boolean) {}
  add(g: number, x: unknown): void {
    const cur = this.v[g];
    this.v[g] =
      cur === undefined ? (x as boolean) : this.isAnd ? cur && (x as boolean) : cur || (x as boolean);
  }
  result(g: number): unknown {
    return this.v[g] ?? null;
  }
  saveState(g: number): unknown[] {
    return [this.v[g]];
  }
  loadState(g: number, st: readonly unknown[]): void {
    if (st[0] !== undefined) this.v[g] = st[0] as boolean;
  }
}

class StringAggAcc implements Accumulator {
  v: string[] = [];
  add(g: number, x: unknown, delim?: unknown): void {
    const cur = this.v[g];
    const next = cur === undefined ? (x as string) : cur + ((delim as string | null) ?? '') + (x as string);
    checkTextLength(next.length, 'string_agg()');
    this.v[g] = next;
  }
  result(g: number): unknown {
    return this.v[g] ?? null;
  }
  saveState(g: number): unknown[] {
    const s = this.v[g];
    delete this.v[g];
    return [s];
  }
  loadState(g: number, st: readonly unknown[]): void {
    if (st[0] !== undefined) this.v[g] = st[0] as string;
  }
}

/** string_agg(bytea, bytea): the values joined by the delimiter, as bytes. */
class BytesAggAcc implements Accumulator {
  v: Uint8Array[] = [];
  add(g: number, x: unknown, delim?: unknown): void {
    const cur = this.v[g];
    const parts =
      cur === undefined ? [x as Uint8Array] : [cur, (delim as Uint8Array | null) ?? EMPTY, x as Uint8Array];
    const len = parts.reduce((n, p) => n + p.length, 0);
    checkTextLength(len, 'string_agg()');
    const next = new Uint8Array(len);
    let at = 0;
    for (const p of parts) {
      next.set(p, at);
      at += p.length;
    }
    this.v[g] = next;
  }
  result(g: number): unknown {
    return this.v[g] ?? null;
  }
  saveState(g: number): unknown[] {
    const s = this.v[g];
    delete this.v[g];
    return [s];
  }
  loadState(g: number, st: readonly unknown[]): void {
    if (st[0] !== undefined) this.v[g] = st[0] as Uint8Array;
  }
}

const EMPTY = new Uint8Array(0);

/** array_agg: collects elements (NULLs included) into an array, or NULL for no rows. */
class ArrayAggAcc implements Accumulator {
  readonly acceptsNulls = true;
  v: unknown[][] = [];
  add(g: number, x: unknown): void {
    const cur = this.v[g];
    if (cur === undefined) this.v[g] = [x];
    else {
      cur.push(x);
      if ((cur.length & 0xffff) === 0) checkArrayLength(cur.length, 'array_agg()');
    }
  }
  result(g: number): unknown {
    // A copy: window frames keep adding after reading a result.
    return this.v[g]?.slice() ?? null;
  }
  saveState(g: number): unknown[] {
    const s = this.v[g];
    delete this.v[g];
    return [s];
  }
  loadState(g: number, st: readonly unknown[]): void {
    if (st[0] !== undefined) this.v[g] = st[0] as unknown[];
  }
}

/**
 * Variance/stddev over doubles as PostgreSQL's float8_accum computes them (the Youngs-Cramer
 * update of N, Sx and Sxx), so results match PostgreSQL's to the last bit for the same input
 * order: Welford's mean-based update rounds differently (var_pop of 100000003..100000007 was
 * 2.5000000055879354, PostgreSQL's 2.5). An infinite input makes Sxx NaN; a finite sum that
 * overflows is 22003.
 */
class FloatVarAcc implements Accumulator {
  n: number[] = [];
  sx: number[] = [];
  sxx: number[] = [];
  constructor(private readonly kind: string) {}
  add(g: number, x: unknown): void {
    const y = x as number;
    const n0 = this.n[g] ?? 0;
    const sx0 = this.sx[g] ?? 0;
    let sxx = this.sxx[g] ?? 0;
    const n = n0 + 1;
    const sx = sx0 + y;
    if (n0 > 0) {
      const t = y * n - sx;
      sxx += (t * t) / (n * n0);
      if (!Number.isFinite(sx) || !Number.isFinite(sxx)) {
        if (Number.isFinite(sx0) && Number.isFinite(y))
          throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: overflow');
        sxx = Number.NaN;
      }
    } else if (!Number.isFinite(y)) sxx = Number.NaN;
    this.n[g] = n;
    this.sx[g] = sx;
    this.sxx[g] = sxx;
  }
  result(g: number): unknown {
    const n = this.n[g] ?? 0;
    const pop = this.kind.endsWith('_pop');
    if (n === 0 || (!pop && n === 1)) return null;
    const v = this.sxx[g] / (pop ? n : n - 1);
    return this.kind.startsWith('stddev') ? Math.sqrt(v) : v;
  }
  saveState(g: number): unknown[] {
    return [this.n[g], this.sx[g], this.sxx[g]];
  }
  loadState(g: number, st: readonly unknown[]): void {
    if (st[0] === undefined) return;
    this.n[g] = st[0] as number;
    this.sx[g] = st[1] as number;
    this.sxx[g] = st[2] as number;
  }
}

/** Exact variance/stddev over integers and numerics, with PostgreSQL's result scale. */
class NumericVarAcc implements Accumulator {
  n: number[] = [];
  sx: Decimal[] = [];
  sxx: Decimal[] = [];
  constructor(private readonly kind: string) {}
  add(g: number, x: unknown): void {
    const d = typeof x === 'string' ? parseDecimal(x) : { int: BigInt(x as number | bigint), scale: 0 };
    this.n[g] = (this.n[g] ?? 0) + 1;
    this.sx[g] = this.sx[g] ? decAdd(this.sx[g], d) : d;
    const sq = decMul(d, d);
    this.sxx[g] = this.sxx[g] ? decAdd(this.sxx[g], sq) : sq;
  }
  result(g: number): unknown {
    const n = this.n[g] ?? 0;
    const pop = this.kind.endsWith('_pop');
    if (n === 0 || (!pop && n === 1)) return null;
    const N: Decimal = { int: BigInt(n), scale: 0 };
    const num = decSub(decMul(N, this.sxx[g]), decMul(this.sx[g], this.sx[g]));
    const den = pop ? decMul(N, N) : decMul(N, { int: BigInt(n - 1), scale: 0 });
    if (num.int <= 0n)
      return decimalToString({
        int: 0n,
        scale: decDiv(num.int === 0n ? { int: 0n, scale: num.scale } : num, den).scale,
      });
    const q = decDiv(num, den);
    if (!this.kind.startsWith('stddev')) return decimalToString(q);
    return decimalToString(sqrtToScale(q, q.scale));
  }
  saveState(g: number): unknown[] {
    return [this.n[g], decOut(this.sx[g]), decOut(this.sxx[g])];
  }
  loadState(g: number, st: readonly unknown[]): void {
    if (st[0] === undefined) return;
    this.n[g] = st[0] as number;
    this.sx[g] = decIn(st[1])!;
    this.sxx[g] = decIn(st[2])!;
  }
}

/** Creates the accumulator for an aggregate call. */
export function makeAccumulator(call: AggCall): Accumulator {
  const t = call.args[0]?.type ?? 'unknown';
  switch (call.name) {
    case 'count':
      return new CountAcc();
    case 'sum':
    case 'avg': {
      const mode = call.name;
      if (isFloatType(t)) return new FloatSumAcc(mode, t === 'float32');
      if (isIntegerType(t)) return new IntSumAcc(mode, t === 'int64');
      if (t === 'numeric') return new NumericSumAcc(mode);
      if (t === 'interval') return new IntervalSumAcc(mode);
      break;
    }
    case 'min':
    case 'max':
      if (isFloatType(t)) return new FloatMinMaxAcc(call.name === 'max');
      return new MinMaxAcc(t, call.name === 'max' ? 1 : -1);
    case 'bool_and':
    case 'bool_or':
      return new BoolAcc(call.name === 'bool_and');
    case 'string_agg':
      return t === 'bytea' ? new BytesAggAcc() : new StringAggAcc();
    case 'array_agg':
      return new ArrayAggAcc();
    case 'stddev':
    case 'stddev_samp':
    case 'stddev_pop':
    case 'variance':
    case 'var_samp':
    case 'var_pop': {
      const kind = call.name === 'stddev' ? 'stddev_samp' : call.name === 'variance' ? 'var_samp' : call.name;
      return isFloatType(t) ? new FloatVarAcc(kind) : new NumericVarAcc(kind);
    }
  }
  throw new SqlError(SqlState.featureNotSupported, `aggregate ${call.name} is not supported`);
}
