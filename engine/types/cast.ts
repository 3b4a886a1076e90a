/**
 * @module engine/types/cast
 * CAST / `::` between types, with PostgreSQL's range checks (22003), input
 * syntax errors (22P02) and text output format. `castFn` is resolved once at
 * bind time and returns a closure over non-null values.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Interval } from '../vector.ts';
import { formatArrayText, parseArrayText } from './array.ts';
import { stripPadding } from './bpchar.ts';
import {
  checkTimestamp,
  infiniteDate,
  MICROS_PER_DAY,
  parseDate,
  parseInterval,
  parseTimestamp,
  parseTimestamptz,
} from './datetime.ts';
import {
  formatDateOut,
  formatIntervalOut,
  formatTimestampOut,
  formatTimestamptzOut,
} from './datetime-output.ts';
import { fromSessionLocal, toSessionLocal } from './datetime-session.ts';
import {
  decCmp,
  decFromFloat,
  decimalToString,
  decRound,
  exactDouble,
  NUMERIC_INF,
  NUMERIC_NEG_INF,
  normalizeNumericText,
  parseDecimal,
  parseRadixInteger,
} from './numeric.ts';
import { activeSettings } from './session-settings.ts';
import { formatTimeOfDay, parseTime, timeOfInterval, timeOfTimestamp } from './time-of-day.ts';
import { elemType, isArrayType, isIntegerType, pgTypeName, type SqlType, type ValueType } from './values.ts';

type Fn = (v: unknown) => unknown;

const INT_RANGE: Record<string, [number, number]> = {
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};

function outOfRange(t: SqlType): SqlError {
  return new SqlError(SqlState.numericValueOutOfRange, `${pgTypeName(t)} out of range`);
}

/** Checks an integer result against the type's range (22003 on overflow). */
export function checkInt(t: SqlType, v: number): number {
  const r = INT_RANGE[t];
  if (r && (v < r[0] || v > r[1])) throw outOfRange(t);
  return v;
}

export function checkInt64(v: bigint): bigint {
  if (v < -9223372036854775808n || v > 9223372036854775807n) throw outOfRange('int64');
  return v;
}

/** numeric → float8 (NaN and ±Infinity map to themselves); overflow is 22003, as float8in would say. */
function numericToFloat64(v: string): number {
  if (v === NUMERIC_INF) return Number.POSITIVE_INFINITY;
  if (v === NUMERIC_NEG_INF) return Number.NEGATIVE_INFINITY;
  const r = Number(v);
  if (!Number.isFinite(r) || (r === 0 && /[1-9]/.test(v)))
    throw new SqlError(SqlState.numericValueOutOfRange, `"${v}" is out of range for type double precision`);
  return r;
}

/** Round half to even, as C rint() does for float → integer casts. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * PostgreSQL float8out / float4out: shortest round-trip digits, exponent form outside
 * [1e-4, 1e15) for double precision and [1e-4, 1e6) for real (DBL_DIG / FLT_DIG digits).
 */
export function formatFloat(v: number, t: SqlType = 'float64'): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'Infinity';
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  let s = t === 'float32' ? String(Math.fround(v) === v ? shortestFloat32(v) : v) : String(v);
  const abs = Math.abs(v);
  if (abs >= (t === 'float32' ? 1e6 : 1e15) || abs < 1e-4) {
    const [mant, exp] = Number(s).toExponential().split('e');
    const e = Number(exp);
    s = `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return s;
}

function shortestFloat32(v: number): string {
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(v);
}

/** bytea_output = escape: printable ASCII as is, a backslash doubled, other bytes as \\ooo. */
function byteaEscape(b: Uint8Array): string {
  let out = '';
  for (const x of b)
    out +=
      x === 92 ? '\\\\' : x >= 32 && x < 127 ? String.fromCharCode(x) : `\\${x.toString(8).padStart(3, '0')}`;
  return out;
}

/** The text output of a non-null value (what `::text` and result formatting produce). */
export function formatText(v: unknown, t: SqlType): string {
  if (isArrayType(t)) {
    const et = elemType(t);
    // Inside arrays booleans print as boolout does: t / f.
    return formatArrayText(v as unknown[], et === 'bool' ? (x) => (x ? 't' : 'f') : (x) => formatText(x, et));
  }
  switch (t) {
    case 'bool':
      return v ? 'true' : 'false';
    case 'float32':
    case 'float64':
      return formatFloat(v as number, t);
    case 'date':
      return formatDateOut(v as number);
    case 'timestamp':
      return formatTimestampOut(v as number);
    case 'timestamptz':
      return formatTimestamptzOut(v as number);
    case 'interval':
      return formatIntervalOut(v as Interval);
    case 'time':
      return formatTimeOfDay(v as number);
    case 'bytea':
      if (activeSettings().byteaOutput === 'escape') return byteaEscape(v as Uint8Array);
      return `\\x${Array.from(v as Uint8Array, (b) => b.toString(16).padStart(2, '0')).join('')}`;
    default:
      return String(v);
  }
}

function parseBool(s: string): boolean {
  const t = s.trim().toLowerCase();
  if (['t', 'true', 'y', 'yes', 'on', '1'].includes(t)) return true;
  if (['f', 'false', 'n', 'no', 'off', '0'].includes(t)) return false;
  throw new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type boolean: "${s}"`);
}

