/**
 * @module engine/distributed/ingest-lp-parse
 * Byte-level InfluxDB line protocol parser for the ingest hot path: reads the
 * request body as bytes and writes straight into columnar builders
 * (ingest-batch), with no per-line string split, regex or per-row object.
 *
 * - Series keys (`measurement,tag=v,…`, up to the first unescaped space) are
 *   hashed as bytes and cached: a repeated series costs one hash and one byte
 *   comparison, and its tags arrive as dictionary codes decoded once.
 * - Field keys are compared as bytes against the key last seen at the same
 *   position; plain decimals and `58i` integers parse from bytes.
 * - Anything else (escapes, quoted strings with escapes, booleans, exponents,
 *   negative or odd timestamps, comments, malformed lines) goes through
 *   `parseLineText`, the reference parser, for that line: the two agree by
 *   construction, and ingest-lp.test.ts checks it on random input.
 * - Work is linear in the body: `feed` scans only the bytes that arrived since
 *   the last call for a newline, and a line longer than `MAX_LINE_BYTES` is
 *   rejected without being parsed.
 */

import { ColumnBudget, Kind, MeasurementBatch } from './ingest-batch.ts';
import { ascii, readNumber, readTimestamp } from './ingest-lp-values.ts';
import {
  lineTooLong,
  MAX_LINE_BYTES,
  type Point,
  type Precision,
  parseLineText,
  type Rejection,
} from './line-protocol.ts';

/** Parse result: measurement batches in first-seen order, plus rejected lines. */
export interface ParsedBody {
  readonly body: Uint8Array;
  readonly precision: Precision;
  readonly batches: Map<string, MeasurementBatch>;
  readonly rejected: Rejection[];
  /** Lines taken by the byte-level fast path (the rest went through the reference parser). */
  readonly fastLines: number;
}

interface SeriesEntry {
  readonly bytes: Uint8Array;
  readonly batch: MeasurementBatch;
  readonly tags: readonly { readonly column: ReturnType<MeasurementBatch['key']>; readonly code: number }[];
  /** The series that followed this one last time: bodies repeat series in a stable order. */
  next?: SeriesEntry;
}

const SPACE = 32;
const COMMA = 44;
const EQUALS = 61;
const QUOTE = 34;
const BACKSLASH = 92;
/** Rows pre-allocated for the first measurement at most (builders still grow past it). */
const MAX_CAPACITY_HINT = 1 << 17;
/** Keeps a byte order mark inside the body (only the body's first one is dropped, by `run`), as decoding the whole body would. */
const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** The text of the line starting at byte `start` (without its newline). */
export function lineAt(body: Uint8Array, start: number): string {
  const end = body.indexOf(10, start);
  return utf8.decode(body.subarray(start, end < 0 ? body.length : end));
}

/** Parses a line protocol body. `body` must be valid UTF-8 (see request-body's check). */
export function parseLineProtocolBytes(body: Uint8Array, precision: Precision = 'ns'): ParsedBody {
  return new LineProtocolStream(precision, body.length).finish(body, body.length);
}

/**
 * The same parse, fed while the body arrives: each `feed` parses the lines
 * completed so far, so parsing overlaps the upload. The caller passes its
 * receive buffer each time (it may be a larger copy after growing); offsets
 * into it stay valid.
 */
export class LineProtocolStream {
  private readonly p: BodyParser;
  /** Bytes already searched for a newline: an unfinished line is never rescanned. */
  private scanned = 0;

  /** `expectedBytes` (e.g. Content-Length) sizes the column builders. */
  constructor(
    private readonly precision: Precision,
    expectedBytes: number,
  ) {
    this.p = new BodyParser(precision, expectedBytes);
  }

  /** `buf[0, filled)` is the body so far: parses its complete lines. */
  feed(buf: Uint8Array, filled: number): void {
    const from = this.scanned;
    if (filled <= from) return;
    this.scanned = filled;
    const last = buf.subarray(from, filled).lastIndexOf(10);
    if (last >= 0) this.p.parseUpTo(buf, from + last + 1);
  }

  /** `buf[0, filled)` is the whole body: parses the rest. */
  finish(buf: Uint8Array, filled: number): ParsedBody {
    const p = this.p;
    p.parseUpTo(buf, filled);
    const body = buf.subarray(0, filled);
    return {
      body,
      precision: this.precision,
      batches: p.batches,
      rejected: p.rejected,
      fastLines: p.fastLines,
    };
  }
}

