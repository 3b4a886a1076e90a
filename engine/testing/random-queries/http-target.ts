/**
 * @module engine/testing/random-queries/http-target
 * The distributed data plane as a random-query target: statements go to
 * `POST /v1/databases/{db}/sql` through an injected `post` (SELF.fetch inside
 * workerd, fetch against `wrangler dev` offline), and the JSON answer is
 * normalized to the same cells PGlite's answer is (bigint from number or text,
 * NaN/±Infinity doubles from their text, numeric as canonical decimal text,
 * ISO timestamps as PostgreSQL's UTC text). Errors carry the SQLSTATE as
 * `code` and the HTTP status as `status` (5xx is a server failure).
 *
 * Also the replay oracle of the workerd suite: PostgreSQL's answers are
 * recorded in Node (PGlite cannot run inside workerd) and answered in order.
 */
import { formatPgTimestamptz, parsePgTimestamp } from '../pg-time.ts';
import { type Cell, normalizeDecimal } from '../result-compare.ts';
import type { QueryTarget } from './runner.ts';

/** The JSON body of a `/sql` answer (or an error body). */
export interface SqlBody {
  readonly columns?: readonly { readonly name: string; readonly type: string }[];
  readonly rows?: readonly (readonly unknown[])[];
  readonly rowCount?: number;
  readonly error?: { readonly code: string; readonly message: string };
}

/** Sends one statement; resolves to the HTTP status and the parsed body. */
export type PostSql = (sql: string) => Promise<{ status: number; body: SqlBody }>;

/** One JSON value of a column of PostgreSQL type `type` as a cell. */
export function httpCell(v: unknown, type: string): Cell {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'bigint':
      return typeof v === 'number' || typeof v === 'string' ? BigInt(v) : String(v);
    case 'double precision':
    case 'real':
      return typeof v === 'string' ? Number(v) : (v as number);
    case 'numeric':
      return normalizeDecimal(String(v));
    case 'timestamptz': {
      const us = typeof v === 'string' ? parsePgTimestamp(v) : undefined;
      return us === undefined ? String(v) : formatPgTimestamptz(us);
    }
    default:
      return typeof v === 'object' ? JSON.stringify(v) : (v as Cell);
  }
}

/** The data plane behind `post` as a {@link QueryTarget}. */
export function httpTarget(post: PostSql): QueryTarget {
  const run = async (sql: string): Promise<SqlBody> => {
    const { status, body } = await post(sql);
    if (status !== 200 || body.error) {
      throw Object.assign(new Error(body.error?.message ?? `HTTP ${status}`), {
        code: body.error?.code ?? `HTTP${status}`,
        status,
      });
    }
    return body;
  };
  return {
    async query(sql) {
      const body = await run(sql);
      const types = (body.columns ?? []).map((c) => c.type);
      return { rows: (body.rows ?? []).map((r) => r.map((v, i) => httpCell(v, types[i]))) };
    },
    async modify(sql) {
      return (await run(sql)).rowCount ?? 0;
    },
  };
}

/** One recorded oracle call: the statement and its rows, affected-row count or error. */
export interface RecordedCall {
  readonly sql: string;
  readonly rows?: readonly (readonly Cell[])[];
  readonly count?: number;
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * Wraps `oracle` so every call is appended to `log`; `echo` is a target that
 * answers each statement with the oracle's last answer, so a run against it
 * records PostgreSQL's side only (every step passes, nothing diverges).
 */
export function recordingOracle(oracle: QueryTarget): {
  oracle: QueryTarget;
  echo: QueryTarget;
  log: RecordedCall[];
} {
  const log: RecordedCall[] = [];
  const record = async <T>(sql: string, f: () => Promise<T>, keep: (v: T) => RecordedCall): Promise<T> => {
    try {
      const v = await f();
      log.push(keep(v));
      return v;
    } catch (e) {
      const err = e as { code?: unknown; message?: unknown };
      log.push({ sql, error: { code: String(err.code ?? '?'), message: String(err.message ?? e) } });
      throw e;
    }
  };
  const last = () => {
    const c = log[log.length - 1];
    if (c.error) throw Object.assign(new Error(c.error.message), { code: c.error.code });
    return c;
  };
  return {
    log,
    oracle: {
      query: (sql) =>
        record(
          sql,
          () => oracle.query(sql),
          (r) => ({ sql, rows: r.rows }),
        ),
      modify: (sql) =>
        record(
          sql,
          () => oracle.modify!(sql),
          (count) => ({ sql, count }),
        ),
    },
    echo: {
      query: async () => ({ rows: last().rows ?? [] }),
      modify: async () => last().count ?? 0,
    },
  };
}

/**
 * An oracle that answers from `log` in order. A statement other than the
 * recorded one means the two runs generated different steps: it throws with
 * code `XXREPLAY` (the step then fails, naming both statements).
 */
export function replayOracle(log: readonly RecordedCall[]): QueryTarget {
  let next = 0;
  const take = (sql: string): RecordedCall => {
    const c = log[next];
    if (!c || c.sql !== sql) {
      // Not consumed: a statement the recording never saw (e.g. the runner's planner switches) leaves the replay in step.
      throw Object.assign(new Error(`replay out of step: recorded ${c?.sql ?? '(end)'}, asked ${sql}`), {
        code: 'XXREPLAY',
      });
    }
    next++;
    if (c.error) throw Object.assign(new Error(c.error.message), { code: c.error.code });
    return c;
  };
  return {
    query: async (sql) => ({ rows: take(sql).rows ?? [] }),
    modify: async (sql) => take(sql).count ?? 0,
  };
}
