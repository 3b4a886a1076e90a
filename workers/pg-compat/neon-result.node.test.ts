/**
 * `neonResult`: Neon's `command` / `rowCount` split of PostgreSQL command tags,
 * row shapes in array and object mode, and the JSON values (no raw text output)
 * against Neon's rule applied to the PostgreSQL text of the same values.
 */
import pg from 'pg';
import { beforeAll, expect, test } from 'vitest';
import { coordinatorDatabase, coordinatorRows } from '../../engine/distributed/coordinator-engine.ts';
import { initParser } from '../../engine/sql/parser.ts';
import { coordinatorResult } from '../data-plane/coordinator-result.ts';
import { commandResult, type StatementResult } from '../data-plane/statement-result.ts';
import { neonResult } from './neon-result.ts';

beforeAll(() => initParser());

test('splits command tags as Neon does: counted tags keep their count, others answer null', () => {
  const cases: [StatementResult, string, number | null][] = [
    [commandResult('INSERT', 3), 'INSERT', 3],
    [commandResult('UPDATE', 0), 'UPDATE', 0],
    [commandResult('DELETE', 2), 'DELETE', 2],
    [commandResult('CREATE TABLE'), 'CREATE', null],
    [commandResult('ALTER TABLE'), 'ALTER', null],
    [commandResult('DROP TABLE'), 'DROP', null],
    [commandResult('SET'), 'SET', null],
    [{ columns: [{ name: 'a', type: 'integer' }], rows: [[1], [2]], rowCount: 2 }, 'SELECT', 2],
  ];
  for (const [r, command, rowCount] of cases) {
    const n = neonResult(r, { arrayMode: false, rawText: true });
    expect([n.command, n.rowCount]).toEqual([command, rowCount]);
  }
});

test('rows are arrays or objects (a repeated name keeps its last value), text or JSON values', () => {
  const r: StatementResult = {
    columns: [
      { name: 'a', type: 'integer' },
      { name: 'a', type: 'boolean' },
      { name: 'b', type: 'bigint' },
      { name: 'j', type: 'jsonb' },
      { name: 'f', type: 'double precision' },
      { name: 'xs', type: 'integer[]' },
    ],
    rows: [[1, true, 2, { k: [1] }, 'NaN', [1, null]]],
    rowCount: 1,
  };
  expect(neonResult(r, { arrayMode: true, rawText: true }).rows).toEqual([
    ['1', 't', '2', '{"k":[1]}', 'NaN', '{1,NULL}'],
  ]);
  expect(neonResult(r, { arrayMode: true, rawText: false }).rows).toEqual([
    [1, true, '2', { k: [1] }, 'NaN', [1, null]],
  ]);
  const named = neonResult(r, { arrayMode: false, rawText: false });
  expect(named.rows).toEqual([{ a: true, b: '2', j: { k: [1] }, f: 'NaN', xs: [1, null] }]);
  expect(named.fields.map((f) => f.dataTypeID)).toEqual([23, 16, 20, 3802, 701, 1007]);
});

/** Array type OIDs → element OIDs of the types results carry. */
const ELEMENT: Record<number, number> = {
  1000: 16,
  1005: 21,
  1007: 23,
  1016: 20,
  1021: 700,
  1022: 701,
  1231: 1700,
  1009: 25,
  1185: 1184,
  1182: 1082,
};

/** node-postgres's parser of `text[]` (OID 1009): elements as text, NULL as null. */
const textArray = (pg.types.getTypeParser as (oid: number) => (text: string) => (string | null)[])(1009);

/** Neon's conversion of PostgreSQL text to JSON, written from its rules, for the check below. */
function neonFromText(text: string | null, oid: number): unknown {
  if (text === null) return null;
  const elem = ELEMENT[oid];
  if (elem !== undefined) return textArray(text).map((x) => neonFromText(x, elem));
  if (oid === 16) return text === 't';
  if (oid === 21 || oid === 23) return Number(text);
  if (oid === 700 || oid === 701) return Number.isFinite(Number(text)) ? Number(text) : text;
  if (oid === 114 || oid === 3802) return JSON.parse(text);
  return text;
}

test("JSON values equal Neon's rule applied to the PostgreSQL text of the same values", async () => {
  const exprs = [
    'true',
    'false',
    '7::smallint',
    '(-2147483648)::integer',
    '9223372036854775807::bigint',
    '1.5::real',
    "'-Infinity'::double precision",
    "'NaN'::double precision",
    '1e300::double precision',
    '12.50::numeric',
    "'x'::text",
    "'2024-02-29'::date",
    "'2024-02-29 12:34:56.5+00'::timestamptz",
    '\'{"a": [1, 2.5]}\'::jsonb',
    'ARRAY[1, NULL, 3]',
    'ARRAY[true, false]',
    "ARRAY['a b', NULL, '']",
    "ARRAY[1.5, 'NaN']::double precision[]",
    'ARRAY[9223372036854775807]::bigint[]',
    "ARRAY['2020-01-02 03:04:05+00']::timestamptz[]",
    'NULL::integer',
  ];
  const db = await coordinatorDatabase([]);
  const sql = `SELECT ${exprs.map((e, i) => `${e} AS c${i}`).join(', ')}`;
  const result = coordinatorResult(coordinatorRows(await db.query(sql)));
  const text = neonResult(result, { arrayMode: true, rawText: true });
  const json = neonResult(result, { arrayMode: true, rawText: false });
  const got = json.rows[0] as unknown[];
  const mismatches = exprs.flatMap((e, i) => {
    const want = neonFromText((text.rows[0] as (string | null)[])[i], text.fields[i].dataTypeID);
    return JSON.stringify(got[i]) === JSON.stringify(want)
      ? []
      : [`${e}: ${JSON.stringify(got[i])} vs ${JSON.stringify(want)}`];
  });
  expect(mismatches).toEqual([]);
  expect(got.slice(0, 4)).toEqual([true, false, 7, -2147483648]);
});
