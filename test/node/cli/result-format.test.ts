/**
 * What `orochi sql --csv` and `orochi export --format csv` write reads back
 * through the ingest route's own CSV parser as the same values (NULL stays
 * NULL, '' stays '', quotes, commas and newlines survive), and the aligned
 * table looks like psql's.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandTag, csvLine, formatResult, valueText } from '../../../cli/result-format.ts';
import { parseCsv } from '../../../engine/distributed/record-formats.ts';

describe('CSV output', () => {
  it('round-trips through the ingest parser', () => {
    const value = fc.oneof(fc.string(), fc.constant(null), fc.stringMatching(/^[",\r\n a]{0,5}$/));
    fc.assert(
      fc.property(fc.array(fc.array(value, { minLength: 3, maxLength: 3 }), { maxLength: 10 }), (rows) => {
        const text = csvLine(['a', 'b', 'c']) + rows.map(csvLine).join('');
        const parsed = parseCsv(text);
        expect(parsed.rejected).toEqual([]);
        expect(parsed.records.map((r) => [r.values.a, r.values.b, r.values.c])).toEqual(rows);
      }),
    );
  });
});

describe('formatResult', () => {
  const result = {
    columns: [
      { name: 'id', type: 'bigint' },
      { name: 'name', type: 'text' },
      { name: 'ok', type: 'boolean' },
    ],
    rows: [
      [1, 'a', true],
      [22, null, false],
    ],
  };

  it('aligns like psql: centred header, numbers right, NULL empty, (n rows)', () => {
    expect(formatResult(result, 'table')).toBe(
      [' id | name | ok', '----+------+----', '  1 | a    | t', ' 22 |      | f', '(2 rows)'].join('\n'),
    );
  });

  it('prints JSON objects and CSV', () => {
    expect(JSON.parse(formatResult(result, 'json'))).toEqual([
      { id: 1, name: 'a', ok: true },
      { id: 22, name: null, ok: false },
    ]);
    expect(formatResult(result, 'csv')).toBe('id,name,ok\n1,a,t\n22,,f');
  });

  it('prints command tags for statements without rows', () => {
    expect(formatResult({ columns: [], rows: [], rowCount: 3, command: 'INSERT' }, 'table')).toBe(
      'INSERT 0 3',
    );
    expect(commandTag({ command: 'UPDATE', rowCount: 2 })).toBe('UPDATE 2');
    expect(commandTag({ command: 'CREATE TABLE', rowCount: 0 })).toBe('CREATE TABLE');
  });

  it('renders arrays as PostgreSQL array text', () => {
    expect(valueText([1, null, 'a b', ''])).toBe('{1,NULL,"a b",""}');
  });
});
