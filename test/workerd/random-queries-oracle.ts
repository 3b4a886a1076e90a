/**
 * PostgreSQL's side of test/workerd/random-queries-http.test.ts, computed in
 * Node by the workerd globalSetup: PGlite cannot start inside workerd (its
 * filesystem bundle and wasm are loaded at run time from node_modules, which
 * workerd neither reads nor compiles), so every layout's steps are run here
 * against PGlite and its answers recorded, in order, for the test to replay.
 * The recording is deterministic: the test regenerates the same steps from the
 * same seed and checks each statement against the recorded one.
 */

import { PglitePeer } from '../../bench/tsbs/peers/pglite.ts';
import { planeJson } from '../../engine/distributed/row-json.ts';
import { recordingOracle } from '../../engine/testing/random-queries/http-target.ts';
import { layoutDataset, RQG_LAYOUTS } from '../../engine/testing/random-queries/layouts.ts';
import { type QueryTarget, runRandomQueries } from '../../engine/testing/random-queries/runner.ts';

/** What the workerd suite runs: seed, steps per layout, DML share (RQG_HTTP_* override). */
export interface RqgHttpPlan {
  readonly seed: number;
  readonly steps: number;
  readonly dmlRate: number;
}

/** The plan for this run: RQG_SEED, RQG_HTTP_WORKERD_STEPS, RQG_DML_RATE. */
export function rqgHttpPlan(): RqgHttpPlan {
  return {
    seed: Number(process.env.RQG_SEED ?? 1),
    steps: Number(process.env.RQG_HTTP_WORKERD_STEPS ?? 100),
    dmlRate: Number(process.env.RQG_DML_RATE ?? 0.1),
  };
}

/** Runs every layout's steps against PGlite; returns plan + recorded calls as tagged JSON (bigints, NaN). */
export async function recordRandomQueries(plan: RqgHttpPlan = rqgHttpPlan()): Promise<string> {
  const logs: Record<string, unknown> = {};
  for (const layout of RQG_LAYOUTS) {
    const dataset = layoutDataset(plan.seed, layout);
    const pg = await PglitePeer.create();
    try {
      for (const sql of dataset.statements) await pg.exec(sql);
      const direct: QueryTarget = {
        query: (s) => pg.query(s),
        modify: async (s) => (await pg.db.query(s)).affectedRows ?? 0,
      };
      const rec = recordingOracle(direct);
      await runRandomQueries({
        seed: plan.seed,
        count: plan.steps,
        oracle: rec.oracle,
        target: rec.echo,
        dataset,
        dmlRate: plan.dmlRate,
        shrinkBudget: 0,
        resetOnDivergence: false,
      });
      logs[layout] = rec.log;
    } finally {
      await pg.close();
    }
  }
  return planeJson({ plan, logs });
}
