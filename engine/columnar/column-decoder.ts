/**
 * @module engine/columnar/column-decoder
 * Decodes a column block back to the executor's vectors. Text, uuid and json
 * dictionary blocks stay dictionary-encoded (a DictVector: late
 * materialization); everything else becomes a FlatVector.
 */

import { INTERVAL_INFINITY, INTERVAL_NEG_INFINITY } from '../types/datetime.ts';
import type { ColumnType, DictVector, FlatVector, Interval, Vector } from '../vector.ts';
import { ByteReader, corrupt } from './byte-io.ts';
import {
  Codec,
  codecOf,
  FLAG_NULLS,
  INFINITE_INTERVAL_MONTHS,
  INT64_PLAIN,
  INT64_SAFE,
  isMicrosType,
} from './column-family.ts';
import { takeFloat64, takeInt32 } from './decode-buffers.ts';
import { decodeFloatStream, readFloatStream } from './float-codec.ts';
import { decodeIntStream, readIntStream } from './int-stream.ts';
import { decodeCodes, decodeStrings, readStringStream } from './string-codec.ts';

/**
 * Decodes a block of `n` rows of `type`. Text, uuid and json dictionary blocks
 * come back as a DictVector; everything else as a FlatVector.
 */
export function decodeColumn(type: ColumnType, block: Uint8Array, n: number): Vector {
  const r = new ByteReader(block);
  const codec = r.u8();
  const flags = r.u8();
  if (codec === Codec.allNull) {
    const nulls = new Uint8Array((n + 7) >> 3).fill(0xff);
    return { kind: 'flat', type, length: n, values: emptyValues(type, n), nulls };
  }
  if (codec !== codecOf(type)) corrupt(`codec ${codec} does not match type ${type}`);
  const nulls = (flags & FLAG_NULLS) !== 0 ? r.bytesView((n + 7) >> 3).slice() : undefined;
  const flat = (values: FlatVector['values']): FlatVector =>
    nulls ? { kind: 'flat', type, length: n, values, nulls } : { kind: 'flat', type, length: n, values };
  switch (codec) {
    case Codec.bool: {
      const tmp = new Int32Array(n);
      decodeIntStream(readIntStream(r, n), tmp);
      return flat(Uint8Array.from(tmp));
    }
    case Codec.int: {
      // Recycled arrays (decode-buffers): every decoder below writes all n values.
      const out = isMicrosType(type) ? takeFloat64(n) : takeInt32(n);
      decodeIntStream(readIntStream(r, n), out);
      return flat(out);
    }
    case Codec.float: {
      const out = takeFloat64(n);
      decodeFloatStream(readFloatStream(r, n), out);
      return flat(out);
    }
    case Codec.int64:
      return flat(readInt64(r, n));
    case Codec.string: {
      const s = readStringStream(r, n);
      if (s.kind === 1) return flat(decodeStrings(s.lengths, s.blob, n));
      const codes = decodeCodes(s.codes, s.dict.length, takeInt32(s.codes.n));
      if (type === 'numeric') return flat(Array.from(codes, (c) => s.dict[c]));
      const dict: FlatVector = { kind: 'flat', type, length: s.dict.length, values: s.dict };
      const v: DictVector = nulls
        ? { kind: 'dict', type, length: n, codes, dict, nulls }
        : { kind: 'dict', type, length: n, codes, dict };
      return v;
    }
    case Codec.bytea:
      return flat(readBytea(r, n));
    case Codec.interval:
      return flat(readIntervals(r, n));
    default:
      return corrupt(`unknown codec ${codec}`);
  }
}

function emptyValues(type: ColumnType, n: number): FlatVector['values'] {
  switch (codecOf(type)) {
    case Codec.bool:
      return new Uint8Array(n);
    case Codec.int:
      return isMicrosType(type) ? new Float64Array(n) : new Int32Array(n);
    case Codec.float:
      return new Float64Array(n);
    case Codec.int64:
      return new BigInt64Array(n);
    case Codec.bytea:
      return Array.from({ length: n }, () => new Uint8Array(0));
    case Codec.interval:
      return Array.from({ length: n }, () => ({ months: 0, days: 0, micros: 0 }));
    default:
      return new Array<string>(n).fill('');
  }
}

function readInt64(r: ByteReader, n: number): BigInt64Array {
  const kind = r.u8();
  const out = new BigInt64Array(n);
  if (kind === INT64_PLAIN) {
    r.align(8);
    new Uint8Array(out.buffer).set(r.bytesView(n * 8));
    return out;
  }
  if (kind !== INT64_SAFE) corrupt('int64 kind');
  const nums = new Float64Array(n);
  decodeIntStream(readIntStream(r, n), nums);
  const words = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const x = nums[i];
    words[2 * i] = x >>> 0;
    words[2 * i + 1] = Math.floor(x / 4294967296) >>> 0;
  }
  return out;
}

function readBytea(r: ByteReader, n: number): Uint8Array[] {
  r.u8();
  const lengths = new Int32Array(n);
  decodeIntStream(readIntStream(r, n), lengths);
  const blob = r.bytesView(r.u32()).slice();
  const out: Uint8Array[] = new Array(n);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const end = pos + lengths[i];
    if (lengths[i] < 0 || end > blob.length) corrupt('bytea lengths');
    out[i] = blob.subarray(pos, end);
    pos = end;
  }
  return out;
}

function readIntervals(r: ByteReader, n: number): Interval[] {
  r.u8();
  const months = new Float64Array(n);
  const days = new Float64Array(n);
  const micros = new Float64Array(n);
  decodeIntStream(readIntStream(r, n), months);
  decodeIntStream(readIntStream(r, n), days);
  decodeIntStream(readIntStream(r, n), micros);
  const out: Interval[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const m = months[i];
    out[i] =
      m === INFINITE_INTERVAL_MONTHS || m === -INFINITE_INTERVAL_MONTHS
        ? m > 0
          ? INTERVAL_INFINITY
          : INTERVAL_NEG_INFINITY
        : { months: m, days: days[i], micros: micros[i] };
  }
  return out;
}