const INT_TEXT_RE = /^[ \t\n\r\v\f]*([+-]?)(\d(?:_?\d)*)[ \t\n\r\v\f]*$/;

/** Integer input as PostgreSQL 16 reads it: decimal, 0x / 0o / 0b, underscores between digits. */
function parseIntText(s: string, t: SqlType): number | bigint {
  const m = INT_TEXT_RE.exec(s);
  let v: bigint | undefined;
  if (m) {
    const digits = BigInt(m[2].replace(/_/g, ''));
    v = m[1] === '-' ? -digits : digits;
  } else v = parseRadixInteger(s);
  if (v === undefined) {
    throw new SqlError(
      SqlState.invalidTextRepresentation,
      `invalid input syntax for type ${pgTypeName(t)}: "${s}"`,
    );
  }
  const [lo, hi] = t === 'int64' ? INT64_RANGE : INT_RANGE[t];
  if (v < BigInt(lo) || v > BigInt(hi))
    throw new SqlError(
      SqlState.numericValueOutOfRange,
      `value "${s}" is out of range for type ${pgTypeName(t)}`,
    );
  return t === 'int64' ? v : Number(v);
}

const INT64_RANGE: [bigint, bigint] = [-9223372036854775808n, 9223372036854775807n];

/**
 * float4in / float8in: NaN, [+-]Infinity and [+-]inf in any case; a decimal
 * that overflows to infinity or underflows to zero is 22003, as strtod's ERANGE
 * makes it in PostgreSQL (denormals are kept).
 */
function parseFloatText(s: string, t: SqlType): number {
  const txt = s.replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, '').toLowerCase();
  if (txt === 'nan' || txt === '+nan' || txt === '-nan') return Number.NaN;
  if (txt === 'infinity' || txt === '+infinity' || txt === 'inf' || txt === '+inf')
    return Number.POSITIVE_INFINITY;
  if (txt === '-infinity' || txt === '-inf') return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(txt)) {
    throw new SqlError(
      SqlState.invalidTextRepresentation,
      `invalid input syntax for type ${pgTypeName(t)}: "${s}"`,
    );
  }
  const d = Number(txt);
  const v = t === 'float32' ? decimalToFloat32(txt, d) : d;
  if (!Number.isFinite(v) || (v === 0 && /[1-9]/.test(txt.split('e')[0])))
    throw new SqlError(SqlState.numericValueOutOfRange, `"${s}" is out of range for type ${pgTypeName(t)}`);
  return v;
}

/**
 * The float4 nearest a decimal (strtof), not Math.fround of the nearest double: when that double
 * lies exactly halfway between two floats, the exact decimal decides the side.
 */
function decimalToFloat32(txt: string, d: number): number {
  const f = Math.fround(d);
  if (f === d || !Number.isFinite(f)) return f;
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, f);
  view.setUint32(0, view.getUint32(0) + (Math.abs(d) > Math.abs(f) ? 1 : -1));
  const g = view.getFloat32(0);
  if ((f + g) / 2 !== d) return f;
  const exact = parseDecimal(txt);
  const dd = exactDouble(d);
  const c = decCmp(exact.int < 0n ? { int: -exact.int, scale: exact.scale } : exact, dd);
  if (c === 0) return f;
  // Past the midpoint (in magnitude) the larger float wins, before it the smaller.
  const bigger = Math.abs(f) > Math.abs(g) ? f : g;
  const smaller = bigger === f ? g : f;
  return c > 0 ? bigger : smaller;
}

/** float8 → float4 (PostgreSQL's dtof): overflow and underflow are 22003. */
export function toFloat4(v: number): number {
  const r = Math.fround(v);
  if (!Number.isFinite(r) && Number.isFinite(v))
    throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: overflow');
  if (r === 0 && v !== 0)
    throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: underflow');
  return r;
}

/**
 * bytea input as PostgreSQL's byteain: `\\x` then hex digit pairs (whitespace between pairs
 * allowed; a bad digit or an odd count is 22023), else the escape format (`\\\\` is one
 * backslash, `\\ooo` an octal byte with ooo in 000–377, any other backslash is 22P02) over the
 * text's UTF-8 bytes.
 */
