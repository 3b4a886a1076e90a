/**
 * Arrays leaving the data plane: an engine answer with array columns (what the
 * coordinator path returns for array_agg, ARRAY[…], string_to_array) becomes
 * JSON arrays with PostgreSQL type names, and survives JSON.stringify.
 */
import { expect, test } from 'vitest';
import { Database } from '../../engine/database.ts';
import { coordinatorRows } from '../../engine/distributed/coordinator-engine.ts';
import { coordinatorResult } from './coordinator-result.ts';

test('array columns become JSON arrays typed <element>[]', async () => {
  const db = await Database.create();
  const r = await db.query(
    "SELECT ARRAY[1::bigint, NULL, 3], ARRAY['a b', NULL], ARRAY['NaN'::float8], ARRAY['\\x01ff'::bytea], '{2020-01-02}'::date[], ARRAY[]::int[]",
  );
  const out = coordinatorResult(coordinatorRows(r));
  expect(out.columns.map((c) => c.type)).toEqual([
    'bigint[]',
    'text[]',
    'double precision[]',
    'bytea[]',
    'date[]',
    'integer[]',
  ]);
  expect(JSON.parse(JSON.stringify(out.rows))).toEqual([
    [[1, null, 3], ['a b', null], ['NaN'], ['\\x01ff'], ['2020-01-02'], []],
  ]);
});
