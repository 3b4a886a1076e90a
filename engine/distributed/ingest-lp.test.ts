/**
 * The byte-level ingest path (ingest-lp-parse → ingest-columns → ingest-encode)
 * against the reference string path (parseLineProtocol → rowsFromPoints →
 * routeRows → encodeTableRows) on random line protocol: same points, same
 * rejections with the same reasons, same rows, same chunks per shard.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineProtocolBatches } from '../../bench/tsbs/formats.ts';
import { generateCpuOnly } from '../../bench/tsbs/generate.ts';
import { openChunkParts } from '../columnar/index.ts';
import { type BucketChunk, encodeTableRows, vectorValues } from './chunk-rows.ts';
import { buildHashRanges, shardForValue } from './hash-ranges.ts';
import { Kind } from './ingest-batch.ts';
import { type TableBatch, toTableBatch } from './ingest-columns.ts';
import { encodeForShards } from './ingest-encode.ts';
import { LineProtocolStream, type ParsedBody, parseLineProtocolBytes } from './ingest-lp-parse.ts';
import { type Precision, parseLineProtocol } from './line-protocol.ts';
import { type DistTable, type Row, rowsFromPoints } from './table-schema.ts';

const enc = new TextEncoder();
const NOW = 1_700_000_000_000_000;

/** Every parsed row as `{line, measurement, values, timeUs}` (tags and fields merged, fields win). */
function materialize(p: ParsedBody) {
  const out: { line: number; measurement: string; values: Record<string, unknown>; timeUs?: number }[] = [];
  for (const b of p.batches.values()) {
    for (let r = 0; r < b.rows; r++) {
      const values: Record<string, unknown> = {};
      for (const k of b.keys.values()) {
        const kind = k.kind[r];
        if (kind === Kind.number) values[k.name] = k.num[r];
        else if (kind === Kind.bool) values[k.name] = k.num[r] === 1;
        else if (kind === Kind.string) values[k.name] = k.dict[k.code[r]];
      }
      const t = b.time[r];
      out.push({
        line: b.lines[r],
        measurement: b.measurement,
        values,
        ...(Number.isNaN(t) ? {} : { timeUs: t }),
      });
    }
  }
  return out.sort((a, b) => a.line - b.line);
}

function reference(text: string, precision: Precision) {
  const r = parseLineProtocol(text, precision);
  return {
    points: r.points.map((p) => ({
      line: p.line,
      measurement: p.measurement,
      values: { ...p.tags, ...p.fields } as Record<string, unknown>,
      ...(p.timeUs === undefined ? {} : { timeUs: p.timeUs }),
    })),
    rejected: r.rejected,
    raw: r.points,
  };
}

/** Accepted rows of a table batch as reference rows (arrays by column id). */
function rowsOf(tb: TableBatch): Row[] {
  const rows: Row[] = [];
  for (let r = 0; r < tb.rows; r++) {
    if (!tb.accepted[r]) continue;
    const row: Row = new Array(tb.table.nextColumnId).fill(null);
    tb.table.columns.forEach((c, i) => {
      const v = tb.columns[i];
      if (v.nulls[r]) row[c.id] = null;
      else if (c.type === 'text') row[c.id] = v.dict[v.codes[r]];
      else if (c.type === 'bool') row[c.id] = v.num[r] === 1;
      else row[c.id] = v.num[r];
    });
    rows.push(row);
  }
  return rows;
}

const cols = (spec: [string, DistTable['columns'][number]['type'], boolean?, unknown?][]) =>
  spec.map(([name, type, notNull, dflt], id) => ({
    id,
    name,
    type,
    notNull: notNull ?? false,
    default: dflt,
  }));

