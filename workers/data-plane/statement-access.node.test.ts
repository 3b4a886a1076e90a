/**
 * `statementAccess` over real parser output: a table of SQL → the role it
 * needs. The cases that matter most hide a write or a management call inside
 * something that looks like a read.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isSqlError } from '../../engine/errors.ts';
import { initParser, parseSql } from '../../engine/sql/parser.ts';
import { type Access, authorize, type DataPlaneRole, statementAccess } from './statement-access.ts';

beforeAll(() => initParser());

const CASES: [sql: string, role: DataPlaneRole][] = [
  // read
  ['SELECT 1', 'read'],
  ['SELECT * FROM metrics WHERE host = $1', 'read'],
  ['SELECT count(*), lower(host) FROM metrics GROUP BY 2', 'read'],
  ['WITH x AS (SELECT * FROM metrics) SELECT * FROM x', 'read'],
  ['SELECT * FROM a JOIN b USING (id) WHERE a.v IN (SELECT v FROM c)', 'read'],
  ['SELECT 1 UNION ALL SELECT 2', 'read'],
  ["SELECT show_shards('metrics')", 'read'],
  ["SELECT show_chunks('metrics')", 'read'],
  ["SELECT * FROM show_chunks('metrics')", 'read'],
  ['EXPLAIN SELECT * FROM metrics', 'read'],
  ['EXPLAIN ANALYZE SELECT * FROM metrics', 'read'],
  ['SHOW orochi.coordinator_row_limit', 'read'],
  ['SET orochi.coordinator_row_limit = 10', 'read'],
  ['RESET ALL', 'read'],
  ['BEGIN', 'read'],
  ['VALUES (1), (2)', 'read'],
  // write
  ['INSERT INTO metrics VALUES (1, 2)', 'write'],
  ['INSERT INTO metrics SELECT * FROM staging', 'write'],
  ['INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET v = 2', 'write'],
  ["UPDATE metrics SET v = 1 WHERE host = 'a'", 'write'],
  ['DELETE FROM metrics WHERE ts < now()', 'write'],
  ['MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE', 'write'],
  ['COPY metrics FROM STDIN', 'write'],
  ['COPY metrics TO STDOUT', 'write'],
  ['WITH gone AS (DELETE FROM metrics RETURNING *) SELECT count(*) FROM gone', 'write'],
  ['WITH x AS (INSERT INTO t VALUES (1) RETURNING id) SELECT * FROM x', 'write'],
  [
    'SELECT * FROM (SELECT 1) s WHERE EXISTS (WITH d AS (UPDATE t SET v = 1 RETURNING 1) SELECT 1 FROM d)',
    'write',
  ],
  ['EXPLAIN ANALYZE DELETE FROM metrics', 'write'],
  ['EXPLAIN DELETE FROM metrics', 'write'],
  ['SELECT * FROM metrics FOR UPDATE', 'write'],
  ["SELECT nextval('s')", 'write'],
  // admin: DDL
  ['CREATE TABLE t (id int)', 'admin'],
  ['CREATE TABLE IF NOT EXISTS t (id int, v text)', 'admin'],
  ['CREATE TABLE t2 AS SELECT * FROM t', 'admin'],
  ['SELECT * INTO t2 FROM t', 'admin'],
  ['DROP TABLE t', 'admin'],
  ['DROP TABLE IF EXISTS a, b', 'admin'],
  ['ALTER TABLE t ADD COLUMN x int', 'admin'],
  ["ALTER TABLE t SET (timescaledb.compress_segmentby = 'host')", 'admin'],
  ['CREATE INDEX i ON t (v)', 'admin'],
  ['DROP INDEX i', 'admin'],
  ['CREATE VIEW v AS SELECT 1', 'admin'],
  ['CREATE MATERIALIZED VIEW mv AS SELECT 1', 'admin'],
  ['CREATE SCHEMA s', 'admin'],
  ['CREATE SEQUENCE s', 'admin'],
  ['CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql', 'admin'],
  ['TRUNCATE metrics', 'admin'],
  ['GRANT SELECT ON t TO bob', 'admin'],
  ['VACUUM t', 'admin'],
  ['CALL p()', 'admin'],
  ['DO $$ BEGIN PERFORM 1; END $$', 'admin'],
  ['SET ROLE postgres', 'admin'],
  ['SET SESSION AUTHORIZATION postgres', 'admin'],
  ['LOCK TABLE t', 'admin'],
  ['COMMENT ON TABLE t IS $$x$$', 'admin'],
  ["COPY t FROM '/etc/passwd'", 'admin'],
  ['EXPLAIN ANALYZE CREATE TABLE t2 AS SELECT 1', 'admin'],
  ['PREPARE p AS DELETE FROM t', 'write'],
  ['EXECUTE p', 'admin'],
  // admin: management functions, wherever they are called
  ["SELECT create_distributed_table('t', 'id')", 'admin'],
  ["SELECT create_reference_table('t')", 'admin'],
  ["SELECT create_hypertable('t', 'ts')", 'admin'],
  ["SELECT drop_chunks('t', older_than => interval '1 day')", 'admin'],
  ["SELECT public.drop_chunks('t', interval '1 day')", 'admin'],
  ["SELECT add_retention_policy('t', interval '7 days')", 'admin'],
  ["SELECT remove_retention_policy('t')", 'admin'],
  ["SELECT add_tiering_policy('t', interval '7 days')", 'admin'],
  ["SELECT remove_tiering_policy('t')", 'admin'],
  ["SELECT tier_chunk('_chunk_t')", 'admin'],
  ["SELECT freeze_chunk('_chunk_t')", 'admin'],
  ["SELECT compact_table('t')", 'admin'],
  ["SELECT compress_chunk('_chunk_t')", 'admin'],
  ["SELECT * FROM (SELECT create_hypertable('t', 'ts')) s", 'admin'],
  ["SELECT 1 WHERE EXISTS (SELECT drop_chunks('t', interval '1 day'))", 'admin'],
  ["WITH x AS (SELECT create_distributed_table('t', 'id')) SELECT * FROM x", 'admin'],
  ["SELECT coalesce(NULL, drop_chunks('t', interval '1 day'))", 'admin'],
  ["INSERT INTO t SELECT drop_chunks('t', interval '1 day')", 'admin'],
  ["EXPLAIN SELECT drop_chunks('t', interval '1 day')", 'admin'],
  ["SELECT \"DROP_CHUNKS\"('t', interval '1 day')", 'admin'],
  ['SELECT pg_terminate_backend(1)', 'admin'],
];

describe('statementAccess', () => {
  it.each(CASES)('%s → %s', (sql, role) => {
    const [s] = parseSql(sql);
    expect(statementAccess(s.stmt).role).toBe(role);
  });

  it('names the statement kind and its tables, never parameter values', () => {
    const drop = statementAccess(parseSql('DROP TABLE IF EXISTS public.a, b')[0].stmt);
    expect(drop).toMatchObject({ kind: 'drop table', role: 'admin', tables: ['a', 'b'] });
    const mgmt = statementAccess(parseSql("SELECT drop_chunks('metrics', $1)")[0].stmt);
    expect(mgmt).toMatchObject({
      kind: 'select',
      role: 'admin',
      reason: 'drop_chunks()',
      tables: ['metrics'],
    });
    const param = statementAccess(parseSql('SELECT create_hypertable($1, $2)')[0].stmt);
    expect(param.tables).toEqual([]);
    const cte = statementAccess(parseSql('WITH g AS (DELETE FROM m RETURNING *) SELECT * FROM g')[0].stmt);
    expect(cte).toMatchObject({ kind: 'select', role: 'write', reason: 'DELETE' });
    expect(cte.tables).toContain('m');
  });

  it('fails closed on statement kinds it does not know', () => {
    expect(statementAccess({ SomeFutureStmt: {} }).role).toBe('admin');
    expect(statementAccess({ SelectStmt: { targetList: [{ Unheard: { AlterFooStmt: {} } }] } }).role).toBe(
      'admin',
    );
    expect(statementAccess({}).role).toBe('admin');
  });
});

describe('authorize', () => {
  const accesses = (sql: string): Access[] => parseSql(sql).map((s) => statementAccess(s.stmt));
  const refusal = (role: DataPlaneRole, sql: string) => {
    try {
      authorize(role, accesses(sql));
      return undefined;
    } catch (e) {
      if (!isSqlError(e)) throw e;
      return e;
    }
  };

  it('lets each role do what its rank allows, and no more', () => {
    const ranked: DataPlaneRole[] = ['read', 'write', 'admin'];
    for (const [sql, need] of CASES)
      for (const have of ranked) {
        const allowed = ranked.indexOf(have) >= ranked.indexOf(need);
        expect(refusal(have, sql) === undefined, `${have}: ${sql}`).toBe(allowed);
      }
  });

  it('refuses with 42501 naming the construct and the statement, for a later statement too', () => {
    const e = refusal('read', 'SELECT 1; DROP TABLE t');
    expect(e?.code).toBe('42501');
    expect(e?.message).toMatch(/DROP TABLE requires the admin role; this key or session has read/);
    expect(e?.message).toMatch(/statement 2 of 2; none ran/);
    expect(refusal('write', "SELECT 1; SELECT drop_chunks('t', interval '1 day')")?.message).toMatch(
      /drop_chunks\(\) requires the admin role/,
    );
  });
});
