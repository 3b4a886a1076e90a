/**
 * `orochi load` cuts its input where the ingest route's own parser sees a
 * record boundary: parsing every batch body with the route's parser gives
 * exactly the records and rejections of parsing the whole input, at the same
 * input line numbers, however the input arrives in chunks and whatever the
 * batch limits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Batch, textBatches } from '../../../cli/text-batches.ts';
import { parseCsv, parseNdjson, type RecordsResult } from '../../../engine/distributed/record-formats.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

async function* chunked(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let from = 0;
  for (const c of [...new Set(cuts.map((x) => x % (bytes.length + 1)))].sort((a, b) => a - b)) {
    if (c > from) yield bytes.slice(from, c);
    from = Math.max(from, c);
  }
  if (from < bytes.length) yield bytes.slice(from);
}

async function collect(gen: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of gen) out.push(b);
  return out;
}

/** Records and rejections of every batch, with lines mapped back to the input. */
function parsedBatches(batches: Batch[], parse: (t: string) => RecordsResult) {
  const records: { line: number; values: unknown }[] = [];
  const rejected: { line: number; reason: string }[] = [];
  for (const b of batches) {
    const r = parse(dec.decode(b.body));
    for (const x of r.records) records.push({ line: x.line + b.lineOffset, values: x.values });
    for (const x of r.rejected) rejected.push({ line: x.line + b.lineOffset, reason: x.reason });
  }
  return { records, rejected };
}

const fieldText = fc.stringMatching(/^[a-zé€ ,"\n]{0,6}$/);
/** A CSV field as written: quoted (escaped), unquoted (no comma, newline or leading quote), or malformed (text after a closing quote). */
const csvField = fc.oneof(
  fieldText.map((t) => `"${t.replace(/"/g, '""')}"`),
  fc.stringMatching(/^[a-zé€ ]?[a-zé€ "]{0,5}$/),
  fc.stringMatching(/^[a-z"]{1,3}$/).map((junk) => `"q"${junk}`),
);
const csvRecord = fc.array(csvField, { minLength: 3, maxLength: 3 }).map((f) => f.join(','));
const eol = fc.constantFrom('\n', '\r\n');

const limits = fc.record({ rows: fc.integer({ min: 1, max: 7 }), bytes: fc.integer({ min: 1, max: 200 }) });
const cuts = fc.array(fc.nat(), { maxLength: 12 });

describe('textBatches', () => {
  it('CSV: batches parse to the same records, rejections and input lines as the whole file', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(csvRecord, eol), { maxLength: 25 }),
        fc.boolean(),
        limits,
        cuts,
        async (records, finalNewline, lim, at) => {
          let text = 'a,b,c\n' + records.map(([r, e]) => r + e).join('');
          if (!finalNewline) text = text.replace(/\r?\n$/, '');
          const bytes = enc.encode(text);
          const batches = await collect(textBatches(chunked(bytes, at), 'csv', lim));
          const whole = parseCsv(text);
          const parts = parsedBatches(batches, parseCsv);
          expect(parts.records).toEqual(whole.records.map((r) => ({ line: r.line, values: r.values })));
          expect(parts.rejected).toEqual(whole.rejected);
          for (const b of batches) {
            expect(dec.decode(b.body.subarray(0, 6))).toBe('a,b,c\n');
            expect(b.rows).toBeLessThanOrEqual(lim.rows);
          }
          expect(batches.map((b) => b.index)).toEqual(batches.map((_, k) => k));
          // Every non-blank record counted once.
          const counted = batches.reduce((n, b) => n + b.rows, 0);
          expect(counted).toBe(whole.records.length + whole.rejected.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('NDJSON: batches are the input cut at lines, offsets are byte positions', async () => {
    const line = fc.oneof(
      fc
        .dictionary(fc.stringMatching(/^[a-z]{1,3}$/), fc.oneof(fc.string(), fc.integer()))
        .map((o) => JSON.stringify(o)),
      fc.constant(''),
      fc.constant('not json'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 30 }), limits, cuts, async (lines, lim, at) => {
        const text = lines.map((l) => `${l}\n`).join('');
        const bytes = enc.encode(text);
        const batches = await collect(textBatches(chunked(bytes, at), 'ndjson', lim));
        const whole = parseNdjson(text);
        const parts = parsedBatches(batches, parseNdjson);
        expect(parts.records).toEqual(whole.records.map((r) => ({ line: r.line, values: r.values })));
        expect(parts.rejected).toEqual(whole.rejected);
        for (const b of batches) {
          expect(b.body).toEqual(bytes.subarray(b.offset, b.offset + b.body.length));
          expect(b.rows).toBeLessThanOrEqual(lim.rows);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('cuts at the byte limit without splitting a record, and drops a byte-order mark', async () => {
    const text = '\uFEFFx,y\n1,"a\nb"\n2,c\n3,d\n';
    const batches = await collect(
      textBatches(chunked(enc.encode(text), [5, 9]), 'csv', { rows: 100, bytes: 4 }),
    );
    expect(batches.map((b) => dec.decode(b.body))).toEqual(['x,y\n1,"a\nb"\n', 'x,y\n2,c\n', 'x,y\n3,d\n']);
    expect(batches.map((b) => b.lineOffset)).toEqual([0, 2, 3]);
  });

  it('a header without rows yields no batch', async () => {
    expect(
      await collect(textBatches(chunked(enc.encode('a,b\n'), []), 'csv', { rows: 10, bytes: 100 })),
    ).toEqual([]);
    expect(
      await collect(textBatches(chunked(enc.encode(''), []), 'ndjson', { rows: 10, bytes: 100 })),
    ).toEqual([]);
  });
});
