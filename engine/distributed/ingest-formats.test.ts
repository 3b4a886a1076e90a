import { describe, expect, it } from 'vitest';
import { parseLineProtocol } from './line-protocol.ts';
import { parseCsv, parseJsonRecords, parseNdjson } from './record-formats.ts';
import { type DistTable, rowsFromPoints, rowsFromRecords } from './table-schema.ts';

const cpu: DistTable = {
  name: 'cpu',
  columns: [
    { id: 0, name: 'time', type: 'timestamptz', notNull: true },
    { id: 1, name: 'host', type: 'text', notNull: false },
    { id: 2, name: 'usage', type: 'float64', notNull: false },
    { id: 3, name: 'n', type: 'int64', notNull: false },
  ],
  id: 1,
  version: 1,
  nextColumnId: 4,
  placement: { kind: 'distributed', columnId: 1 },
  shardCount: 8,
};

describe('line protocol', () => {
  it('parses tags, fields, escapes, ints and every precision', () => {
    const body = [
      'cpu,host=a\\ b,region=us\\,west usage=1.5,n=58i,ok=t,msg="say \\"hi\\"" 1700000000000000000',
      '# comment',
      '',
      'my\\ m,t\\=k=v f=-2e3 1700000000',
    ].join('\n');
    const { points, rejected } = parseLineProtocol(body, 'ns');
    expect(rejected).toEqual([]);
    expect(points[0]).toMatchObject({
      line: 1,
      measurement: 'cpu',
      tags: { host: 'a b', region: 'us,west' },
      fields: { usage: 1.5, n: 58, ok: true, msg: 'say "hi"' },
      timeUs: 1_700_000_000_000_000,
    });
    expect(points[0].intFields.has('n')).toBe(true);
    expect(points[1]).toMatchObject({ measurement: 'my m', tags: { 't=k': 'v' }, fields: { f: -2000 } });
    expect(parseLineProtocol('m f=1 1700000000', 's').points[0].timeUs).toBe(1.7e15);
    expect(parseLineProtocol('m f=1 1700000000000', 'ms').points[0].timeUs).toBe(1.7e15);
    expect(parseLineProtocol('m f=1 1700000000000000', 'us').points[0].timeUs).toBe(1.7e15);
    expect(parseLineProtocol('m f=1 1700000000123456789', 'ns').points[0].timeUs).toBe(1700000000123456);
  });

  it('rejects malformed lines whole, with line numbers', () => {
    const { points, rejected } = parseLineProtocol(
      [
        'cpu usage=1 1',
        'cpu',
        'cpu usage=abc 1',
        'cpu,host usage=1',
        'cpu usage="open 1',
        'cpu usage=1 12x',
        'cpu usage=1 1 2',
      ].join('\n'),
    );
    expect(points).toHaveLength(1);
    expect(rejected.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 7]);
    for (const r of rejected) expect(r.reason.length).toBeGreaterThan(3);
  });

  it('reads float fields exactly as the float grammar says (no radix prefixes, no padding)', () => {
    const ok = parseLineProtocol('m a=1.5,b=-2,c=+.5,d=1e3,e=7. 1', 's');
    expect(ok.rejected).toEqual([]);
    expect(ok.points[0].fields).toEqual({ a: 1.5, b: -2, c: 0.5, d: 1000, e: 7 });
    for (const bad of ['0x10', '0b1', '0o7', '1_0', '.'])
      expect(parseLineProtocol(`m a=${bad} 1`, 's').rejected).toHaveLength(1);
  });

  it('maps points to rows; mismatched measurement and bad types are rejected', () => {
    const { points } = parseLineProtocol(
      'cpu,host=a usage=1,n=2i 1000\nmem,host=a usage=1 1000\ncpu,host=a n=1.5 1000',
      'us',
    );
    const out = rowsFromPoints(cpu, points, 0);
    expect(out.rows).toEqual([[1000, 'a', 1, 2]]);
    expect(out.rejected.map((r) => r.line)).toEqual([2, 3]);
  });
});

describe('CSV / NDJSON / JSON', () => {
  it('parses CSV with quotes, NULLs and CRLF', () => {
    const { records, rejected } = parseCsv('time,host,usage\r\n1,"a,""b""",1.5\r\n2,,\r\n3,"",2\r\n4,x\r\n');
    expect(records.map((r) => r.values)).toEqual([
      { time: '1', host: 'a,"b"', usage: '1.5' },
      { time: '2', host: null, usage: null },
      { time: '3', host: '', usage: '2' },
    ]);
    expect(rejected).toEqual([{ line: 5, reason: 'expected 3 fields, got 2' }]);
  });

  it('rejects a duplicate CSV header', () => {
    expect(parseCsv('a,a\n1,2').rejected[0].reason).toMatch(/duplicate/);
  });

  it('parses NDJSON and JSON arrays, rejecting non-objects', () => {
    const nd = parseNdjson('{"host":"a"}\n[1]\n{bad\n\n{"host":"b"}');
    expect(nd.records.map((r) => r.line)).toEqual([1, 5]);
    expect(nd.rejected.map((r) => r.line)).toEqual([2, 3]);
    const js = parseJsonRecords('[{"host":"a"}, 3]');
    expect(js.records).toHaveLength(1);
    expect(js.rejected).toEqual([{ line: 2, reason: 'expected a JSON object' }]);
    expect(() => parseJsonRecords('[{')).toThrow(SyntaxError);
  });

  it('coerces records against the schema and never half-applies one', () => {
    const out = rowsFromRecords(cpu, [
      { line: 1, values: { time: '2024-01-01T00:00:00Z', host: 'a', usage: '2.5', n: '7' } },
      { line: 2, values: { time: '2024-01-01', host: 'a', nope: 1 } },
      { line: 3, values: { time: 'not a time', host: 'a' } },
      { line: 4, values: { host: 'a' } },
      { line: 5, values: { time: 0, usage: 1 } },
      { line: 6, values: { time: 0, host: 'b', n: 2 ** 60 } },
    ]);
    expect(out.rows).toEqual([[Date.UTC(2024, 0, 1) * 1000, 'a', 2.5, 7]]);
    expect(out.rejected.map((r) => r.line)).toEqual([2, 3, 4, 5, 6]);
  });
});