function parseBytea(s: string): Uint8Array {
  return s.startsWith('\\x') ? parseByteaHex(s.slice(2)) : parseByteaEscape(s);
}

/** bytea's escape format (also `decode(s, 'escape')`): `\\` and `\ooo` octal bytes, other text as UTF-8. */
export function parseByteaEscape(s: string): Uint8Array {
  const bytes = new TextEncoder().encode(s);
  if (!bytes.includes(0x5c)) return bytes;
  const out: number[] = [];
  const octal = (b: number | undefined, max: number) => b !== undefined && b >= 0x30 && b <= 0x30 + max;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x5c) out.push(b);
    else if (bytes[i + 1] === 0x5c) {
      out.push(0x5c);
      i++;
    } else if (octal(bytes[i + 1], 3) && octal(bytes[i + 2], 7) && octal(bytes[i + 3], 7)) {
      out.push(((bytes[i + 1] - 0x30) << 6) | ((bytes[i + 2] - 0x30) << 3) | (bytes[i + 3] - 0x30));
      i += 3;
    } else throw new SqlError(SqlState.invalidTextRepresentation, 'invalid input syntax for type bytea');
  }
  return Uint8Array.from(out);
}

/** Hex digit pairs, whitespace allowed between pairs (bytea's hex format after `\\x`, and `decode(s, 'hex')`). */
export function parseByteaHex(hex: string): Uint8Array {
  const out: number[] = [];
  const digit = (c: string) => {
    const d = /^[0-9a-fA-F]$/.test(c) ? Number.parseInt(c, 16) : -1;
    if (d < 0) throw new SqlError(SqlState.invalidParameterValue, `invalid hexadecimal digit: "${c}"`);
    return d;
  };
  for (let i = 0; i < hex.length; ) {
    const c = hex[i];
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    const hi = digit(c);
    if (i + 1 >= hex.length)
      throw new SqlError(SqlState.invalidParameterValue, 'invalid hexadecimal data: odd number of digits');
    out.push((hi << 4) | digit(hex[i + 1]));
    i += 2;
  }
  return Uint8Array.from(out);
}

const UUID_RE = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

/** Parses a text literal as a value of `t`. */
export function parseText(s: string, t: SqlType): unknown {
  if (isArrayType(t)) {
    const et = elemType(t);
    return parseArrayText(s, (x) => parseText(x, et));
  }
  switch (t) {
    case 'bool':
      return parseBool(s);
    case 'int16':
    case 'int32':
    case 'int64':
      return parseIntText(s, t);
    case 'float32':
    case 'float64':
      return parseFloatText(s, t);
    case 'numeric':
      return normalizeNumericText(s);
    case 'date':
      return parseDate(s);
    case 'timestamp':
      return parseTimestamp(s);
    case 'timestamptz':
      return parseTimestamptz(s);
    case 'interval':
      return parseInterval(s);
    case 'time':
      return parseTime(s);
    case 'bytea':
      return parseBytea(s);
    case 'uuid': {
      const m = UUID_RE.exec(s.trim());
      if (!m)
        throw new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type uuid: "${s}"`);
      return `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toLowerCase();
    }
    default:
      return s;
  }
}

function noNaN(v: unknown, to: SqlType): void {
  if (v === 'NaN')
    throw new SqlError(SqlState.featureNotSupported, `cannot convert NaN to ${pgTypeName(to)}`);
  if (v === NUMERIC_INF || v === NUMERIC_NEG_INF)
    throw new SqlError(SqlState.featureNotSupported, `cannot convert infinity to ${pgTypeName(to)}`);
}

function toBigInt(v: unknown, from: SqlType): bigint {
  if (typeof v === 'bigint') return v;
  noNaN(v, 'int64');
  if (from === 'numeric') return decRound(parseDecimal(v as string), 0).int;
  const n = v as number;
  if (!Number.isFinite(n)) throw outOfRange('int64');
  return BigInt(isIntegerType(from) ? n : rint(n));
}

/**
 * Resolves a cast from `from` to `to`; throws 42846-like 0A000/42804 when PostgreSQL
 * has no such cast. The returned closure takes a non-null value.
 */
