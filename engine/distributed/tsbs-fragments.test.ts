/**
 * The fast path's fragments for the TSBS query shapes keep the shard's own fast paths.
 * The SQL a shard receives is rendered from the coordinator's bound plan; a rendering
 * the shard's engine cannot see through (a column wrapped in a cast to another type, a
 * bound moved into an expression) still answers right but scans every chunk. So each
 * TSBS query type is planned as the data plane plans it, its fragment runs over
 * hypertable chunks cut into time slices (as `ShardEngine` holds them), and it must
 * scan no more slices than the user's own SQL run directly on the same segments —
 * and give the same rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CPU_FIELDS, cpuTableColumns, generateCpuOnly, TAG_COLUMNS } from '../../bench/tsbs/generate.ts';
import { generateQuery, QUERY_TYPES } from '../../bench/tsbs/queries.ts';
import { openChunkParts } from '../columnar/index.ts';
import type { Database } from '../database.ts';
import { initParser, parseSql } from '../sql/parser.ts';
import { encodedSegment } from '../storage/segment-store.ts';
import type { SegmentView } from '../storage/table-store.ts';
import { Prng } from '../testing/prng.ts';
import { columnIdOf, encodeRows } from './chunk-rows.ts';
import { engineOver, engineTableDef, runFragmentOnEngine } from './fragment-engine.ts';
import { fragmentSql } from './fragment-sql.ts';
import { mergePartials } from './partial-merge.ts';
import { planSelectNode } from './select-binding.ts';
import type { PlannedSelect } from './sql-select.ts';
import { classify } from './sql-statements.ts';
import type { DistTable } from './table-schema.ts';
import { timeSlices } from './time-slices.ts';

const HOSTS = 8;
const HOUR = 3600e6;
const NAMES = ['time', ...TAG_COLUMNS, ...CPU_FIELDS];
const table: DistTable = {
  id: 1,
  version: 1,
  name: 'cpu',
  nextColumnId: NAMES.length,
  shardCount: 1,
  placement: { kind: 'local' },
  hypertable: { timeColumnId: 0, chunkIntervalUs: 12 * HOUR },
  columns: NAMES.map((name, id) => ({
    id,
    name,
    type: id === 0 ? 'timestamptz' : id <= TAG_COLUMNS.length ? 'text' : 'float64',
    notNull: false,
  })),
};

/** Comparable rows (floats rounded: partial sums add in another order), sorted unless `ordered`. */
function rowsOf(rows: readonly (readonly unknown[])[], ordered: boolean): unknown[][] {
  const out = rows.map((r) =>
    r.map((v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : typeof v === 'bigint' ? Number(v) : v)),
  );
  return ordered ? out : out.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

describe('TSBS fragments keep the shard fast paths', () => {
  let shard: Database;
  let user: Database;
  const data = generateCpuOnly({ hosts: HOSTS, hours: 24 });
  const dom = { hosts: HOSTS, startMicros: data.startMicros, endMicros: data.endMicros };

  beforeAll(async () => {
    await initParser();
    const byName = cpuTableColumns(data);
    const segments: SegmentView[] = [];
    // Arrival order (time, then host), cut into the hypertable's 12-hour chunks; 1,024-row slices.
    for (let start = 0; start < data.rowCount; ) {
      const end0 = data.time[start] + 12 * HOUR;
      const rows: unknown[][] = [];
      let end = start;
      for (; end < data.rowCount && data.time[end] < end0; end++)
        rows.push(NAMES.map((n) => byName[n as keyof typeof byName][end]));
      for (const c of encodeRows(table.columns, rows)) {
        const reader = openChunkParts(c.header, (i) => c.columns[i], { cache: true });
        segments.push(...timeSlices(encodedSegment(reader, columnIdOf), 0, 1024));
      }
      start = end;
    }
    shard = await engineOver([{ def: engineTableDef(table), segments: () => segments }]);
    // The same segments under the user's column names: what the engine does with the query itself.
    const def = engineTableDef(table);
    user = await engineOver([
      {
        def: { ...def, columns: def.columns.map((c, i) => ({ ...c, name: NAMES[i] })) },
        segments: () => segments,
      },
    ]);
  });

  for (const type of QUERY_TYPES) {
    it(type, async () => {
      for (const seed of [1, 2]) {
        const q = generateQuery(type, new Prng(seed), dom);
        const cmd = classify(parseSql(q.pg)[0].stmt, []);
        if (cmd.kind !== 'select') throw new Error(`${type} is not a SELECT`);
        const planned: PlannedSelect | undefined = planSelectNode(cmd.stmt, table, []);
        expect(planned, `${type} takes the fast path`).toBeDefined();
        const f = planned!.fragment;
        const sql = fragmentSql(f);
        // Columns travel bare: a cast around one hides it from zone maps and time slices.
        expect(sql).not.toMatch(/CAST\(c\d+ AS|\bc\d+::/);

        const own = await user.query(q.pg, [], { raw: true });
        const { result, stats } = await runFragmentOnEngine(shard, f);
        expect(stats.chunksScanned, `${type} scans\n${sql}`).toBeLessThanOrEqual(own.stats.chunksScanned);
        if (own.stats.chunksSkipped > 0) expect(stats.chunksSkipped).toBeGreaterThan(0);
        expect(rowsOf(mergePartials(planned!, [result]).rows, q.ordered)).toEqual(
          rowsOf(own.rows, q.ordered),
        );
      }
    });
  }
});