const byHost: DistTable = {
  name: 'cpu',
  columns: cols([
    ['time', 'timestamptz', true],
    ['hostname', 'text'],
    ['region', 'text', false, 'none'],
    ['usage', 'float64'],
    ['n', 'int64'],
    ['ok', 'bool'],
    ['msg', 'text'],
    ['i32', 'int32', false, 7],
  ]),
  id: 1,
  version: 1,
  nextColumnId: 8,
  placement: { kind: 'distributed', columnId: 1 },
  shardCount: 4,
  hypertable: { timeColumnId: 0, chunkIntervalUs: 3600e6 },
};
const byInt: DistTable = { ...byHost, placement: { kind: 'distributed', columnId: 4 }, shardCount: 3 };

const token = <T extends string>(xs: T[]) => fc.constantFrom(...xs);
const fieldValue = fc.oneof(
  token([
    '1.5',
    '-0',
    '.5',
    '1.',
    '7',
    '+3.25',
    '1e3',
    '-2E-2',
    '00012',
    '0.1',
    '3.14159265358979',
    '-12.75',
  ]),
  token([
    '0x10',
    '1_0',
    '1e',
    '2E+',
    '3.5e-',
    '',
    'abc',
    'NaN',
    'Infinity',
    '1.2.3',
    '.',
    '-',
    '12345678901234567890',
  ]),
  token(['58i', '-3i', '5u', '-5u', '-0u', '+4i', '9007199254740993i', '1.5i', '2147483648i']),
  token(['t', 'TRUE', 'false', 'F', 'tru']),
  token(['"hi"', '"say \\"x\\""', '"a\\\\b"', '"open', '"with space, comma"', '"ü"', '"12"', '""']),
  fc.double({ noNaN: true }).map(String),
  fc.integer().map((i) => `${i}i`),
);
/** `arb` once in `oneIn` draws, null otherwise. */
const rarely = <T>(arb: fc.Arbitrary<T>, oneIn: number) =>
  fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
const seriesKey = fc
  .record({
    m: token(['cpu', 'cpu', 'mem', 'c\\ pu']),
    tags: fc.array(
      fc.tuple(
        token(['hostname', 'region', 'hostname', 'n']),
        token(['h1', 'h2', 'us\\,west', 'a\\ b', 'ü', 'x=y', '12']),
      ),
      { maxLength: 3 },
    ),
  })
  .map(({ m, tags }) => `${m}${tags.map(([k, v]) => `,${k}=${v}`).join('')}`);
/** Plain decimals, the fast path's float grammar: up to 15 digits around the point. */
const decimal = fc
  .tuple(fc.boolean(), fc.nat({ max: 99_999 }), fc.nat({ max: 99_999_999 }), fc.nat({ max: 9 }))
  .map(([neg, a, b, z]) => `${neg ? '-' : ''}${a}.${'0'.repeat(z % 3)}${b}`);
const lineRest = fc.record({
  pick: fc.nat(),
  fields: fc.array(
    fc.tuple(
      token(['usage', 'n', 'ok', 'msg', 'i32', 'hostname', 'time', 'zz', 'usage']),
      fc.oneof(
        { weight: 3, arbitrary: decimal },
        { weight: 1, arbitrary: fc.nat().map((i) => `${i}i`) },
        { weight: 2, arbitrary: fieldValue },
      ),
    ),
    { minLength: 1, maxLength: 4 },
  ),
  ts: token([
    ' 1700000000000000000',
    ' 1700000000000000000',
    '',
    ' 1700000000000000000',
    ' 1700000000',
    ' -5',
    ' 12x',
    ' 999',
    ' 1 2',
    '  1700000000123456789  ',
    ' 99999999999999999999',
    ' 1700000003600',
  ]),
  eol: token(['\n', '\r\n']),
  // Rarely: one stray special character somewhere, or a blank/comment/odd line before.
  noise: rarely(fc.tuple(fc.nat(), token([' ', ',', '=', '"', '\\', '\t', '#'])), 8),
  junk: rarely(token(['\n', '# comment\n', '   \n', ' cpu f=1\n']), 10),
});
/** Bodies reuse a few series keys, as real ones do, so most lines take the fast path. */
const body = fc
  .tuple(
    fc.array(seriesKey, { minLength: 1, maxLength: 3 }),
    fc.array(lineRest, { minLength: 5, maxLength: 40 }),
  )
  .map(([series, lines]) =>
    lines
      .map(({ pick, fields, ts, eol, noise, junk }) => {
        let s = `${series[pick % series.length]} ${fields.map(([k, v]) => `${k}=${v}`).join(',')}${ts}`;
        if (noise) s = s.slice(0, noise[0] % (s.length + 1)) + noise[1] + s.slice(noise[0] % (s.length + 1));
        return (junk ?? '') + s + eol;
      })
      .join(''),
  );
