/**
 * @module cli/text-batches
 * Cuts a byte stream of CSV, NDJSON or line protocol into request bodies at
 * record boundaries, without holding more than one batch in memory. Works
 * on bytes: the newline (0x0A), CR, comma and double quote never occur
 * inside a multi-byte UTF-8 sequence, so a cut never splits a character.
 * CSV cuts follow the ingest route's own reading of quotes (engine
 * `record-formats.ts`): a quote opens a quoted field only at a field's start
 * (elsewhere it is a literal character), `""` inside one is a quote, and
 * text after a closing quote makes the rest of the line part of that row —
 * so a newline inside a quoted field is never a cut. Every CSV batch repeats
 * the header row, since the route reads column names from each body's first
 * row.
 */

/** The text formats the ingest route reads, by their Content-Type. */
export type TextFormat = 'csv' | 'ndjson' | 'lp';

export const CONTENT_TYPES: Record<TextFormat | 'parquet', string> = {
  csv: 'text/csv',
  ndjson: 'application/x-ndjson',
  lp: 'text/plain',
  // Parquet row groups are sent as NDJSON (see parquet-batches.ts).
  parquet: 'application/x-ndjson',
};

/** One request body and where it came from. */
export interface Batch {
  /** 0-based position in the input. */
  readonly index: number;
  /** Byte offset of the batch's first record in the (decompressed) input; the row offset for Parquet. */
  readonly offset: number;
  /** Records in the body (non-empty lines; CSV rows after the header). */
  readonly rows: number;
  /** Add to a line number in the server's answer for this body to get the input's line number. */
  readonly lineOffset: number;
  readonly body: Uint8Array;
}

/** When to cut a batch: whichever limit a record reaches first (a record is never split). */
export interface BatchLimits {
  readonly rows: number;
  readonly bytes: number;
}

const NL = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;

/** Where a CSV scan is, between two bytes. */
enum Csv {
  FieldStart,
  Unquoted,
  Quoted,
  /** A quote inside a quoted field: a second one is a literal quote, anything else closes the field. */
  QuoteSeen,
  /** Text after a closing quote: the route skips to the end of the line. */
  SkipLine,
}

/** The CSV state after byte `c` (a newline outside quotes is handled by the caller). */
function csvStep(state: Csv, c: number): Csv {
  switch (state) {
    case Csv.Quoted:
      return c === QUOTE ? Csv.QuoteSeen : Csv.Quoted;
    case Csv.QuoteSeen:
      if (c === QUOTE) return Csv.Quoted;
      if (c === COMMA || c === CR) return Csv.FieldStart;
      return Csv.SkipLine;
    case Csv.SkipLine:
      return Csv.SkipLine;
    default:
      if (c === COMMA || c === CR) return Csv.FieldStart;
      if (c === QUOTE && state === Csv.FieldStart) return Csv.Quoted;
      return Csv.Unquoted;
  }
}

/** Splits the input into batches; a UTF-8 byte-order mark at the start is dropped. */
export async function* textBatches(
  input: AsyncIterable<Uint8Array>,
  format: TextFormat,
  limits: BatchLimits,
): AsyncGenerator<Batch> {
  let header: Uint8Array | undefined = format === 'csv' ? undefined : new Uint8Array(0);
  let headerLines = 0;
  const headerParts: Uint8Array[] = [];
  let parts: Uint8Array[] = [];
  let partBytes = 0;
  let rows = 0;
  let index = 0;
  let consumed = 0; // bytes of input before the current chunk
  let batchOffset = 0;
  let newlines = 0; // newlines before the current scan position
  let batchFirstLine = 1;
  const csv = format === 'csv';
  let state = Csv.FieldStart;
  let recordHasContent = false;
  let first = true;

  const emit = (): Batch => {
    const body = new Uint8Array(header!.length + partBytes);
    body.set(header!, 0);
    let at = header!.length;
    for (const p of parts) {
      body.set(p, at);
      at += p.length;
    }
    const lineOffset = batchFirstLine - 1 - headerLines;
    const b: Batch = { index: index++, offset: batchOffset, rows, lineOffset, body };
    parts = [];
    partBytes = 0;
    rows = 0;
    return b;
  };

  for await (let chunk of input) {
    if (first) {
      first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        chunk = chunk.subarray(3);
        consumed += 3;
        batchOffset = 3;
      }
    }
    let segStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (c !== NL) {
        if (c !== CR) recordHasContent = true;
        if (csv) state = csvStep(state, c);
        continue;
      }
      newlines++;
      if (state === Csv.Quoted) continue;
      state = Csv.FieldStart;
      if (header === undefined) {
        headerParts.push(chunk.subarray(segStart, i + 1));
        header = Buffer.concat(headerParts);
        headerLines = newlines;
        segStart = i + 1;
        batchOffset = consumed + i + 1;
        batchFirstLine = newlines + 1;
        recordHasContent = false;
        continue;
      }
      if (recordHasContent) rows++;
      recordHasContent = false;
      if (rows >= limits.rows || partBytes + (i + 1 - segStart) >= limits.bytes) {
        const seg = chunk.subarray(segStart, i + 1);
        parts.push(seg);
        partBytes += seg.length;
        yield emit();
        segStart = i + 1;
        batchOffset = consumed + i + 1;
        batchFirstLine = newlines + 1;
      }
    }
    const rest = chunk.subarray(segStart);
    if (rest.length > 0) {
      // The input's chunk may be reused by its producer: keep a copy of the part that stays.
      const copy = Uint8Array.from(rest);
      if (header === undefined) headerParts.push(copy);
      else {
        parts.push(copy);
        partBytes += copy.length;
      }
    }
    consumed += chunk.length;
  }
  if (header === undefined) {
    // A header with no newline and no rows: nothing to load.
    return;
  }
  if (recordHasContent) {
    rows++;
    // The server reads a last record without a newline; end it anyway so a later concatenation stays valid.
    const nl = new Uint8Array([NL]);
    parts.push(nl);
    partBytes += 1;
  }
  if (rows > 0) yield emit();
}