class BodyParser {
  readonly batches = new Map<string, MeasurementBatch>();
  readonly rejected: Rejection[] = [];
  fastLines = 0;
  private readonly series = new Map<number, SeriesEntry[]>();
  /** The series of the previous fast line, whose `next` predicts this line's. */
  private prev: SeriesEntry | undefined;
  /** Hash computed by the last `seriesEnd`. */
  private hash = 0;
  private body: Uint8Array = new Uint8Array(0);
  /** Start of the next unparsed line, and the number of lines before it. */
  private pos = 0;
  private lineNo = 0;
  private readonly budget = new ColumnBudget();

  constructor(
    private readonly precision: Precision,
    private readonly expectedBytes: number,
  ) {}

  /** Parses the lines in [pos, upTo); `upTo` is a line end (after a newline) or the body's end. */
  parseUpTo(b: Uint8Array, upTo: number): void {
    this.body = b;
    // TextDecoder drops a leading byte order mark; so do we.
    if (this.pos === 0 && this.lineNo === 0 && upTo >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf)
      this.pos = 3;
    let start = this.pos;
    while (start < upTo) {
      const lineNo = ++this.lineNo;
      // Only the body's last line (at `finish`) can search past `upTo`, once.
      let end = b.indexOf(10, start);
      if (end < 0 || end > upTo) end = upTo;
      const e = end > start && b[end - 1] === 13 ? end - 1 : end;
      if (e - start > MAX_LINE_BYTES) this.rejected.push({ line: lineNo, reason: lineTooLong(e - start) });
      else if (!this.fast(start, e, lineNo)) this.slow(start, end, lineNo);
      start = end + 1;
    }
    this.pos = Math.max(start, upTo);
  }

  /** Rows to pre-allocate for the first measurement: the expected body size over the first line's. */
  private capacityHint(): number {
    const first = this.body.indexOf(10);
    const lineBytes = Math.max(32, first < 0 ? this.expectedBytes : first + 1);
    return Math.min(MAX_CAPACITY_HINT, Math.max(1024, Math.ceil((this.expectedBytes / lineBytes) * 1.05)));
  }

  private batchFor(measurement: string): MeasurementBatch {
    let m = this.batches.get(measurement);
    if (!m) {
      // The first measurement is usually the whole body: size it from the first line, within reason.
      const capacity = this.batches.size === 0 ? this.capacityHint() : 1024;
      m = new MeasurementBatch(measurement, capacity, this.budget);
      this.batches.set(measurement, m);
    }
    return m;
  }

  /** Where the series key at [start, …) ends (its first unescaped space), or -1; its hash goes to `this.hash`. */
  private seriesEnd(start: number, e: number): number {
    const b = this.body;
    let h = 0x811c9dc5;
    for (let i = start; i < e; i++) {
      const c = b[i];
      if (c === SPACE) {
        this.hash = h;
        return i;
      }
      h = Math.imul(h ^ c, 16777619);
      if (c === BACKSLASH) {
        if (++i >= e) break;
        h = Math.imul(h ^ b[i], 16777619);
      }
    }
    return -1;
  }

  /**
   * True when the line at `start` begins with exactly `s`'s series key. The
   * key bytes end outside an escape (they were cut at an unescaped space), so
   * equal bytes followed by a space are the same key.
   */
  private startsWith(s: SeriesEntry, start: number, e: number): boolean {
    const k = s.bytes;
    const len = k.length;
    const b = this.body;
    if (start + len >= e || b[start + len] !== SPACE) return false;
    for (let i = 0; i < len; i++) if (k[i] !== b[start + i]) return false;
    return true;
  }

  private lookup(hash: number, start: number, end: number): SeriesEntry | undefined {
    const list = this.series.get(hash);
    if (!list) return undefined;
    const b = this.body;
    const len = end - start;
    outer: for (const s of list) {
      if (s.bytes.length !== len) continue;
      const k = s.bytes;
      for (let i = 0; i < len; i++) if (k[i] !== b[start + i]) continue outer;
      return s;
    }
    return undefined;
  }

  /** The reference path for one line; remembers the series key of a good line. */
  private slow(start: number, end: number, lineNo: number): void {
    const r = parseLineText(utf8.decode(this.body.subarray(start, end)), this.precision, lineNo);
    if (r === undefined) return;
    if ('rejection' in r) {
      this.rejected.push(r.rejection);
      return;
    }
    const batch = this.appendPoint(r.point, start);
    const c0 = this.body[start];
    if (c0 <= SPACE || c0 === 35 || c0 >= 128) return;
    const keyEnd = this.seriesEnd(start, end);
    const hash = this.hash;
    if (keyEnd < 0 || this.lookup(hash, start, keyEnd)) return;
    const tags = Object.keys(r.point.tags).map((k) => {
      const column = batch.key(k);
      return { column, code: column.codeOf(r.point.tags[k]) };
    });
    const entry: SeriesEntry = { bytes: this.body.slice(start, keyEnd), batch, tags };
    const list = this.series.get(hash);
    if (list) list.push(entry);
    else this.series.set(hash, [entry]);
  }

