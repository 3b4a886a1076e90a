/**
 * Differential test of the 15 TSBS cpu-only query types: PGlite (real
 * PostgreSQL) is the oracle; DuckDB, SQLite and the engine must return the same
 * rows (floats within 1e-9 relative; multisets where ORDER BY is not total).
 * Small scale (20 hosts × 12 h = 86,400 rows: two engine chunks, so zone-map pruning
 * and chunk boundaries are crossed) so it stays in `npm test`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCpuOnly } from '../../bench/tsbs/generate.ts';
import { DuckdbPeer } from '../../bench/tsbs/peers/duckdb.ts';
import { EnginePeer } from '../../bench/tsbs/peers/engine.ts';
import { PglitePeer } from '../../bench/tsbs/peers/pglite.ts';
import { SqlitePeer } from '../../bench/tsbs/peers/sqlite.ts';
import { generateQuery, QUERY_TYPES, type TsbsQuery } from '../../bench/tsbs/queries.ts';
import { Prng } from '../../engine/testing/prng.ts';
import { diffResults } from '../../engine/testing/result-compare.ts';

const data = generateCpuOnly({ hosts: 20, hours: 12, seed: 7 });
const domain = { hosts: 20, startMicros: data.startMicros, endMicros: data.endMicros };
const INSTANCES = 3;
const rng = new Prng(42);
const queriesByType = QUERY_TYPES.map(
  (type) => [type, Array.from({ length: INSTANCES }, () => generateQuery(type, rng, domain))] as const,
);

let pg: PglitePeer;
let duck: DuckdbPeer;
let lite: SqlitePeer;
/** The engine over both stores (compressed chunks, the production path, and decoded vectors), and clustered by hostname. */
const engines: EnginePeer[] = [];
let engineWhyNot = '';

beforeAll(async () => {
  pg = await PglitePeer.create();
  await pg.loadCpu(data);
  duck = await DuckdbPeer.create(1);
  await duck.loadCpu(data);
  lite = new SqlitePeer();
  lite.loadCpu(data);
  const variants = [
    ['encoded', 'none'],
    ['decoded', 'none'],
    ['encoded', 'segmentby'],
  ] as const;
  for (const [storage, layout] of variants) {
    const e = await EnginePeer.create(storage, layout);
    if (typeof e === 'string') engineWhyNot = e;
    else {
      await e.loadCpu(data);
      engines.push(e);
    }
  }
});

afterAll(async () => {
  await Promise.all([pg?.close(), duck?.close(), lite?.close(), ...engines.map((e) => e.close())]);
});

describe('TSBS cpu-only queries agree with PostgreSQL', () => {
  it('loads the same row count everywhere', async () => {
    const count = 'SELECT count(*) AS n FROM cpu';
    expect((await pg.query(count)).rows[0][0]).toBe(BigInt(data.rowCount));
    expect((await duck.query(count)).rows[0][0]).toBe(BigInt(data.rowCount));
    expect((await lite.query(count)).rows[0][0]).toBe(data.rowCount);
  });

  it.each(queriesByType)('%s', async (_type, queries: readonly TsbsQuery[]) => {
    let oracleRows = 0;
    for (const q of queries) {
      const oracle = await pg.query(q.pg);
      oracleRows += oracle.rows.length;
      // date_trunc and time_bucket buckets coincide for minutes and hours.
      expect(diffResults(oracle.rows, (await pg.query(q.pgDateTrunc)).rows, q.ordered)).toBe(undefined);
      const duckRows = (await duck.query(q.duckdb)).rows;
      expect(diffResults(oracle.rows, duckRows, q.ordered), `duckdb\n${q.duckdb}`).toBe(undefined);
      const liteRows = (await lite.query(q.sqlite)).rows;
      expect(diffResults(oracle.rows, liteRows, q.ordered), `sqlite\n${q.sqlite}`).toBe(undefined);
      for (const engine of engines) {
        const engineRows = (await engine.query(q.pg)).rows;
        expect(diffResults(oracle.rows, engineRows, q.ordered), `${engine.name}\n${q.pg}`).toBe(undefined);
        const truncRows = (await engine.query(q.pgDateTrunc)).rows;
        expect(diffResults(oracle.rows, truncRows, q.ordered), `${engine.name}\n${q.pgDateTrunc}`).toBe(
          undefined,
        );
      }
    }
    // Guard against vacuous agreement: every query type returns rows at this scale.
    expect(oracleRows).toBeGreaterThan(0);
  });

  it('runs the engine (or says why not)', () => {
    if (engines.length === 0) console.warn(`TSBS differential: engine not compared: ${engineWhyNot}`);
    expect(engines.length === 3 || engineWhyNot.length > 0).toBe(true);
  });
});
