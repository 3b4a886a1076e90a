/**
 * @module engine/columnar/string-codec
 * Text-like columns (text, uuid, json, numeric text). Low cardinality: a
 * dictionary (distinct strings, first-appearance order) plus integer codes
 * through the integer codec, which turns sorted or repeated codes into RLE or
 * a few bits per row; the decoder hands back the codes for late
 * materialization. Otherwise plain: UTF-16 lengths through the integer codec
 * and one UTF-8 blob, decoded with a single TextDecoder call and sliced, so
 * there is no per-value encoder/decoder call.
 */

import { SqlError, SqlState } from '../errors.ts';
import { type ByteReader, type ByteWriter, corrupt } from './byte-io.ts';
import { detectPeriod } from './int-choice.ts';
import { writeIntStream } from './int-codec.ts';
import { decodeIntStream, type IntStream, readIntStream } from './int-stream.ts';

/**
 * String block kinds (first byte). `dictFront` (format v3): a dictionary whose
 * entries are front-coded, each as the length of the prefix it shares with the
 * previous entry plus the rest (`host_1`, `host_10`, … cost a byte or two each).
 */
export const StringKind = { dict: 0, plain: 1, dictFront: 2 } as const;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8');

/** Input strings; NULL slots may hold anything (null/undefined) and are masked by the caller's bitmap. */
export type StringSource = readonly (string | null | undefined)[];

/**
 * Builds dictionary codes for `src[0..n)`; returns undefined when the column has
 * more than `maxDistinct` distinct values. NULL slots (bitmap bit set) reuse the previous code.
 */
export function buildDictionary(
  src: StringSource,
  n: number,
  nulls: Uint8Array | undefined,
  maxDistinct: number,
  period = 0,
): { dict: string[]; codes: Int32Array } | undefined {
  const map = new Map<string, number>();
  const dict: string[] = [];
  const codes = new Int32Array(n);
  let last = 0;
  let prev: unknown = codes; // matches no value until the first row
  // With a row period, the value one period back is usually the same string
  // object: a pointer comparison replaces the hash lookup.
  const lag = nulls === undefined && period > 0 ? period : n;
  for (let i = 0; i < n; i++) {
    if (nulls !== undefined && (nulls[i >> 3] & (1 << (i & 7))) !== 0) {
      codes[i] = last;
      continue;
    }
    const s = src[i] as string;
    // Clustered rows repeat the previous row's value (a host's run): no hash lookup.
    if (s === prev) {
      codes[i] = last;
      continue;
    }
    prev = s;
    if (i >= lag && s === src[i - lag]) {
      codes[i] = last = codes[i - lag];
      continue;
    }
    let c = map.get(s);
    if (c === undefined) {
      c = dict.length;
      if (c >= maxDistinct) return undefined;
      map.set(s, c);
      dict.push(s);
    }
    codes[i] = c;
    last = c;
  }
  return { dict, codes };
}

/**
 * Rebuilds a caller's dictionary (a DictVector) for one chunk: keeps only the
 * entries the rows use, merges duplicate strings, and renumbers the codes, so
 * stored dictionaries are always distinct and no larger than the chunk needs.
 * NULL slots must already hold a valid code (see fillNullSlots).
 */
export function compactDictionary(
  codes: Int32Array,
  n: number,
  dictValues: StringSource,
): { dict: string[]; codes: Int32Array } {
  const size = dictValues.length;
  const remap = new Int32Array(size).fill(-1);
  for (let i = 0; i < n; i++) {
    const c = codes[i];
    if (!(c >= 0 && c < size)) {
      throw new SqlError(SqlState.invalidParameterValue, `dictionary code ${c} out of range 0..${size - 1}`);
    }
    remap[c] = 0;
  }
  const index = new Map<string, number>();
  const dict: string[] = [];
  for (let c = 0; c < size; c++) {
    if (remap[c] < 0) continue;
    const v = dictValues[c];
    const s = typeof v === 'string' ? v : '';
    let k = index.get(s);
    if (k === undefined) {
      k = dict.length;
      index.set(s, k);
      dict.push(s);
    }
    remap[c] = k;
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = remap[codes[i]];
  return { dict, codes: out };
}

/** Writes a dictionary block from existing codes (also used when the input already is a DictVector). */
export function writeDictStrings(
  w: ByteWriter,
  dict: StringSource,
  codes: Int32Array,
  n: number,
  period = 0,
): void {
  const size = dict.length;
  const shared = new Int32Array(size);
  let saved = 0;
  for (let k = 1; k < size; k++) {
    const a = dict[k - 1];
    const b = dict[k];
    if (typeof a !== 'string' || typeof b !== 'string') continue;
    const max = Math.min(a.length, b.length);
    let p = 0;
    while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
    // Never split a surrogate pair: the suffix must stay well-formed UTF-16.
    if (p > 0 && (b.charCodeAt(p - 1) & 0xfc00) === 0xd800) p--;
    shared[k] = p;
    saved += p;
  }
  if (saved >= size + 16) {
    const rest: string[] = new Array(size);
    for (let k = 0; k < size; k++) {
      const v = dict[k];
      rest[k] = typeof v === 'string' ? v.substring(shared[k]) : '';
    }
    w.u8(StringKind.dictFront);
    w.u32(size);
    writeIntStream(w, shared, size);
    writePlainBody(w, rest, size);
  } else {
    w.u8(StringKind.dict);
    w.u32(size);
    writePlainBody(w, dict, size);
  }
  writeIntStream(w, codes, n, true, period || detectPeriod(codes, n));
}

/** Writes `src[0..n)` as plain strings. */
export function writePlainStrings(w: ByteWriter, src: StringSource, n: number): void {
  w.u8(StringKind.plain);
  writePlainBody(w, src, n);
}

function writePlainBody(w: ByteWriter, src: StringSource, n: number): void {
  const lengths = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = src[i];
    if (typeof s === 'string') lengths[i] = s.length;
    else if (s != null) {
      throw new SqlError(SqlState.datatypeMismatch, `text column holds a ${typeof s} value at row ${i}`);
    }
  }
  writeIntStream(w, lengths, n);
  // join() maps null/undefined to '', matching the zero lengths above.
  const joined = n === src.length ? src.join('') : src.slice(0, n).join('');
  // UTF-8 cannot hold lone surrogates; TextEncoder would silently replace them.
  const wellFormed = (joined as { isWellFormed?: () => boolean }).isWellFormed;
  if (wellFormed !== undefined && !wellFormed.call(joined)) {
    throw new SqlError('22021', 'invalid byte sequence for encoding "UTF8": text contains a lone surrogate');
  }
  const bytes = textEncoder.encode(joined);
  w.u32(bytes.length);
  w.bytes(bytes);
}