export function castFn(from: SqlType, to: ValueType): Fn {
  if (from === to) return (v) => v;
  if (isArrayType(to) && isArrayType(from)) {
    const f = castFn(elemType(from), elemType(to));
    return (v) => (v as unknown[]).map((x) => (x === null ? null : f(x)));
  }
  if ((isArrayType(to) || isArrayType(from)) && from !== 'unknown' && from !== 'text' && to !== 'text')
    throw new SqlError('42846', `cannot cast type ${pgTypeName(from)} to ${pgTypeName(to)}`);
  if (from === 'unknown' && isArrayType(to)) {
    // Untyped input: array text, or a JS array bound as a query parameter.
    const et = elemType(to);
    return (v) =>
      Array.isArray(v)
        ? v.map((x) => (x === null || x === undefined ? null : parseText(String(x), et)))
        : parseText(String(v), to);
  }
  if (from === 'unknown' || from === 'text') {
    if (to === 'text') return (v) => v;
    return (v) => parseText(String(v), to);
  }
  // char(n) → text drops the padding; to other types it is read as that text (I/O conversion).
  if (from === 'bpchar') {
    const f = to === 'text' ? undefined : castFn('text', to);
    return f ? (v) => f(stripPadding(v as string)) : (v) => stripPadding(v as string);
  }
  if (to === 'text' || to === 'bpchar') return (v) => formatText(v, from);
  if (to === 'json') return (v) => formatText(v, from);
  switch (to) {
    case 'bool':
      if (from === 'int32' || from === 'int16') return (v) => v !== 0;
      break;
    case 'int16':
    case 'int32':
      if (from === 'bool') return (v) => (v ? 1 : 0);
      if (from === 'int16' || from === 'int32') return (v) => checkInt(to, v as number);
      if (from === 'int64') {
        return (v) => {
          const b = v as bigint;
          if (b < -2147483648n || b > 2147483647n) throw outOfRange(to);
          return checkInt(to, Number(b));
        };
      }
      if (from === 'float32' || from === 'float64') {
        return (v) => {
          if (!Number.isFinite(v as number)) throw outOfRange(to);
          return checkInt(to, rint(v as number));
        };
      }
      if (from === 'numeric')
        return (v) => {
          noNaN(v, to);
          return checkInt(to, Number(decRound(parseDecimal(v as string), 0).int));
        };
      break;
    case 'int64':
      if (from === 'bool') return (v) => (v ? 1n : 0n);
      if (isIntegerType(from) || from === 'float32' || from === 'float64' || from === 'numeric') {
        return (v) => checkInt64(toBigInt(v, from));
      }
      break;
    case 'float32':
    case 'float64':
      if (isIntegerType(from)) return to === 'float32' ? (v) => Math.fround(Number(v)) : (v) => Number(v);
      if (from === 'float32' || from === 'float64')
        return to === 'float32' ? (v) => toFloat4(v as number) : (v) => v;
      if (from === 'numeric')
        return (v) =>
          v === 'NaN'
            ? Number.NaN
            : to === 'float32'
              ? toFloat4(numericToFloat64(v as string))
              : numericToFloat64(v as string);
      break;
    case 'numeric':
      if (isIntegerType(from)) return (v) => String(v);
      if (from === 'float32' || from === 'float64')
        return (v) =>
          Number.isNaN(v)
            ? 'NaN'
            : v === Number.POSITIVE_INFINITY
              ? NUMERIC_INF
              : v === Number.NEGATIVE_INFINITY
                ? NUMERIC_NEG_INF
                : decimalToString(decFromFloat(v as number));
      break;
    case 'date':
      if (from === 'timestamp' || from === 'timestamptz')
        return (v) => {
          if (!Number.isFinite(v as number)) throw infiniteDate();
          const t = from === 'timestamptz' ? toSessionLocal(v as number) : (v as number);
          return Math.floor(t / MICROS_PER_DAY);
        };
      break;
    case 'timestamp':
      if (from === 'date') return (v) => (v as number) * MICROS_PER_DAY;
      if (from === 'timestamptz') return (v) => checkTimestamp(toSessionLocal(v as number));
      if (from === 'timestamp') return (v) => v;
      break;
    case 'timestamptz':
      // A wall-clock value (date, timestamp) is read in the session's TimeZone.
      if (from === 'date') return (v) => checkTimestamp(fromSessionLocal((v as number) * MICROS_PER_DAY));
      if (from === 'timestamp') return (v) => checkTimestamp(fromSessionLocal(v as number));
      if (from === 'timestamptz') return (v) => v;
      break;
    case 'time':
      // timestamptz → time reads the wall clock of the session zone (UTC).
      if (from === 'timestamp') return (v) => timeOfTimestamp(v as number);
      // A timestamptz's time of day is its wall clock in the session's zone.
      if (from === 'timestamptz') return (v) => timeOfTimestamp(toSessionLocal(v as number));
      if (from === 'interval') return (v) => timeOfInterval(v as Interval);
      break;
    case 'interval':
      if (from === 'time') return (v) => ({ months: 0, days: 0, micros: v as number });
      break;
  }
  throw new SqlError('42846', `cannot cast type ${pgTypeName(from)} to ${pgTypeName(to)}`);
}
