/**
 * @module engine/columnar/run-index
 * A value → row-runs index over a dictionary text block whose codes are
 * run-length coded — what a chunk clustered by that column (segmentby) looks
 * like. Built from the encoded block in O(runs + dictionary), it answers
 * `col = v` / `col IN (…)` with the rows of a few runs, like a per-chunk
 * (hostname → row range) index.
 */
import { ByteReader } from './byte-io.ts';
import { Codec, FLAG_NULLS } from './column-family.ts';
import { decodeIntStream } from './int-stream.ts';
import { readStringStream } from './string-codec.ts';

/** Value → flat [start, end, start, end, …] row runs (ascending). */
export type RunIndex = ReadonlyMap<string, readonly number[]>;

/**
 * The index of a text block, or null when the block is not a NULL-free
 * dictionary block with run-length coded codes (filters then scan the codes).
 */
export function buildRunIndex(block: Uint8Array, n: number): RunIndex | null {
  const r = new ByteReader(block);
  if (r.u8() !== Codec.string) return null;
  if ((r.u8() & FLAG_NULLS) !== 0) return null;
  const s = readStringStream(r, n);
  if (s.kind !== 0 || s.codes.kind !== 2) return null;
  const runs = s.codes.runValues.n;
  const values = new Float64Array(runs);
  const lengths = new Float64Array(runs);
  decodeIntStream(s.codes.runValues, values);
  decodeIntStream(s.codes.runLengths, lengths);
  const index = new Map<string, number[]>();
  let at = 0;
  for (let k = 0; k < runs; k++) {
    const end = Math.min(n, at + lengths[k]);
    const value = s.dict[values[k]];
    if (value === undefined) return null; // corrupt code: let the scanning path report it
    let list = index.get(value);
    if (list === undefined) index.set(value, (list = []));
    list.push(at, end);
    at = end;
  }
  return index;
}

/** Ascending rows whose value is one of `values`. */
export function rowsOfRuns(index: RunIndex, values: readonly string[]): Uint32Array {
  const runs: number[] = [];
  for (const v of new Set(values)) {
    const list = index.get(v);
    if (list !== undefined) for (let k = 0; k < list.length; k++) runs.push(list[k]);
  }
  let total = 0;
  for (let k = 0; k < runs.length; k += 2) total += runs[k + 1] - runs[k];
  const out = new Uint32Array(total);
  let j = 0;
  for (let k = 0; k < runs.length; k += 2) for (let i = runs[k]; i < runs[k + 1]; i++) out[j++] = i;
  // Runs of several values interleave: sort when they came out of order.
  for (let k = 1; k < total; k++) {
    if (out[k] < out[k - 1]) {
      out.sort();
      break;
    }
  }
  return out;
}
