/**
 * Ingest parsers under hostile input: work stays linear in the body, a line
 * past `MAX_LINE_BYTES` is rejected on its own, reasons stay short, and a body
 * that would need unbounded column buffers fails with 54000 instead of
 * exhausting the isolate.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSqlError } from '../errors.ts';
import { LineProtocolStream, parseLineProtocolBytes } from './ingest-lp-parse.ts';
import { MAX_LINE_BYTES, parseLineText } from './line-protocol.ts';
import {
  MAX_JSON_DEPTH,
  MAX_RECORD_CHARS,
  parseCsv,
  parseJsonRecords,
  parseNdjson,
} from './record-formats.ts';
import { type DistTable, rowsFromRecords } from './table-schema.ts';

const enc = new TextEncoder();

/** Counts the bytes its newline searches examine (subarrays are counted too: they share the species). */
class CountingBytes extends Uint8Array {
  static examined = 0;
  override indexOf(v: number, from = 0): number {
    const r = super.indexOf(v, from);
    CountingBytes.examined += (r < 0 ? this.length : r + 1) - Math.max(0, from);
    return r;
  }
  override lastIndexOf(v: number, from = this.length - 1): number {
    const r = super.lastIndexOf(v, from);
    CountingBytes.examined += Math.min(from, this.length - 1) + 1 - Math.max(r, 0);
    return r;
  }
}

/** Feeds `body` to a stream `step` bytes at a time, as the request reader does; returns ms taken. */
function streamed(body: Uint8Array, step: number) {
  const t0 = performance.now();
  const s = new LineProtocolStream('s', 0);
  for (let f = step; f < body.length; f += step) s.feed(body, f);
  const parsed = s.finish(body, body.length);
  return { ms: performance.now() - t0, parsed };
}

