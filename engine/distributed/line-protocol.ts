/**
 * @module engine/distributed/line-protocol
 * InfluxDB line protocol (v2): `measurement[,tag=v…] field=v[,field=v…] [timestamp]`.
 * Each line parses wholly or is rejected with a reason; a bad line never
 * contributes a partial point. Timestamps are converted to microseconds (the
 * engine's timestamp unit) exactly, through BigInt.
 */

/** Timestamp precision of a write (`precision=` query parameter). */
export type Precision = 'ns' | 'us' | 'ms' | 's';

/** A field value: `1.5` → number, `58i`/`58u` → bigint-safe integer as number, `"x"` → string, `t` → boolean. */
export type FieldValue = number | string | boolean;

/** One parsed point. `intFields` names fields written with the `i`/`u` suffix. */
export interface Point {
  /** 1-based line number in the body. */
  readonly line: number;
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, FieldValue>>;
  readonly intFields: ReadonlySet<string>;
  /** Microseconds since the epoch; undefined when the line had no timestamp. */
  readonly timeUs?: number;
}

/** A rejected input unit (a line, row or object) with its 1-based number and why. */
export interface Rejection {
  readonly line: number;
  readonly reason: string;
}

/** Parse result: every line lands in exactly one of the two lists. */
export interface LineProtocolResult {
  readonly points: Point[];
  readonly rejected: Rejection[];
}

const DIVISOR: Record<Precision, bigint> = { ns: 1000n, us: 1n, ms: 1n, s: 1n };
const MULTIPLIER: Record<Precision, bigint> = { ns: 1n, us: 1n, ms: 1000n, s: 1_000_000n };

/**
 * Longest line accepted, in bytes (without its newline): 1 MiB. InfluxDB caps
 * a string field value at 64 KiB, so this leaves room for the longest string
 * plus keys and tags, while bounding the work and memory one line can cost. A
 * longer line is rejected on its own (its neighbours are still written).
 */
export const MAX_LINE_BYTES = 1 << 20;

/** The rejection reason of a line longer than `MAX_LINE_BYTES`. */
export function lineTooLong(bytes: number): string {
  return `line is ${bytes} bytes long; the limit is ${MAX_LINE_BYTES}`;
}

/** Input echoed in a rejection reason, cut short: a reason must stay small whatever the input. */
export function excerpt(raw: string, quoted = true): string {
  const cut = raw.length > 64 ? `${raw.slice(0, 64)}…` : raw;
  return quoted ? JSON.stringify(cut) : cut;
}

/** True for a recognised precision string. */
export function isPrecision(p: string): p is Precision {
  return p === 'ns' || p === 'us' || p === 'ms' || p === 's';
}

class LineError extends Error {}