/** A parsed string block. */
export type StringStream =
  | { readonly kind: 0; readonly n: number; readonly dict: string[]; readonly codes: IntStream }
  | { readonly kind: 1; readonly n: number; readonly lengths: IntStream; readonly blob: Uint8Array };

export function readStringStream(r: ByteReader, n: number): StringStream {
  const kind = r.u8();
  if (kind === StringKind.dict) {
    const size = r.u32();
    if (size > n) corrupt('dictionary size');
    const dict = decodeStrings(readIntStream(r, size), readBlob(r), size);
    return { kind, n, dict, codes: readIntStream(r, n) };
  }
  if (kind === StringKind.dictFront) {
    const size = r.u32();
    if (size > n) corrupt('dictionary size');
    const shared = new Int32Array(size);
    decodeIntStream(readIntStream(r, size), shared);
    const restLengths = new Int32Array(size);
    decodeIntStream(readIntStream(r, size), restLengths);
    return {
      kind: StringKind.dict,
      n,
      dict: frontDecode(shared, restLengths, readBlob(r)),
      codes: readIntStream(r, n),
    };
  }
  if (kind === StringKind.plain) {
    const lengths = readIntStream(r, n);
    return { kind, n, lengths, blob: readBlob(r) };
  }
  return corrupt(`unknown string kind ${kind}`);
}

const utf16Decoder = new TextDecoder('utf-16le');

/**
 * Rebuilds front-coded entries as UTF-16 code units in one typed array (prefix
 * copies are `copyWithin`), decoded by one TextDecoder call and sliced: no per
 * entry concatenation, whose cons strings every later hash would flatten.
 */
function frontDecode(shared: Int32Array, restLengths: Int32Array, blob: Uint8Array): string[] {
  const size = shared.length;
  const rest = textDecoder.decode(blob);
  let total = 0;
  let restTotal = 0;
  for (let k = 0; k < size; k++) {
    const p = shared[k];
    const len = restLengths[k];
    if (!(p >= 0 && len >= 0)) corrupt('dictionary lengths');
    total += p + len;
    restTotal += len;
  }
  if (restTotal !== rest.length) corrupt('string lengths do not match the text');
  const units = new Uint16Array(total);
  const ends = new Int32Array(size);
  let pos = 0;
  let prevStart = 0;
  let prevLen = 0;
  let rpos = 0;
  for (let k = 0; k < size; k++) {
    const p = shared[k];
    if (p > prevLen) corrupt('dictionary prefix length');
    units.copyWithin(pos, prevStart, prevStart + p);
    const len = restLengths[k];
    for (let j = 0; j < len; j++) units[pos + p + j] = rest.charCodeAt(rpos + j);
    rpos += len;
    prevStart = pos;
    prevLen = p + len;
    pos += prevLen;
    ends[k] = pos;
  }
  const all = utf16Decoder.decode(units);
  const dict: string[] = new Array(size);
  let at = 0;
  for (let k = 0; k < size; k++) {
    dict[k] = all.substring(at, ends[k]);
    at = ends[k];
  }
  return dict;
}

function readBlob(r: ByteReader): Uint8Array {
  return r.bytesView(r.u32());
}

/** Decodes plain strings: one TextDecoder call, then substrings by UTF-16 length. */
export function decodeStrings(lengthStream: IntStream, blob: Uint8Array, n: number): string[] {
  const lengths = new Int32Array(n);
  decodeIntStream(lengthStream, lengths);
  const all = textDecoder.decode(blob);
  const out: string[] = new Array(n);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const end = pos + lengths[i];
    out[i] = all.substring(pos, end);
    pos = end;
  }
  if (pos !== all.length) corrupt('string lengths do not match the text');
  return out;
}

/** Decodes dictionary codes into `codes` (every element is overwritten), checking they index the dictionary. */
export function decodeCodes(s: IntStream, dictSize: number, codes = new Int32Array(s.n)): Int32Array {
  const n = s.n;
  decodeIntStream(s, codes);
  if (dictSize === 0 || n === 0) return codes;
  // The stream bounds its values for the common kinds; check those bounds, not every value.
  if (s.kind === 0) {
    if (s.value < 0 || s.value >= dictSize) corrupt('dictionary code out of range');
    return codes;
  }
  if (s.kind === 2) {
    const runs = new Float64Array(s.runValues.n);
    decodeIntStream(s.runValues, runs);
    for (let r = 0; r < runs.length; r++)
      if (!(runs[r] >= 0 && runs[r] < dictSize)) corrupt('dictionary code out of range');
    return codes;
  }
  let min = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const c = codes[i];
    if (c < min) min = c;
    else if (c > max) max = c;
  }
  if (min < 0 || max >= dictSize) corrupt('dictionary code out of range');
  return codes;
}