describe('line protocol limits', () => {
  it('parses a 32 MiB single line fed in 16 KiB pieces in well under a second or two', () => {
    // The old stream rescanned the unfinished line on every feed: ~2,000 rescans of up to 32 MiB.
    const body = new Uint8Array(32 << 20).fill(97);
    const { ms, parsed } = streamed(body, 16 << 10);
    expect(parsed.rejected).toEqual([
      { line: 1, reason: `line is ${32 << 20} bytes long; the limit is ${MAX_LINE_BYTES}` },
    ]);
    expect(ms).toBeLessThan(2000);
  });

  it('searches each byte for a newline a bounded number of times, whatever the feed size (property)', () => {
    // Deterministic work measure: bytes examined by newline searches, at most ~3 per byte (feed,
    // line split, the first line's capacity hint); the old stream searched the
    // whole unfinished line again on every feed: ~L²/(2·step) bytes for a line of L bytes).
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 << 20 }),
        fc.integer({ min: 512, max: 64 << 10 }),
        fc.integer({ min: 0, max: 20 }),
        (length, step, shortLines) => {
          const text = `${'m v=1 1\n'.repeat(shortLines)}m v="${'x'.repeat(length)}" 2\nm v=2 3`;
          const body = CountingBytes.from(enc.encode(text));
          CountingBytes.examined = 0;
          streamed(body, step);
          expect(CountingBytes.examined).toBeLessThanOrEqual(3 * body.length + step);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('rejects a line over MAX_LINE_BYTES alone and keeps its neighbours', () => {
    const atLimit = `m,host=a s="${'x'.repeat(MAX_LINE_BYTES - 15)}" 1`;
    expect(enc.encode(atLimit).length).toBe(MAX_LINE_BYTES);
    const over = `m,host=b s="${'x'.repeat(MAX_LINE_BYTES - 14)}" 2`;
    const body = enc.encode(`m,host=c v=1 3\n${atLimit}\r\n${over}\nm,host=d v=2 4\n`);
    for (const step of [body.length, 4096, 1 << 16]) {
      const { parsed } = streamed(body, step);
      expect(parsed.rejected).toEqual([
        { line: 3, reason: `line is ${MAX_LINE_BYTES + 1} bytes long; the limit is ${MAX_LINE_BYTES}` },
      ]);
      const m = parsed.batches.get('m')!;
      expect([...m.lines.subarray(0, m.rows)]).toEqual([1, 2, 4]);
    }
  });

  it('rejects a long run of digits in a field value in linear time, with a short reason', () => {
    // `\d+\.?\d*` backtracked quadratically: 16,000 digits took ~0.7 s, 1 MiB would take an hour.
    const line = `m f=${'1'.repeat(MAX_LINE_BYTES - 10)}x 1`;
    const t0 = performance.now();
    const r = parseLineText(line, 's', 1);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(r).toMatchObject({ rejection: { line: 1 } });
    const reason = (r as { rejection: { reason: string } }).rejection.reason;
    expect(reason).toMatch(/^invalid field value "1{64}…"$/);
    const bytes = parseLineProtocolBytes(enc.encode(line));
    expect(bytes.rejected[0].reason).toBe(reason);
  });

  it('keeps every rejection reason short whatever the input', () => {
    const huge = 'k'.repeat(200_000);
    const lines = [
      `m f=${huge}`,
      `m f=1 ${huge}`,
      `m,t= f=1`,
      `m,${huge}= f=1`,
      `m ${huge}="unterminated`,
      `m f=${'9'.repeat(300)}i`,
      `m f=-${'9'.repeat(300)}u`,
    ];
    const parsed = parseLineProtocolBytes(enc.encode(lines.join('\n')));
    expect(parsed.rejected).toHaveLength(lines.length);
    for (const r of parsed.rejected) expect(r.reason.length).toBeLessThan(200);
  });

  it('fails a body needing unbounded column buffers with 54000, quickly', () => {
    // 100,000 distinct field keys in one 1 MiB line used to allocate ~1.3 GB of builders.
    const line = `m ${Array.from({ length: 100_000 }, (_, i) => `f${i}=1`).join(',')} 1`;
    const t0 = performance.now();
    let err: unknown;
    try {
      parseLineProtocolBytes(enc.encode(line));
    } catch (e) {
      err = e;
    }
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(isSqlError(err) && err.code).toBe('54000');
    expect((err as Error).message).toMatch(/column buffers/);
  });

  it('still takes a body with a realistic number of keys', () => {
    const line = (i: number) =>
      `m,${Array.from({ length: 20 }, (_, k) => `t${k}=v${i % 7}`).join(',')} ${Array.from({ length: 200 }, (_, k) => `f${k}=${k}.5`).join(',')} ${i}`;
    const parsed = parseLineProtocolBytes(
      enc.encode(Array.from({ length: 2000 }, (_, i) => line(i)).join('\n')),
    );
    expect(parsed.rejected).toEqual([]);
    expect(parsed.batches.get('m')!.rows).toBe(2000);
  });
});

describe('record format limits', () => {
  const cpu: DistTable = {
    name: 'cpu',
    columns: [
      { id: 0, name: 'time', type: 'timestamptz', notNull: true },
      { id: 1, name: 'host', type: 'text', notNull: false },
      { id: 2, name: 'doc', type: 'text', notNull: false },
    ],
    id: 1,
    version: 1,
    nextColumnId: 3,
    placement: { kind: 'distributed', columnId: 1 },
    shardCount: 8,
  };
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
  const timed = <T>(f: () => T): T => {
    const t0 = performance.now();
    const r = f();
    expect(performance.now() - t0).toBeLessThan(3000);
    return r;
  };

  it('refuses a deeply nested JSON body whole, with 54001, before anything recursive runs', () => {
    for (const body of [
      `[{"time":"2024-01-01","doc":${deep(1 << 20)}}]`,
      `${'{"a":'.repeat(1 << 20)}1${'}'.repeat(1 << 20)}`,
    ]) {
      let err: unknown;
      try {
        timed(() => parseJsonRecords(body));
      } catch (e) {
        err = e;
      }
      expect(isSqlError(err) && err.code).toBe('54001');
    }
    // At the limit it parses, and coercion (which recurses) copes: a row rejected with a reason.
    const ok = parseJsonRecords(`[{"time":"2024-01-01","doc":${deep(MAX_JSON_DEPTH - 1)}}]`);
    expect(ok.records).toHaveLength(1);
    expect(rowsFromRecords(cpu, ok.records).rejected).toEqual([
      { line: 1, reason: expect.stringMatching(/^column "doc": invalid input syntax/) },
    ]);
    // Brackets inside strings do not count.
    expect(parseJsonRecords(`{"time":"2024-01-01","host":"${'['.repeat(1000)}"}`).records).toHaveLength(1);
  });

  it('rejects an NDJSON line too deep or too long alone', () => {
    const body = [
      '{"time":"2024-01-01","host":"a"}',
      `{"time":"2024-01-01","doc":${deep(1 << 18)}}`,
      `{"time":"2024-01-01","host":"${'x'.repeat(MAX_RECORD_CHARS)}"}`,
      '{"time":"2024-01-01","host":"b"}',
    ].join('\n');
    const r = timed(() => parseNdjson(body));
    expect(r.records.map((x) => x.line)).toEqual([1, 4]);
    expect(r.rejected.map((x) => x.line)).toEqual([2, 3]);
    expect(r.rejected[0].reason).toMatch(/nested deeper than 128/);
    expect(r.rejected[1].reason).toMatch(/characters long; the limit is 1048576/);
    expect(rowsFromRecords(cpu, r.records).rows).toHaveLength(2);
  });

  it('rejects a JSON array element over the record limit alone', () => {
    const body = JSON.stringify([
      { time: '2024-01-01', host: 'a' },
      { time: '2024-01-01', host: 'x'.repeat(MAX_RECORD_CHARS) },
      { time: '2024-01-01', host: 'b' },
    ]);
    const r = timed(() => parseJsonRecords(body));
    expect(r.records.map((x) => x.line)).toEqual([1, 3]);
    expect(r.rejected).toEqual([{ line: 2, reason: expect.stringMatching(/the limit is 1048576/) }]);
  });

  it('parses CSV in linear time and rejects an oversized row alone', () => {
    // Fields used to grow a character at a time: one 32 MiB field took ~20 s.
    for (const big of ['x'.repeat(32 << 20), `"${'x'.repeat(32 << 20)}"`, '1,'.repeat(8 << 20)]) {
      const r = timed(() => parseCsv(`time,host\n2024-01-01,a\n2024-01-01,${big}\n2024-01-01,b\n`));
      expect(r.records.map((x) => x.values.host)).toEqual(['a', 'b']);
      expect(r.rejected).toEqual([
        { line: 3, reason: expect.stringMatching(/characters long; the limit is 1048576/) },
      ]);
    }
    // Quoting and line numbers are unchanged: quoted newlines, doubled quotes, CRLF.
    const r = parseCsv('time,host\r\n2024-01-01,"a\nb ""q"""\r\n2024-01-01,c\r\n');
    expect(r.records).toEqual([
      { line: 2, values: { time: '2024-01-01', host: 'a\nb "q"' } },
      { line: 4, values: { time: '2024-01-01', host: 'c' } },
    ]);
  });
});
