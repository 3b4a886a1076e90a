import { describe, expect, it } from 'vitest';
import { explainStatement, splitStatements } from './explain-statement.ts';
import { EXAMPLE } from './SqlWorkbench.tsx';

describe('splitStatements', () => {
  it('splits at semicolons outside strings, quoted names, comments and dollar quotes', () => {
    expect(
      splitStatements(`INSERT INTO t VALUES ('a;b', 'it''s;'); -- c;d
SELECT "x;y" FROM t /* ; */ WHERE a = $$;$$;
  ; SELECT 2`),
    ).toEqual([
      `INSERT INTO t VALUES ('a;b', 'it''s;')`,
      `SELECT "x;y" FROM t /* ; */ WHERE a = $$;$$`,
      'SELECT 2',
    ]);
  });

  it('drops statements that are only comments', () => {
    expect(splitStatements('-- just a note\n/* and another */')).toEqual([]);
  });
});

describe('explainStatement', () => {
  it('explains the last statement, without the comments before it', () => {
    expect(explainStatement(EXAMPLE, false)).toBe('EXPLAIN SELECT now() AS server_time');
    expect(explainStatement('CREATE TABLE t (a int);\nSELECT * FROM t WHERE a = 1;\n', true)).toBe(
      'EXPLAIN ANALYZE SELECT * FROM t WHERE a = 1',
    );
  });

  it('replaces an EXPLAIN already typed', () => {
    expect(explainStatement('explain analyze SELECT 1', false)).toBe('EXPLAIN SELECT 1');
    expect(explainStatement('EXPLAIN (ANALYZE true) SELECT 1', true)).toBe('EXPLAIN ANALYZE SELECT 1');
    expect(explainStatement('EXPLAIN SELECT 1', true)).toBe('EXPLAIN ANALYZE SELECT 1');
  });

  it('answers undefined when there is nothing to explain', () => {
    expect(explainStatement('  -- nothing\n', true)).toBeUndefined();
    expect(explainStatement('', false)).toBeUndefined();
  });
});
