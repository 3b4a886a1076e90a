/**
 * information_schema views against PostgreSQL (PGlite) on the same schema:
 * same tables, columns, order, nullability and type spellings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diff, makePair, type Pair } from './differential-harness.ts';

const SETUP = `
CREATE TABLE metrics (ts timestamptz NOT NULL, host text, usage double precision, n bigint, ok boolean);
CREATE TABLE accounts (id integer PRIMARY KEY, name varchar(40) NOT NULL, balance numeric(12,2), rate real,
  born date, seen timestamp, small smallint, raw bytea, key uuid, wait interval, price numeric);
CREATE TABLE "Mixed Case" (a int);
CREATE TABLE gone (x int);
ALTER TABLE metrics ADD COLUMN extra integer;
DROP TABLE gone;
CREATE VIEW busy (h, doubled) AS SELECT host, usage * 2, n FROM metrics WHERE ok;
`;

const QUERIES = [
  `SELECT table_schema, table_name, table_type FROM information_schema.tables
   WHERE table_schema = 'public' ORDER BY table_name`,
  `SELECT table_name, column_name, ordinal_position, is_nullable, data_type, character_maximum_length,
     numeric_precision, numeric_scale
   FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
  // What the dashboard asks for its table list and editor completion.
  `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
   WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
  `SELECT t.table_name, count(c.column_name) AS cols FROM information_schema.tables t
   JOIN information_schema.columns c ON c.table_name = t.table_name AND c.table_schema = t.table_schema
   WHERE t.table_schema = 'public' GROUP BY t.table_name ORDER BY cols DESC, t.table_name`,
  `SELECT column_name FROM information_schema.columns WHERE table_name = 'metrics' AND data_type LIKE 'timestamp%'`,
  `SELECT count(*) FROM information_schema.schemata WHERE schema_name IN ('public', 'information_schema')`,
  `SELECT table_schema, table_name, check_option FROM information_schema.views WHERE table_schema = 'public'`,
  `SELECT * FROM information_schema.no_such_view`,
];

describe('information_schema vs PostgreSQL', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair(SETUP);
  }, 60_000);
  afterAll(async () => pair?.pg.close());

  it.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });

  it('renumbers ordinal_position after DROP COLUMN (PostgreSQL would leave a gap)', async () => {
    await pair.engine.exec('CREATE TABLE dropped (a int, b int, c int); ALTER TABLE dropped DROP COLUMN b');
    const r = await pair.engine.query(
      `SELECT column_name, ordinal_position FROM information_schema.columns WHERE table_name = 'dropped' ORDER BY 2`,
    );
    expect(r.rows).toEqual([
      ['a', 1],
      ['c', 2],
    ]);
  });

  it('sees tables created after the first look', async () => {
    const before = await pair.engine.query(`SELECT count(*) FROM information_schema.tables`);
    await pair.engine.exec('CREATE TABLE later (y text)');
    const after = await pair.engine.query(`SELECT count(*) FROM information_schema.tables`);
    expect(Number(after.rows[0][0])).toBe(Number(before.rows[0][0]) + 1);
  });
});
