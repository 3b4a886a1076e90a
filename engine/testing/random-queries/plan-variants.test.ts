/** `planGivingAnswer`: accepts only rows the oracle itself gives under some planner switches, and resets them. */
import { describe, expect, it } from 'vitest';
import type { Cell } from '../result-compare.ts';
import { planGivingAnswer } from './plan-variants.ts';

/** A fake PostgreSQL whose float sum depends on whether hash joins are on (summation order). */
function fakePg(acceptsSet = true) {
  const off = new Set<string>();
  const log: string[] = [];
  return {
    log,
    off,
    async query(sql: string): Promise<{ rows: Cell[][] }> {
      log.push(sql);
      if (sql === 'RESET ALL') {
        off.clear();
        return { rows: [] };
      }
      const m = /^SET (\w+) = off$/.exec(sql);
      if (m) {
        if (!acceptsSet) throw Object.assign(new Error('SET is not supported'), { code: '0A000' });
        off.add(m[1]);
        return { rows: [] };
      }
      return { rows: [[off.has('enable_hashjoin') ? -0.2 : 0.2]] };
    },
  };
}

describe('planGivingAnswer', () => {
  it('finds the switches under which PostgreSQL gives the other answer, then resets them', async () => {
    const pg = fakePg();
    expect(await planGivingAnswer(pg, 'SELECT avg(d) FROM a JOIN b USING (k)', [[-0.2]], true)).toBe(
      'enable_hashjoin=off',
    );
    expect(pg.off.size).toBe(0);
    expect(pg.log.at(-1)).toBe('RESET ALL');
  });

  it('refuses rows PostgreSQL gives under no plan', async () => {
    const pg = fakePg();
    expect(await planGivingAnswer(pg, 'SELECT 1', [[0.3]], true)).toBeUndefined();
    expect(pg.off.size).toBe(0);
  });

  it('refuses when the oracle has no planner switches', async () => {
    expect(await planGivingAnswer(fakePg(false), 'SELECT 1', [[-0.2]], true)).toBeUndefined();
  });
});
