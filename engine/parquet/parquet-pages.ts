/**
 * @module engine/parquet/parquet-pages
 * Reads back one column page as `parquet-writer` writes it (data page v1,
 * RLE/bit-packed definition levels of width 1, PLAIN values, GZIP or none),
 * given the page layout the writer returned. The frozen tier range-reads a
 * column's page from R2 and decodes it with this; it is not a general
 * Parquet reader (no dictionary pages, no nesting, no other encodings).
 */
import { SqlError, SqlState } from '../errors.ts';
import type { ColumnType } from '../vector.ts';
import type { ParquetCodec } from './parquet-writer.ts';

const bad = (what: string): never => {
  throw new SqlError(SqlState.internalError, `frozen Parquet page: ${what}`);
};

async function gunzip(b: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([b]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Decodes the hybrid RLE/bit-packed definition levels (bit width 1) of `n` values. */
function definitionLevels(b: Uint8Array, at: number, end: number, n: number): boolean[] {
  const out: boolean[] = [];
  let p = at;
  while (out.length < n) {
    if (p >= end) bad('definition levels end early');
    let header = 0;
    let shift = 0;
    for (;;) {
      const x = b[p++];
      header += (x & 0x7f) * 2 ** shift;
      shift += 7;
      if (x < 0x80) break;
    }
    if (header % 2 === 0) {
      const count = header / 2;
      const v = b[p++] === 1;
      for (let i = 0; i < count && out.length < n; i++) out.push(v);
    } else {
      const groups = (header - 1) / 2;
      for (let g = 0; g < groups; g++) {
        const byte = b[p++];
        for (let k = 0; k < 8 && out.length < n; k++) out.push(((byte >> k) & 1) === 1);
      }
    }
  }
  return out;
}

/**
 * The `rowCount` values (null for NULL) of a column page body (the bytes after
 * its page header). int64 comes back as bigint, timestamps as µs numbers.
 */
export async function decodeColumnPage(
  body: Uint8Array,
  type: ColumnType,
  rowCount: number,
  codec: ParquetCodec,
): Promise<unknown[]> {
  const b = codec === 'gzip' ? await gunzip(body) : body;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 4) bad('too short');
  const levelsLength = dv.getUint32(0, true);
  const present = definitionLevels(b, 4, 4 + levelsLength, rowCount);
  let p = 4 + levelsLength;
  const utf8 = new TextDecoder();
  const out: unknown[] = new Array(rowCount);
  let bit = 0;
  for (let i = 0; i < rowCount; i++) {
    if (!present[i]) {
      out[i] = null;
      continue;
    }
    if (p > b.length) bad('values end early');
    switch (type) {
      case 'bool':
        out[i] = ((b[p + (bit >> 3)] >> (bit & 7)) & 1) === 1;
        bit++;
        break;
      case 'int16':
      case 'int32':
      case 'date':
        out[i] = dv.getInt32(p, true);
        p += 4;
        break;
      case 'int64':
        out[i] = dv.getBigInt64(p, true);
        p += 8;
        break;
      case 'timestamp':
      case 'timestamptz':
      case 'time':
        out[i] = Number(dv.getBigInt64(p, true));
        p += 8;
        break;
      case 'float32':
        out[i] = dv.getFloat32(p, true);
        p += 4;
        break;
      case 'float64':
        out[i] = dv.getFloat64(p, true);
        p += 8;
        break;
      case 'text':
      case 'bpchar':
      case 'json':
      case 'uuid':
      case 'bytea': {
        const len = dv.getUint32(p, true);
        const bytes = b.subarray(p + 4, p + 4 + len);
        out[i] = type === 'bytea' ? bytes.slice() : utf8.decode(bytes);
        p += 4 + len;
        break;
      }
      default:
        bad(`type ${type}`);
    }
  }
  return out;
}
