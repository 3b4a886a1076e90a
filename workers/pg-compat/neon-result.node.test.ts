/**
 * `neonResult`: Neon's `command` / `rowCount` split of PostgreSQL command tags,
 * row shapes in array and object mode, and raw text against JSON values.
 */
import { expect, test } from 'vitest';
import { commandResult, type StatementResult } from '../data-plane/statement-result.ts';
import { neonResult } from './neon-result.ts';

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
