/**
 * @module engine/distributed/ingest-lp-values
 * Byte-level readers of line protocol field values and timestamps for the
 * fast path of ingest-lp-parse. Each handles only the forms it reads exactly
 * (plain decimals of ≤ 15 digits, `[-+]digits[iu]`, non-negative integer
 * timestamps) and answers "fall back" for everything else, which the
 * reference parser then reads.
 */

import { type KeyColumn, Kind } from './ingest-batch.ts';
import type { Precision } from './line-protocol.ts';

const SPACE = 32;
const COMMA = 44;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const BOOLS = new Map([
  ...['t', 'T', 'true', 'True', 'TRUE'].map((s) => [s, 1] as const),
  ...['f', 'F', 'false', 'False', 'FALSE'].map((s) => [s, 0] as const),
]);
const decoder = new TextDecoder('utf-8');

/** ASCII bytes [from, to) as a string. */
export function ascii(b: Uint8Array, from: number, to: number): string {
  return to - from <= 64
    ? String.fromCharCode.apply(null, b.subarray(from, to) as unknown as number[])
    : decoder.decode(b.subarray(from, to));
}

/**
 * A field value that is a float (the reference's grammar `[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?`),
 * `[-+]digits[iu]` (≤ 15 digits) or a boolean; returns the end, or -1 to fall back.
 * Plain decimals of ≤ 15 digits are exact integer / power-of-ten divisions (one
 * correctly rounded operation, as Number() gives); longer ones and exponents go
 * through Number() on the token, which is what the reference does with them.
 */
export function readNumber(b: Uint8Array, col: KeyColumn, r: number, i: number, e: number): number {
  const c0 = b[i];
  if (c0 === 116 || c0 === 84 || c0 === 102 || c0 === 70) return readBool(b, col, r, i, e);
  let j = i;
  let neg = false;
  if (b[j] === 45) {
    neg = true;
    j++;
  } else if (b[j] === 43) j++;
  let m = 0;
  let digits = 0;
  let frac = 0;
  while (j < e && b[j] >= 48 && b[j] <= 57) {
    m = m * 10 + (b[j++] - 48);
    digits++;
  }
  let dot = false;
  if (j < e && b[j] === 46) {
    dot = true;
    j++;
    while (j < e && b[j] >= 48 && b[j] <= 57) {
      m = m * 10 + (b[j++] - 48);
      digits++;
      frac++;
    }
  }
  if (digits === 0) return -1;
  let c = j < e ? b[j] : SPACE;
  if (digits > 15 || c === 101 || c === 69) {
    if (c === 101 || c === 69) {
      j++;
      if (j < e && (b[j] === 43 || b[j] === 45)) j++;
      const d0 = j;
      while (j < e && b[j] >= 48 && b[j] <= 57) j++;
      if (j === d0) return -1;
      c = j < e ? b[j] : SPACE;
    }
    if (c !== COMMA && c !== SPACE) return -1;
    col.kind[r] = Kind.number;
    col.num[r] = Number(ascii(b, i, j));
    return j;
  }
  let v = m;
  if (c === 105 || c === 117) {
    // `58i` / `58u`; a negative unsigned integer is an error the reference path words.
    if (dot || (c === 117 && neg && m !== 0)) return -1;
    c = ++j < e ? b[j] : SPACE;
  } else if (frac > 0) v = m / POW10[frac]; // exact operands, one correctly rounded division
  if (c !== COMMA && c !== SPACE) return -1;
  col.kind[r] = Kind.number;
  col.num[r] = neg ? -v : v;
  return j;
}

/** `t`, `true`, `F`, `FALSE`, … as the reference accepts them. */
function readBool(b: Uint8Array, col: KeyColumn, r: number, i: number, e: number): number {
  let j = i;
  while (j < e && j - i <= 5 && b[j] !== COMMA && b[j] !== SPACE) j++;
  const v = BOOLS.get(ascii(b, i, j));
  if (v === undefined || (j < e && b[j] !== COMMA && b[j] !== SPACE)) return -1;
  col.kind[r] = Kind.bool;
  col.num[r] = v;
  return j;
}

/** A non-negative integer timestamp followed only by spaces, in µs; -2 to fall back. */
export function readTimestamp(b: Uint8Array, precision: Precision, i: number, e: number): number {
  let j = i;
  while (j < e && b[j] >= 48 && b[j] <= 57) j++;
  const len = j - i;
  for (let k = j; k < e; k++) if (b[k] !== SPACE) return -2;
  if (len === 0) return -2;
  let digits = len;
  let scale = 1;
  switch (precision) {
    case 'ns':
      if (len <= 3) return len > 0 ? 0 : -2;
      digits = len - 3;
      break;
    case 'ms':
      scale = 1000;
      break;
    case 's':
      scale = 1_000_000;
      break;
  }
  if (digits > 16) return -2;
  let v = 0;
  for (let k = i; k < i + digits; k++) v = v * 10 + (b[k] - 48);
  v *= scale;
  return Number.isSafeInteger(v) ? v : -2;
}