  private appendPoint(p: Point, start: number): MeasurementBatch {
    const batch = this.batchFor(p.measurement);
    batch.reserve();
    const r = batch.rows;
    for (const k in p.tags) batch.key(k).setString(r, p.tags[k]);
    for (const k in p.fields) {
      const col = batch.key(k);
      if (col.kind[r] !== Kind.absent) batch.recheck[r] = 1;
      const v = p.fields[k];
      if (typeof v === 'string') col.setString(r, v);
      else {
        col.kind[r] = typeof v === 'number' ? Kind.number : Kind.bool;
        col.num[r] = Number(v);
      }
    }
    batch.commit(p.line, start, p.timeUs ?? Number.NaN);
    return batch;
  }

  /** The fast path; false (with nothing written) when the line needs the reference parser. */
  private fast(start: number, e: number, lineNo: number): boolean {
    const b = this.body;
    if (start >= e) return false;
    const c0 = b[start];
    if (c0 <= SPACE || c0 === 35 || c0 >= 128) return false;
    let entry = this.prev?.next;
    if (entry === undefined || !this.startsWith(entry, start, e)) {
      const keyEnd = this.seriesEnd(start, e);
      if (keyEnd < 0) return false;
      entry = this.lookup(this.hash, start, keyEnd);
      if (!entry) return false;
      if (this.prev) this.prev.next = entry;
    }
    const keyEnd = start + entry.bytes.length;
    const batch = entry.batch;
    batch.reserve();
    const r = batch.rows;
    for (const t of entry.tags) {
      t.column.kind[r] = Kind.string;
      t.column.code[r] = t.code;
    }
    const ok = this.fields(batch, r, keyEnd, e);
    if (ok === -2) {
      batch.clearRow(r);
      return false;
    }
    batch.commit(lineNo, start, ok === -1 ? Number.NaN : ok);
    this.fastLines++;
    this.prev = entry;
    return true;
  }

  /** Parses fields and timestamp: the timestamp (µs), -1 for none, -2 to fall back. */
  private fields(batch: MeasurementBatch, r: number, from: number, e: number): number {
    const b = this.body;
    let i = from;
    while (i < e && b[i] === SPACE) i++;
    for (let slot = 0; ; slot++) {
      // Key: a byte match against the key last seen at this position, else decode it.
      let s = batch.slots[slot];
      let j = -1;
      if (s !== undefined) {
        const k = s.bytes;
        const len = k.length;
        if (i + len < e && b[i + len] === EQUALS) {
          j = i + len;
          for (let x = 0; x < len; x++)
            if (k[x] !== b[i + x]) {
              j = -1;
              break;
            }
        }
      }
      if (j < 0) {
        j = i;
        while (j < e) {
          const c = b[j];
          if (c === EQUALS || c === COMMA || c === SPACE) break;
          if (c === BACKSLASH || c >= 128) return -2;
          j++;
        }
        if (j === i || j >= e || b[j] !== EQUALS) return -2;
        s = { bytes: b.slice(i, j), column: batch.key(ascii(b, i, j)) };
        batch.slots[slot] = s;
      }
      const col = s!.column;
      if (col.kind[r] !== Kind.absent) batch.recheck[r] = 1;
      i = j + 1;
      if (i >= e) return -2;
      if (b[i] === QUOTE) {
        // A quoted string without escapes or non-ASCII bytes; others take the reference path.
        let q = i + 1;
        while (q < e && b[q] !== QUOTE) {
          if (b[q] === BACKSLASH || b[q] >= 128) return -2;
          q++;
        }
        if (q >= e) return -2;
        col.setString(r, ascii(b, i + 1, q));
        i = q + 1;
      } else {
        i = readNumber(b, col, r, i, e);
        if (i < 0) return -2;
      }
      if (i < e && b[i] === COMMA) {
        i++;
        continue;
      }
      break;
    }
    while (i < e && b[i] === SPACE) i++;
    if (i >= e) return -1;
    return readTimestamp(b, this.precision, i, e);
  }
}

/** True when every parsed point carries its own timestamp (none takes the server's clock). */
export function everyPointTimestamped(parsed: ParsedBody): boolean {
  for (const b of parsed.batches.values())
    for (let r = 0; r < b.rows; r++) if (Number.isNaN(b.time[r])) return false;
  return true;
}
