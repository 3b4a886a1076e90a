/**
 * @module cli/load
 * `orochi load <file|-> --table t`: streams the input in batches cut at
 * record boundaries, sends each to the bulk-ingest route under its own
 * Idempotency-Key (batch-key.ts) with a few in flight, retries what is worth
 * retrying under the same key, and ends with the server's accepted and
 * rejected counts. Re-running the same command after an interruption sends
 * the same keys, so batches already applied are answered as duplicates and
 * every row is loaded once.
 */
import { ApiError, type OrochiApi } from './api.ts';
import { batchKey } from './batch-key.ts';
import { type LoadFormat, openLoadInput } from './load-input.ts';
import { parquetBatches, parquetRowCount } from './parquet-batches.ts';
import { loadProgress, rowsPerSecond } from './progress.ts';
import { type Batch, CONTENT_TYPES, textBatches } from './text-batches.ts';

export interface LoadOptions {
  readonly table: string;
  readonly format?: LoadFormat;
  readonly batchRows: number;
  readonly batchBytes: number;
  readonly concurrency: number;
  /** A label that makes a second load of the same data new rows (see batch-key.ts). */
  readonly run?: string;
  /** Line protocol timestamp precision. */
  readonly precision?: string;
  /** Attempts per batch for retryable failures. */
  readonly attempts?: number;
  /** First retry pause in ms (doubled per attempt, at most 8 s); tests shorten it. */
  readonly retryDelayMs?: number;
}

/** The totals a load ends with, from the server's answers. */
export interface LoadSummary {
  batches: number;
  /** Batches the server had already applied under their key (a resumed load). */
  duplicateBatches: number;
  accepted: number;
  rejected: number;
  /** The first rejections, with input line numbers. */
  errors: { line: number; reason: string }[];
  seconds: number;
}

const MAX_REPORTED = 10;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** What a load needs of the API client (a seam for fault-injection tests). */
export type IngestApi = Pick<OrochiApi, 'config' | 'ingest'>;

/** Sends one batch, retrying the network, 5xx and 40001/40003 under the same key. */
async function sendBatch(
  api: IngestApi,
  table: string,
  contentType: string,
  batch: Batch,
  key: string,
  attempts: number,
  query: Record<string, string>,
  delayMs: number,
) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await api.ingest(table, contentType, batch.body, key, query);
    } catch (e) {
      if (!(e instanceof ApiError) || !e.retryable || attempt >= attempts) throw e;
      await sleep(Math.min(8000, delayMs * 2 ** attempt));
    }
  }
}

/** Runs a whole load; throws the first batch error that is not a row rejection (nothing after it is sent). */
export async function load(
  api: IngestApi,
  path: string,
  opts: LoadOptions,
  progressStream: NodeJS.WriteStream = process.stderr,
): Promise<LoadSummary> {
  const input = await openLoadInput(path, opts.format);
  const format = input.format;
  const contentType = CONTENT_TYPES[format];
  const query: Record<string, string> = opts.precision ? { precision: opts.precision } : {};
  const parquetTotal = format === 'parquet' ? await parquetRowCount(path) : undefined;
  const batches =
    format === 'parquet'
      ? parquetBatches(path, opts.batchRows)
      : textBatches(input.chunks, format, { rows: opts.batchRows, bytes: opts.batchBytes });
  const progress = loadProgress(parquetTotal ?? input.totalBytes, progressStream);
  const summary: LoadSummary = {
    batches: 0,
    duplicateBatches: 0,
    accepted: 0,
    rejected: 0,
    errors: [],
    seconds: 0,
  };
  const startedAt = Date.now();
  let rowsDone = 0;
  let failure: unknown;
  const inflight = new Set<Promise<void>>();

  const run = async (batch: Batch) => {
    const key = batchKey(
      {
        database: api.config.database,
        table: opts.table,
        format,
        index: batch.index,
        offset: batch.offset,
        run: opts.run,
      },
      batch.body,
    );
    try {
      const res = await sendBatch(
        api,
        opts.table,
        contentType,
        batch,
        key,
        opts.attempts ?? 6,
        query,
        opts.retryDelayMs ?? 250,
      );
      summary.accepted += res.accepted;
      summary.rejected += res.rejected;
      if (res.duplicate) summary.duplicateBatches++;
      for (const e of res.errors) {
        if (summary.errors.length < MAX_REPORTED)
          summary.errors.push({ line: e.line + batch.lineOffset, reason: e.reason });
      }
    } catch (e) {
      // Every row of the batch rejected is a data outcome, not a failed load.
      if (e instanceof ApiError && e.status === 400 && e.code === '22P02') {
        summary.rejected += batch.rows;
        const m = /^all \d+ rows rejected; line (\d+): (.*)$/s.exec(e.message);
        if (summary.errors.length < MAX_REPORTED)
          summary.errors.push(
            m
              ? { line: Number(m[1]) + batch.lineOffset, reason: m[2] }
              : { line: batch.lineOffset + 1, reason: e.message },
          );
      } else {
        failure ??= e;
        return;
      }
    }
    summary.batches++;
    rowsDone += batch.rows;
    progress.update(rowsDone, parquetTotal !== undefined ? rowsDone : input.bytesRead());
  };

  // Ctrl-C: put the terminal back (the bar hides the cursor) and say how to resume.
  const onInterrupt = () => {
    progress.stop();
    process.stderr.write(
      `\ninterrupted after ${summary.batches} answered batches; run the same command again to resume (batches already applied are skipped by the server)\n`,
    );
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    for await (const batch of batches) {
      if (failure) break;
      const p = run(batch).finally(() => inflight.delete(p));
      inflight.add(p);
      while (inflight.size >= opts.concurrency) await Promise.race(inflight);
    }
    await Promise.all(inflight);
  } finally {
    process.off('SIGINT', onInterrupt);
    progress.stop();
  }
  if (failure) throw failure;
  summary.seconds = (Date.now() - startedAt) / 1000;
  return summary;
}

/** The closing lines of `orochi load`. */
export function formatLoadSummary(s: LoadSummary): string {
  const fmt = new Intl.NumberFormat('en-US');
  const rate = fmt.format(rowsPerSecond(s.accepted + s.rejected, 0, s.seconds * 1000));
  const lines = [
    `accepted ${fmt.format(s.accepted)} rows, rejected ${fmt.format(s.rejected)} rows` +
      ` (${fmt.format(s.batches)} batches${s.duplicateBatches ? `, ${fmt.format(s.duplicateBatches)} already loaded` : ''})` +
      ` in ${s.seconds.toFixed(1)} s, ${rate} rows/s`,
  ];
  for (const e of s.errors) lines.push(`  line ${e.line}: ${e.reason}`);
  if (s.rejected > s.errors.length && s.errors.length > 0)
    lines.push(`  … ${fmt.format(s.rejected - s.errors.length)} more rejected`);
  return lines.join('\n');
}
