/**
 * The seeded random query generator over HTTP against the distributed data
 * plane: the generator's two tables hash-distributed over 8 shards, as
 * hypertables partitioned over 8 shards, and as reference tables — each loaded
 * with the same rows as PostgreSQL's copies (t1 compacted into columnar chunks)
 * and sent the same steps (queries, and UPDATE/DELETE followed by a comparison
 * of the whole table). PostgreSQL's answers were recorded by the globalSetup
 * in Node (random-queries-oracle.ts) and are replayed in order here.
 *
 * A failure names the seed, layout, step index and SQL. Replay it offline with
 * `RQG_SEED=<seed> RQG_HTTP_TOTAL=<3 × (index + 1)> RQG_HTTP_STEPS=<index + 1> npm run bench:random-http`
 * (steps depend on the DML before them), or run more here with
 * `RQG_HTTP_WORKERD_STEPS=200 RQG_SEED=7 npx vitest run -c vitest.workerd.config.ts test/workerd/random-queries-http.test.ts`.
 */
import { describe, expect, inject, it } from 'vitest';
import { parsePlaneJson } from '../../engine/distributed/row-json.ts';
import {
  httpTarget,
  type RecordedCall,
  replayOracle,
  type SqlBody,
} from '../../engine/testing/random-queries/http-target.ts';
import { layoutDataset, layoutStatements, RQG_LAYOUTS } from '../../engine/testing/random-queries/layouts.ts';
import { formatReport, runRandomQueries } from '../../engine/testing/random-queries/runner.ts';
import { sql } from './data-plane-client.ts';

const { plan, logs } = parsePlaneJson<{
  plan: { seed: number; steps: number; dmlRate: number };
  logs: Record<string, RecordedCall[]>;
}>(inject('rqgOracle'));

const target = httpTarget(async (text) => {
  const r = await sql(text);
  return { status: r.status, body: r as unknown as SqlBody };
});

describe('random queries over HTTP vs PostgreSQL', () => {
  it.each(RQG_LAYOUTS)(
    `%s: ${plan.steps} steps, seed ${plan.seed}`,
    async (layout) => {
      const dataset = layoutDataset(plan.seed, layout);
      for (const stmt of layoutStatements(dataset, layout)) {
        const r = await sql(stmt);
        expect(r.error, stmt).toBeUndefined();
      }
      const report = await runRandomQueries({
        seed: plan.seed,
        count: plan.steps,
        oracle: replayOracle(logs[layout]),
        target,
        dataset,
        dmlRate: plan.dmlRate,
        shrinkBudget: 0,
        resetOnDivergence: false,
      });
      console.log(`${layout}: ${formatReport(report)}`);
      expect(
        report.failures.map(
          (f) => `${layout} seed=${f.seed} index=${f.index} (${f.category}): ${f.message}\n  ${f.sql}`,
        ),
      ).toEqual([]);
      // Most steps must be answered and compared, not refused.
      expect(report.passed).toBeGreaterThanOrEqual(plan.steps * 0.7);
      expect(report.dml).toBeGreaterThan(0);
    },
    240_000,
  );
});