const precision = token(['ns', 'us', 'ms', 's'] as Precision[]);

describe('byte-level line protocol', () => {
  it('parses exactly like the reference parser (points, rejections, reasons)', () => {
    let fast = 0;
    let lines = 0;
    fc.assert(
      fc.property(body, precision, (text, prec) => {
        const parsed = parseLineProtocolBytes(enc.encode(text), prec);
        const ref = reference(text, prec);
        expect(materialize(parsed)).toEqual(ref.points);
        expect(parsed.rejected).toEqual(ref.rejected);
        fast += parsed.fastLines;
        lines += ref.points.length + ref.rejected.length;
      }),
      { numRuns: 400 },
    );
    // The comparison is only worth something if the fast path did most of the work.
    expect(fast / lines).toBeGreaterThan(0.08);
  });

  it('parses a body fed in arbitrary pieces (into a growing buffer) like the whole body', () => {
    fc.assert(
      fc.property(
        body,
        precision,
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1 }),
        (text, prec, cuts) => {
          const bytes = enc.encode(`\ufeff${text}`);
          const stream = new LineProtocolStream(prec, 0);
          let buf = new Uint8Array(8);
          let filled = 0;
          for (let k = 0; filled < bytes.length; k++) {
            const piece = bytes.subarray(filled, filled + cuts[k % cuts.length]);
            if (filled + piece.length > buf.length) {
              const grown = new Uint8Array(Math.max(buf.length * 2, filled + piece.length));
              grown.set(buf.subarray(0, filled));
              buf = grown;
            }
            buf.set(piece, filled);
            filled += piece.length;
            stream.feed(buf, filled);
          }
          const got = stream.finish(buf, filled);
          const whole = parseLineProtocolBytes(bytes, prec);
          expect(materialize(got)).toEqual(materialize(whole));
          expect(got.rejected).toEqual(whole.rejected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('shapes rows exactly like rowsFromPoints (coercion, defaults, NOT NULL, reasons)', () => {
    fc.assert(
      fc.property(body, precision, fc.constantFrom(byHost, byInt), (text, prec, t) => {
        const parsed = parseLineProtocolBytes(enc.encode(text), prec);
        const ref = reference(text, prec);
        for (const batch of parsed.batches.values()) {
          const tb = toTableBatch(t, parsed, batch, NOW);
          const want = rowsFromPoints(
            t,
            ref.raw.filter((p) => p.measurement === batch.measurement),
            NOW,
          );
          expect(rowsOf(tb)).toEqual(want.rows);
          expect(tb.rejected).toEqual(want.rejected);
          expect(tb.acceptedCount).toBe(want.rows.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('encodes the same chunks per shard and slice as routeRows + encodeTableRows', () => {
    const decode = (chunks: readonly BucketChunk[]) =>
      chunks.map((c) => {
        const reader = openChunkParts(c.header, (i) => c.columns[i]);
        return {
          bucket: c.bucket,
          rows: c.rowCount,
          columns: c.columns.map((_, i) => vectorValues(reader.column(i))),
        };
      });
    fc.assert(
      fc.property(body, fc.constantFrom(byHost, byInt), fc.integer({ min: 1, max: 8 }), (text, t, slice) => {
        const parsed = parseLineProtocolBytes(enc.encode(text), 'ns');
        const batch = parsed.batches.get('cpu');
        if (!batch) return;
        const got = encodeForShards(toTableBatch(t, parsed, batch, NOW), slice);
        const rows = rowsFromPoints(t, parseLineProtocol(text, 'ns').points, NOW).rows;
        const ranges = buildHashRanges(t.shardCount);
        const routed = new Map<number, Row[]>();
        for (const r of rows) {
          const s = shardForValue(ranges, r[(t.placement as { columnId: number }).columnId]);
          routed.set(s, [...(routed.get(s) ?? []), r]);
        }
        expect([...got.keys()].sort()).toEqual([...routed.keys()].sort());
        for (const [s, list] of routed) {
          const want = [];
          for (let i = 0; i < list.length; i += slice)
            want.push(decode(encodeTableRows(t, list.slice(i, i + slice))));
          expect(got.get(s)!.map(decode)).toEqual(want);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('takes TSBS bodies on the fast path: 58i into float columns, ns timestamps, no rejections', () => {
    const data = generateCpuOnly({ hosts: 20, hours: 1, seed: 7 });
    const text = [...lineProtocolBatches(data, { batchRows: 100_000 })][0];
    const parsed = parseLineProtocolBytes(enc.encode(text), 'ns');
    const ref = reference(text, 'ns');
    expect(parsed.rejected).toEqual([]);
    expect(parsed.fastLines).toBe(data.rowCount - 20); // each host's first line seeds the series cache
    expect(materialize(parsed)).toEqual(ref.points);
    expect(ref.points).toHaveLength(data.rowCount);
  });

  it("does not take a predicted series key that is only a prefix of the line's key", () => {
    // Lines 1-5 teach "m,t=a is followed by m,t=b"; line 6 starts with m,t=b's bytes but its key is m,t=bc=1.
    const text = 'm,t=a f=1 1\nm,t=b f=1 1\nm,t=a f=1 1\nm,t=b f=1 1\nm,t=a f=1 1\nm,t=bc=1 5\n';
    const parsed = parseLineProtocolBytes(enc.encode(text), 's');
    const ref = reference(text, 's');
    expect(parsed.rejected).toEqual(ref.rejected);
    expect(parsed.rejected.map((r) => r.line)).toEqual([6]);
    expect(materialize(parsed)).toEqual(ref.points);
  });

  it("drops only the body's leading byte order mark, as decoding the whole body does", () => {
    const text = '\ufeffcpu f=1 1\n\ufeffcpu f=2 2\n';
    const parsed = parseLineProtocolBytes(enc.encode(text), 's');
    const ref = reference(new TextDecoder().decode(enc.encode(text)), 's');
    expect(materialize(parsed)).toEqual(ref.points);
    expect([...parsed.batches.keys()]).toEqual(['cpu', '\ufeffcpu']);
  });

  it('handles a BOM, CRLF, missing fields as NULL/default, and a missing timestamp as now', () => {
    const text = '\ufeffcpu,hostname=a usage=1 1000\r\ncpu,hostname=b n=2i\r\n';
    const parsed = parseLineProtocolBytes(enc.encode(text), 'us');
    const tb = toTableBatch(byHost, parsed, parsed.batches.get('cpu')!, NOW);
    expect(rowsOf(tb)).toEqual([
      [1000, 'a', 'none', 1, null, null, null, 7],
      [NOW, 'b', 'none', null, 2, null, null, 7],
    ]);
  });

  it('rejects unknown columns and bad values with line numbers, keeping the other rows', () => {
    const text =
      'cpu,hostname=a usage=1 1\ncpu,hostname=b nope=1 2\ncpu,hostname=c usage="x" 3\ncpu usage=1 4\n';
    const parsed = parseLineProtocolBytes(enc.encode(text), 's');
    const tb = toTableBatch(byHost, parsed, parsed.batches.get('cpu')!, NOW);
    expect(tb.acceptedCount).toBe(1);
    expect(tb.rejected.map((r) => r.line)).toEqual([2, 3, 4]);
    expect(tb.rejected[0].reason).toMatch(/column "nope" does not exist/);
    expect(tb.rejected[1].reason).toMatch(/usage/);
    expect(tb.rejected[2].reason).toMatch(/distribution column/);
  });
});
