/**
 * The regression replay's splitter and judge: a difference PostgreSQL would see
 * (lost digits, another SQLSTATE, a missing row) is never called agreement.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { type Answer, canonValue, judge } from './compare.ts';
import { isOrdered, loadScanner, orderKeyColumns, splitScript } from './statements.ts';

const rows = (...r: unknown[][]): Answer => ({ ok: true, rows: r, columns: r[0]?.length ?? 1 });
const err = (code: string, status = 400): Answer => ({ ok: false, code, message: code, status });

describe('splitScript', () => {
  beforeAll(() => loadScanner());

  test('cuts at semicolons outside strings, comments and dollar quotes; drops psql commands', () => {
    const script = [
      "SELECT 'a;b';",
      '\\set x 1',
      '/* c; */ SELECT $$;$$;',
      '-- only a comment;',
      'SELECT 2',
    ].join('\n');
    expect(splitScript(script).map((s) => [s.sql, s.line])).toEqual([
      ["SELECT 'a;b'", 1],
      ['/* c; */ SELECT $$;$$', 3],
      ['-- only a comment;\nSELECT 2', 4],
    ]);
  });

  test('COPY … FROM stdin with inline data becomes one INSERT; other COPYs stay', () => {
    const script = ['COPY t (a, b) FROM stdin;', '1\tx', "\\N\tit's", '\\.', 'SELECT 1;'].join('\n');
    expect(splitScript(script).map((s) => s.sql)).toEqual([
      "INSERT INTO t (a, b) VALUES ('1', 'x'), (NULL, 'it''s')",
      'SELECT 1',
    ]);
  });

  test('a script the scanner cannot read is cut at line-ending semicolons', () => {
    const script = ["SELECT E'wrong: \\udb99';", 'SELECT 2;'].join('\n');
    expect(splitScript(script).map((s) => s.sql)).toEqual(["SELECT E'wrong: \\udb99'", 'SELECT 2']);
  });

  test('top-level ORDER BY only', () => {
    expect(isOrdered('SELECT a FROM t ORDER BY a')).toBe(true);
    expect(isOrdered('SELECT a FROM (SELECT a FROM t ORDER BY a) s')).toBe(false);
    expect(isOrdered('SELECT array_agg(a ORDER BY a) FROM t')).toBe(false);
  });
});

describe('judge', () => {
  test('exact types keep every digit', () => {
    expect(canonValue('9007199254740993', 20)).not.toBe(canonValue(9007199254740992, 20));
    expect(canonValue('123456789012345678.12', 1700)).not.toBe(canonValue(123456789012345680, 1700));
    expect(canonValue('1.50', 1700)).toBe(canonValue(1.5, 1700));
    expect(canonValue('9223372036854775807', 20)).toBe(canonValue(9223372036854775807n, 20));
  });

  test('floats to 12 digits, NaN and infinities by name', () => {
    expect(canonValue('0.30000000000000004', 701)).toBe(canonValue(0.3, 701));
    expect(canonValue('NaN', 701)).toBe(canonValue('NaN', 701));
    expect(canonValue('-Infinity', 701)).toBe(canonValue(Number.NEGATIVE_INFINITY, 701));
    expect(canonValue('1e+15', 701)).toBe(canonValue(1e15, 701));
    expect(canonValue('1.1', 701)).not.toBe(canonValue(1.2, 701));
  });

  test("a real is its float4 value: PostgreSQL's shortest digits equal the widened JS number", () => {
    expect(canonValue('1004.3', 700)).toBe(canonValue(Math.fround(1004.3), 700));
    expect(canonValue('1.2345679e-20', 700)).toBe(canonValue(Math.fround(1.2345679e-20), 700));
    // A different float4 (one unit in the last place) is still a difference.
    const next = new Float32Array([1004.3]);
    new Uint32Array(next.buffer)[0]++;
    expect(canonValue('1004.3', 700)).not.toBe(canonValue(next[0], 700));
    // float8 keeps its own digits: 1004.3 is not the float4 value widened.
    expect(canonValue('1004.3', 701)).not.toBe(canonValue(Math.fround(1004.3), 701));
  });

  test('timestamps in ISO and PostgreSQL text agree; booleans; JSON key order', () => {
    expect(canonValue('2022-01-01 00:00:00+00', 1184)).toBe(canonValue('2022-01-01T00:00:00.000Z', 1184));
    expect(canonValue('2022-01-01 00:00:00.5', 1114)).toBe(canonValue('2022-01-01T00:00:00.500', 1114));
    expect(canonValue('t', 16)).toBe(canonValue(true, 16));
    expect(canonValue('{"b": 1, "a": 2}', 3802)).toBe(canonValue({ a: 2, b: 1 }, 3802));
  });

  test('verdicts', () => {
    expect(judge(rows([1], [2]), rows([2], [1]), [23], false).verdict).toBe('agree');
    expect(judge(rows([1], [2]), rows([2], [1]), [23], true).verdict).toBe('different');
    expect(judge(rows([1]), rows([1], [1]), [23], false).verdict).toBe('different');
    expect(judge(err('22012'), err('22012'), [], false).verdict).toBe('agree');
    expect(judge(err('22012'), err('22003'), [], false).verdict).toBe('error-mismatch');
    expect(judge(err('42883'), rows([1]), [23], false).verdict).toBe('error-mismatch');
    expect(judge(rows([1]), err('0A000', 422), [23], false).verdict).toBe('unsupported');
    expect(judge(rows([1]), err('XX000', 500), [23], false).verdict).toBe('server-error');
  });

  test('ORDER BY peers may come in any order; keys, rows and runs may not differ', () => {
    const pg = rows(['a', 1], ['a', 2], ['b', 3]);
    const peersSwapped = rows(['a', 2], ['a', 1], ['b', 3]);
    expect(judge(pg, peersSwapped, [25, 23], true, [0]).verdict).toBe('agree');
    expect(judge(pg, peersSwapped, [25, 23], true).verdict).toBe('different');
    // Across runs: a row moved to another key's run, or keys out of order.
    expect(judge(pg, rows(['a', 1], ['a', 3], ['b', 2]), [25, 23], true, [0]).verdict).toBe('different');
    expect(judge(pg, rows(['b', 3], ['a', 1], ['a', 2]), [25, 23], true, [0]).verdict).toBe('different');
    // Keys on both columns leave no peers.
    expect(judge(pg, peersSwapped, [25, 23], true, [0, 1]).verdict).toBe('different');
  });
});

describe('orderKeyColumns', () => {
  beforeAll(() => loadScanner());

  test('ordinals, output names and select-list expressions; anything else is unknown', () => {
    expect(orderKeyColumns('SELECT a, b AS x FROM t ORDER BY x, 1')).toEqual([1, 0]);
    expect(
      orderKeyColumns('SELECT a, rank() OVER w FROM t WINDOW w AS (ORDER BY a) ORDER BY rank() OVER w'),
    ).toEqual([1]);
    expect(orderKeyColumns('SELECT t.a FROM t ORDER BY a')).toEqual([0]);
    expect(orderKeyColumns('SELECT a FROM t ORDER BY b')).toBeUndefined();
    expect(orderKeyColumns('SELECT * FROM t ORDER BY a')).toBeUndefined();
    expect(orderKeyColumns('SELECT * FROM t ORDER BY 2')).toEqual([1]);
    expect(orderKeyColumns('SELECT a, b AS a FROM t ORDER BY a')).toBeUndefined();
    expect(orderKeyColumns('SELECT a FROM t')).toBeUndefined();
  });
});