// Unambiguous (`\d+(\.\d*)?`, not `\d+\.?\d*`): the latter backtracks quadratically on a long run of digits.
const FLOAT = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Reads up to an unescaped delimiter; `\` escapes the next character. */
function readToken(s: string, pos: number, stops: string): [string, number] {
  // Fast path: no backslash before the delimiter, so the token is a plain slice.
  let j = pos;
  while (j < s.length && !stops.includes(s[j]) && s[j] !== '\\') j++;
  if (j >= s.length || s[j] !== '\\') return [s.slice(pos, j), j];
  let out = '';
  let i = pos;
  while (i < s.length) {
    const ch = s[i];
    if (ch === '\\' && i + 1 < s.length) {
      const next = s[i + 1];
      // Only delimiters and backslash are escapes; elsewhere the backslash is literal (Influx behaviour).
      if (stops.includes(next) || next === '\\' || next === '=' || next === ',' || next === ' ') {
        out += next;
        i += 2;
        continue;
      }
    }
    if (stops.includes(ch)) break;
    out += ch;
    i++;
  }
  return [out, i];
}

function parseFieldValue(raw: string): { value: FieldValue; int: boolean } {
  if (raw.length === 0) throw new LineError('empty field value');
  const last = raw.charCodeAt(raw.length - 1);
  if (last >= 48 && last <= 57) {
    // Number() alone accepts exactly FLOAT's language here, except radix prefixes (0x, 0b, 0o).
    const n = Number(raw);
    const first = raw.charCodeAt(0);
    const second = raw.length > 1 ? raw.charCodeAt(1) | 32 : 0;
    const signOrDigit = (first >= 48 && first <= 57) || first === 45 || first === 43 || first === 46;
    if (!Number.isNaN(n) && signOrDigit && second !== 120 && second !== 98 && second !== 111)
      return { value: n, int: false };
  }
  if ((last === 105 || last === 117) && /^[-+]?\d+[iu]$/.test(raw)) {
    const n = Number(raw.slice(0, -1));
    if (!Number.isSafeInteger(n))
      throw new LineError(`integer ${excerpt(raw, false)} outside the exactly representable range`);
    if (last === 117 && n < 0) throw new LineError(`unsigned integer ${excerpt(raw, false)} is negative`);
    return { value: n, int: true };
  }
  if (/^(t|T|true|True|TRUE)$/.test(raw)) return { value: true, int: false };
  if (/^(f|F|false|False|FALSE)$/.test(raw)) return { value: false, int: false };
  if (FLOAT.test(raw)) return { value: Number(raw), int: false };
  throw new LineError(`invalid field value ${excerpt(raw)}`);
}

function parseTimestamp(raw: string, precision: Precision): number {
  if (!/^-?\d+$/.test(raw)) throw new LineError(`invalid timestamp ${excerpt(raw)}`);
  // Common case without BigInt: a positive ns timestamp truncates to µs by dropping 3 digits.
  if (precision === 'ns' && raw.length > 3 && raw.length <= 19 && raw[0] !== '-')
    return Number(raw.slice(0, -3));
  const us = (BigInt(raw) * MULTIPLIER[precision]) / DIVISOR[precision];
  const n = Number(us);
  if (!Number.isSafeInteger(n)) throw new LineError(`timestamp ${excerpt(raw, false)} out of range`);
  return n;
}

function parseLine(line: string, precision: Precision, lineNo: number): Point {
  const [measurement, afterName] = readToken(line, 0, ', ');
  if (!measurement) throw new LineError('missing measurement');
  let i = afterName;
  const tags: Record<string, string> = {};
  while (line[i] === ',') {
    const [key, k] = readToken(line, i + 1, '=, ');
    if (line[k] !== '=' || !key) throw new LineError(`malformed tag near column ${k + 1}`);
    const [value, v] = readToken(line, k + 1, ', ');
    if (!value) throw new LineError(`empty value for tag ${excerpt(key)}`);
    tags[key] = value;
    i = v;
  }
  if (line[i] !== ' ') throw new LineError('missing fields');
  while (line[i] === ' ') i++;
  const fields: Record<string, FieldValue> = {};
  const intFields = new Set<string>();
  for (;;) {
    const [key, k] = readToken(line, i, '=, ');
    if (line[k] !== '=' || !key) throw new LineError(`malformed field near column ${k + 1}`);
    i = k + 1;
    if (line[i] === '"') {
      let s = '';
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) i++;
        s += line[i++];
      }
      if (line[i] !== '"') throw new LineError(`unterminated string in field ${excerpt(key)}`);
      i++;
      fields[key] = s;
    } else {
      let j = i;
      while (j < line.length && line[j] !== ',' && line[j] !== ' ') j++;
      const parsed = parseFieldValue(line.slice(i, j));
      fields[key] = parsed.value;
      if (parsed.int) intFields.add(key);
      i = j;
    }
    if (line[i] === ',') {
      i++;
      continue;
    }
    break;
  }
  while (line[i] === ' ') i++;
  let timeUs: number | undefined;
  if (i < line.length) {
    const rest = line.slice(i).trimEnd();
    if (rest.includes(' ')) throw new LineError('unexpected text after timestamp');
    timeUs = parseTimestamp(rest, precision);
  }
  return { line: lineNo, measurement, tags, fields, intFields, timeUs };
}

/**
 * Parses one line (without its `\n`; a trailing `\r` is dropped): a point, a
 * rejection, or undefined for a blank line or a `#` comment. This is the
 * reference semantics; the byte-level parser in ingest-lp-batch defers to it
 * for every line it does not handle itself.
 */
export function parseLineText(
  raw: string,
  precision: Precision,
  lineNo: number,
): { point: Point } | { rejection: Rejection } | undefined {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (line.trim() === '' || line.trimStart().startsWith('#')) return undefined;
  try {
    return { point: parseLine(line, precision, lineNo) };
  } catch (e) {
    if (!(e instanceof LineError)) throw e;
    return { rejection: { line: lineNo, reason: e.message } };
  }
}

/** Parses a whole body; blank lines and `#` comments are skipped. */
export function parseLineProtocol(text: string, precision: Precision = 'ns'): LineProtocolResult {
  const points: Point[] = [];
  const rejected: Rejection[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const r = parseLineText(lines[n], precision, n + 1);
    if (r === undefined) continue;
    if ('point' in r) points.push(r.point);
    else rejected.push(r.rejection);
  }
  return { points, rejected };
}
