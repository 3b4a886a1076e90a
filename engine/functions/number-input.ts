/**
 * @module engine/functions/number-input
 * to_number(text, picture): PostgreSQL's numeric_to_number — NUM_processor in
 * input mode (NUM_numpart_from_char) collects a sign, digits and a point from
 * the text as the picture's 9 0 . D G , S PR MI PL SG L TH nodes allow, then
 * numeric_in reads them with the picture's precision and scale (22003 when the
 * digits do not fit), and V divides by its power of ten.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { ScalarImpl } from '../plan/nodes.ts';
import { decimalToString, decMul, normalizeNumericText, parseDecimal } from '../types/numeric.ts';
import { powerInt } from '../types/numeric-math.ts';
import { typmodEnforcer } from '../types/typmod.ts';
import type { SqlType } from '../types/values.ts';
import { F, K, parseNumberPicture } from './number-picture.ts';
import type { Resolved } from './operators.ts';

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** The sign, digits and point NUM_processor reads from `text`, and the count of fraction digits read. */
function readNumber(text: string, fmt: string): { number: string; pre: number; post: number; multi: number } {
  const { nodes, desc } = parseNumberPicture(fmt);
  const is = (f: number) => (desc.flag & f) !== 0;
  if (is(F.eeee)) throw new SqlError(SqlState.featureNotSupported, '"EEEE" not supported for input');
  if (is(F.roman)) throw new SqlError(SqlState.featureNotSupported, '"RN" not supported for input');
  const input = [...text];
  const len = input.length;
  let p = 0;
  let sign = ' ';
  let digits = '';
  let readPre = 0;
  let readPost = 0;
  let readDec = false;
  const overload = () => p >= len;
  const amount = (s: number) => p <= len - s;
  const lsignPre = is(F.lsign) && desc.lsign < 0;

  /** NUM_eat_non_data_chars: skip up to n characters that cannot start a number. */
  const eat = (n: number) => {
    for (let i = 0; i < n && !overload(); i++) {
      if ('0123456789.,+-'.includes(input[p])) break;
      p++;
    }
  };

  /** NUM_numpart_from_char. */
  const numpart = (id: K) => {
    if (overload()) return;
    if (input[p] === ' ') p++;
    if (overload()) return;
    if (sign === ' ' && (id === K.Zero || id === K.Nine) && readPre + readPost === 0) {
      if (lsignPre) {
        if (amount(1) && (input[p] === '-' || input[p] === '+')) sign = input[p++];
      } else if (input[p] === '-' || (is(F.bracket) && input[p] === '<')) {
        sign = '-';
        p++;
      } else if (input[p] === '+') {
        sign = '+';
        p++;
      }
    }
    if (overload()) return;
    let isread = false;
    if (isDigit(input[p])) {
      if (readDec && readPost === desc.post) return;
      digits += input[p];
      if (readDec) readPost++;
      else readPre++;
      isread = true;
    } else if (is(F.decimal) && !readDec) {
      if (amount(1) && input[p] === '.') {
        digits += '.';
        readDec = true;
        isread = true;
      }
    }
    if (overload()) return;
    if (sign === ' ' && readPre + readPost > 0) {
      if (is(F.lsign) && isread && p + 1 < len && !isDigit(input[p + 1])) {
        const c = input[p + 1];
        if (c === '-' || c === '+') {
          sign = c;
          p++;
        }
      } else if (!isread && !is(F.lsign) && (is(F.plus) || is(F.minus))) {
        if (input[p] === '-' || input[p] === '+') sign = input[p];
      }
    }
  };

  for (const n of nodes) {
    if (overload()) break;
    if (n.key === undefined) {
      p++;
      continue;
    }
    switch (n.key) {
      case K.Nine:
      case K.Zero:
      case K.Dec:
      case K.D:
        numpart(n.key);
        break;
      case K.Comma:
      case K.G:
        if (is(F.fillmode) || input[p] !== ',') continue;
        break;
      case K.L:
        eat(1);
        continue;
      case K.TH:
      case K.th:
        if (!is(F.decimal)) eat(2);
        continue;
      case K.MI:
      case K.PL:
      case K.SG: {
        const accepts = n.key === K.MI ? '-' : n.key === K.PL ? '+' : '+-';
        if (accepts.includes(input[p])) sign = input[p];
        else {
          eat(1);
          continue;
        }
        break;
      }
      default:
        continue;
    }
    p++;
  }
  if (digits.endsWith('.')) digits = digits.slice(0, -1);
  return { number: sign + digits, pre: desc.pre, post: readPost, multi: desc.multi };
}

/** to_number(text, picture); NULL for an empty picture, as PostgreSQL. */
export function parseNumber(text: string, fmt: string): string | null {
  if (fmt === '') return null;
  const { number, pre, post, multi } = readNumber(text, fmt);
  let v: string;
  try {
    v = normalizeNumericText(number);
  } catch (e) {
    if (e instanceof SqlError && e.code === SqlState.invalidTextRepresentation)
      throw new SqlError(e.code, `invalid input syntax for type numeric: "${number}"`);
    throw e;
  }
  const precision = pre + multi + post;
  if (precision === 0) {
    if (parseDecimal(v).int !== 0n)
      throw new SqlError(SqlState.numericValueOutOfRange, 'numeric field overflow');
  } else v = typmodEnforcer({ kind: 'numeric', precision, scale: post }, false)(v) as string;
  if (multi === 0) return v;
  // numeric_mul by power(10, -multi), a numeric with power_var_int's result scale.
  return decimalToString(decMul(parseDecimal(v), powerInt({ int: 10n, scale: 0 }, -multi, 0)));
}

/** Resolves to_number(text, text). */
export function resolveToNumber(args: readonly SqlType[]): Resolved | undefined {
  if (args.length !== 2) return undefined;
  const impl: ScalarImpl = {
    name: 'to_number',
    strict: true,
    fn: parseNumber as (...a: unknown[]) => unknown,
  };
  return { impl, type: 'numeric', argTypes: ['text', 'text'] };
}
