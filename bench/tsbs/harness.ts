/**
 * @module bench/tsbs/harness
 * Timing and reporting for the TSBS benchmark: run a query once to warm up,
 * then `runs` times (a fresh parameter instance per run, identical across
 * systems), take the median; aggregate ratios with a geometric mean; render an
 * aligned text table that also works as Markdown.
 */

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Geometric mean of positive numbers (NaN for an empty list). */
export function geomean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  return Math.exp(xs.reduce((acc, x) => acc + Math.log(x), 0) / xs.length);
}

/** Outcome of timing one query type on one system. */
export type Timing =
  | { readonly ms: number; readonly rows: number; readonly runs: number }
  | { readonly error: string };

/** How many timed runs: at least `min`, more (up to `max`) while the total stays under `budgetMs`. */
export interface RunPolicy {
  readonly min: number;
  readonly max: number;
  readonly budgetMs: number;
}

/**
 * Times `run(i)` for instances 1, 2, … after a warm-up on instance 0; returns the
 * median wall time in ms, the run count and the row count of the first timed run.
 * Fast queries get extra runs (within the budget) because on a shared machine
 * their medians are the noisiest.
 */
export async function timeQuery(
  run: (instance: number) => Promise<number> | number,
  policy: RunPolicy,
): Promise<Timing> {
  try {
    await run(0);
    const times: number[] = [];
    let rows = -1;
    let total = 0;
    for (let i = 1; i <= policy.max && (i <= policy.min || total < policy.budgetMs); i++) {
      const t0 = performance.now();
      const n = await run(i);
      const dt = performance.now() - t0;
      times.push(dt);
      total += dt;
      if (rows < 0) rows = n;
    }
    return { ms: median(times), rows, runs: times.length };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return { error: `${err.code ? `${err.code} ` : ''}${String(err.message ?? e).split('\n')[0]}` };
  }
}

/**
 * Re-runs this script in a child Node with a larger V8 heap when the current
 * limit is below `mb` (the full-scale TSBS dataset needs several GB of JS heap).
 * Returns true in the parent, which should then exit with the child's status.
 */
export async function relaunchWithHeap(mb: number): Promise<boolean> {
  const v8 = await import('node:v8');
  if (v8.getHeapStatistics().heap_size_limit >= mb * 1024 * 1024 * 0.9 || process.env.TSBS_RELAUNCHED)
    return false;
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(
    process.execPath,
    [...process.execArgv, `--max-old-space-size=${mb}`, ...process.argv.slice(1)],
    {
      stdio: 'inherit',
      env: { ...process.env, TSBS_RELAUNCHED: '1' },
    },
  );
  process.exitCode = r.status ?? 1;
  return true;
}

/** Renders rows as a Markdown table with right-aligned numeric columns. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  // Biome's Markdown formatter style, so a pasted table needs no reformatting.
  const rule = `|${widths.map((w, i) => (i === 0 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Formats a number with `digits` significant-ish decimals, or '-' when missing. */
export function fmt(x: number | undefined, digits = 2): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  return x >= 100 ? x.toFixed(0) : x.toFixed(digits);
}
