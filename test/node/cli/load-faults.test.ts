/**
 * `orochi load` against a simulated ingest route with injected faults: the
 * route fails before applying (503, 409 40001), or applies and the answer is
 * lost (a network error), in any order; and the load is killed part-way and
 * run again. Invariant: every valid row is applied exactly once, every bad
 * row is reported rejected at its input line, and the totals are the
 * server's. The simulated route keeps Idempotency-Keys as the real one does
 * (workers/data-plane/idempotency.ts): a key seen before answers its first
 * outcome with `duplicate: true`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError, type IngestResponse } from '../../../cli/api.ts';
import { type IngestApi, load } from '../../../cli/load.ts';
import { parseCsv } from '../../../engine/distributed/record-formats.ts';

type Fault = 'ok' | 'fail-before' | 'lost-answer' | 'conflict' | 'crash';

/** The route's state: what each key answered, and how often each id was applied. */
class SimulatedRoute {
  readonly outcomes = new Map<string, { body: string; res: IngestResponse }>();
  readonly applied = new Map<string, number>();

  client(faults: Fault[]): IngestApi {
    let call = 0;
    return {
      config: { url: 'http://sim', apiKey: 'k', database: 'db' },
      ingest: async (_table, _type, bytes, key) => {
        const fault = faults[call++] ?? 'ok';
        if (fault === 'crash') throw new Error('crash'); // not retryable: the load stops, as if killed
        if (fault === 'fail-before') throw new ApiError(503, '503', 'unavailable');
        if (fault === 'conflict') throw new ApiError(409, '40001', 'could not serialize access');
        const body = new TextDecoder().decode(bytes);
        let res: IngestResponse;
        const seen = this.outcomes.get(key);
        if (seen) {
          expect(seen.body).toBe(body); // a key is never reused for another body
          res = { ...seen.res, duplicate: true };
        } else {
          const parsed = parseCsv(body);
          for (const r of parsed.records) {
            const id = String(r.values.id);
            this.applied.set(id, (this.applied.get(id) ?? 0) + 1);
          }
          res = {
            accepted: parsed.records.length,
            rejected: parsed.rejected.length,
            errors: parsed.rejected,
            duplicate: false,
          };
          this.outcomes.set(key, { body, res });
        }
        if (fault === 'lost-answer') throw new ApiError(0, '08006', 'connection reset');
        return res;
      },
    };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'orochi-load-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A CSV of `n` rows where the ids in `bad` have a missing field; returns its path and the bad rows' lines. */
function writeInput(name: string, n: number, bad: Set<number>) {
  let text = 'id,host,v\n';
  for (let i = 1; i <= n; i++) text += bad.has(i) ? `${i},broken\n` : `${i},"h,${i}",${i / 2}\n`;
  const path = join(dir, name);
  writeFileSync(path, text);
  return { path, badLines: [...bad].sort((a, b) => a - b).map((i) => i + 1) };
}

const opts = { table: 't', format: 'csv' as const, batchBytes: 1 << 20, attempts: 50, retryDelayMs: 0 };
const quiet = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;

describe('load under injected faults', () => {
  it('applies every valid row once and reports every bad row, whatever fails', async () => {
    const fault = fc.constantFrom<Fault>('ok', 'fail-before', 'lost-answer', 'conflict');
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 25 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fault, { maxLength: 40 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 120 }), { maxLength: 8 }),
        async (n, batchRows, concurrency, faults, badIds) => {
          const bad = new Set(badIds.filter((i) => i <= n));
          const { path, badLines } = writeInput('in.csv', n, bad);
          const route = new SimulatedRoute();
          const s = await load(route.client(faults), path, { ...opts, batchRows, concurrency }, quiet);
          for (let i = 1; i <= n; i++) expect(route.applied.get(String(i)) ?? 0).toBe(bad.has(i) ? 0 : 1);
          expect(s.accepted).toBe(n - bad.size);
          expect(s.rejected).toBe(bad.size);
          expect(s.errors.map((e) => e.line).sort((a, b) => a - b)).toEqual(badLines.slice(0, 10));
          expect(s.batches).toBe(Math.ceil(n / batchRows));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a load that dies part-way and is run again applies each row once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 10, max: 200 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 1, max: 3 }),
        async (n, batchRows, crashAt, concurrency) => {
          const { path } = writeInput('resume.csv', n, new Set());
          const route = new SimulatedRoute();
          const faults: Fault[] = [...Array(crashAt).fill('ok'), 'crash'];
          const first = load(route.client(faults), path, { ...opts, batchRows, concurrency }, quiet);
          const batches = Math.ceil(n / batchRows);
          if (crashAt < batches) await expect(first).rejects.toThrow('crash');
          else await first;
          const appliedBefore = route.outcomes.size;
          const s = await load(route.client([]), path, { ...opts, batchRows, concurrency }, quiet);
          for (let i = 1; i <= n; i++) expect(route.applied.get(String(i))).toBe(1);
          expect(s.accepted).toBe(n);
          expect(s.duplicateBatches).toBe(appliedBefore);
        },
      ),
      { numRuns: 100 },
    );
  });
});
