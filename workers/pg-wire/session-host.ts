/**
 * @module workers/pg-wire/session-host
 * The seam between a protocol session and the data plane (`SessionHost`, served
 * by `wire-host`), and how a simple Query's text is cut into data-plane calls.
 */
import type { StatementResult } from '../data-plane/statement-result.ts';

/** What the session needs from the data plane. */
export interface SessionHost {
  /** Runs `sql` as one call (one transaction), or inside the open block. */
  run(sql: string, params: readonly unknown[]): Promise<StatementResult[]>;
  /** Classifies a query text: how many statements, and the session-level one if it is one. */
  inspect(sql: string): SessionStatement[];
  begin(): void;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  readonly inBlock: boolean;
  /** Starts a COPY FROM STDIN: its column count, and a function writing the received data. */
  copyIn(sql: string): Promise<{ columns: number; finish: (data: Uint8Array[]) => Promise<number> }>;
}

/** A statement of a query text as the session sees it. */
export interface SessionStatement {
  readonly text: string;
  /** 0-based character offset of the statement in the query text. */
  readonly offset: number;
  readonly kind: 'begin' | 'commit' | 'rollback' | 'copy' | 'other';
  /** Whether it returns rows (SELECT, SHOW, EXPLAIN, VALUES…). */
  readonly returnsRows: boolean;
  /** Highest `$n` used. */
  readonly params: number;
}

/**
 * A query text's calls: each run of ordinary statements is one call (one transaction, as on
 * `/sql`); BEGIN, COMMIT, ROLLBACK and COPY stand alone.
 */
export function callGroups(sql: string, statements: SessionStatement[]) {
  const groups: { text: string; offset: number; all: SessionStatement[] }[] = [];
  for (const s of statements) {
    const last = groups[groups.length - 1];
    if (s.kind === 'other' && last?.all[0].kind === 'other') last.all.push(s);
    else groups.push({ text: s.text, offset: s.offset, all: [s] });
  }
  for (const g of groups) {
    const end = g.all[g.all.length - 1];
    if (g.all.length > 1) g.text = sql.slice(g.offset, end.offset + end.text.length);
  }
  return groups.length === 1 && statements.every((s) => s.kind === 'other')
    ? [{ text: sql, offset: 0, all: statements }]
    : groups;
}
