/**
 * Every construct docs/http-api.md lists as refused is refused with 0A000 over
 * HTTP, names the construct (never a parser node), and changes nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ok, sql } from './data-plane-client.ts';

const REFUSED: [string, string][] = [
  ['SELECT * INTO unsup_copy FROM unsup', 'SELECT INTO'],
  ['SELECT * FROM unsup FOR UPDATE', 'FOR UPDATE'],
  ["INSERT INTO unsup VALUES (9, 'z') RETURNING id", 'RETURNING'],
  ['WITH d AS (DELETE FROM unsup RETURNING id) SELECT count(*) FROM d', 'WITH'],
  ['TRUNCATE unsup', 'TRUNCATE'],
  ["CREATE TABLE unsup_check (id int, v text CHECK (v <> ''))", 'CHECK'],
  ['ALTER TABLE unsup RENAME COLUMN v TO w', 'RENAME'],
  ['CREATE VIEW unsup_view AS SELECT id FROM unsup', 'CREATE VIEW'],
  ['CREATE INDEX unsup_idx ON unsup (id)', 'CREATE INDEX'],
  ['UPDATE unsup SET v = o.v FROM unsup o WHERE o.id = unsup.id', 'FROM'],
  ['DELETE FROM unsup USING unsup o WHERE o.id = unsup.id', 'USING'],
  ['BEGIN', 'transactions'],
];

describe('constructs the data plane refuses', () => {
  beforeAll(async () => {
    await ok('CREATE TABLE unsup (id int, v text)');
    await ok("INSERT INTO unsup VALUES (1, 'a'), (2, 'b')");
  });

  it.each(REFUSED)('%s → 0A000', async (q, construct) => {
    const r = await sql(q);
    expect(r.status, JSON.stringify(r.error)).toBe(422);
    expect(r.error?.code).toBe('0A000');
    expect(r.error?.message).toContain(construct);
    expect(r.error?.message).not.toMatch(/Stmt|Expr|AEXPR|float64|int64/);
    expect((await ok('SELECT id, v FROM unsup ORDER BY id')).rows).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
  });
});
