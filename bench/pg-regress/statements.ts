/**
 * @module bench/pg-regress/statements
 * Splits a PostgreSQL regression script (`src/test/regress/sql/*.sql`) into the
 * statements psql would send: psql meta-commands (`\set`, `\pset`, `\gset` …) are
 * dropped, and statements are cut at the `;` tokens of PostgreSQL's own scanner
 * (libpg-query `scanSync`), so semicolons inside strings, dollar quotes and
 * comments never cut a statement.
 */
import { loadModule, parseSync, scanSync } from 'libpg-query';

/** One statement of a script, with the 1-based line it starts on. */
export interface ScriptStatement {
  readonly sql: string;
  readonly line: number;
}

const SEMICOLON = 59;

/** Loads the scanner once. */
export function loadScanner(): Promise<void> {
  return loadModule();
}

/** A text-format COPY field as an SQL literal (`\N` is NULL). */
function copyLiteral(field: string): string {
  if (field === '\\N') return 'NULL';
  const v = field.replace(/\\(.)/g, (_, c: string) =>
    c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c,
  );
  return `'${v.replace(/'/g, "''")}'`;
}

/**
 * Turns `COPY t (cols) FROM stdin;` and its inline data (up to `\.`) into one INSERT with the
 * same rows, so both sides load them; blanks psql meta-commands. Line numbers are kept.
 */
function inlineCopies(script: string): string {
  const lines = script.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*COPY\s+([\w.]+)\s*(\([^)]*\))?\s+FROM\s+stdin\b[^;]*;\s*$/i.exec(lines[i]);
    if (m) {
      const rows: string[] = [];
      let j = i + 1;
      for (; j < lines.length && lines[j] !== '\\.'; j++) {
        rows.push(`(${lines[j].split('\t').map(copyLiteral).join(', ')})`);
        lines[j] = '';
      }
      if (j < lines.length) lines[j] = '';
      lines[i] = rows.length ? `INSERT INTO ${m[1]} ${m[2] ?? ''} VALUES ${rows.join(', ')};` : '';
      i = j;
    } else if (/^\s*\\/.test(lines[i])) lines[i] = '';
  }
  return lines.join('\n');
}

/** Blanks psql meta-command lines (keeping line numbers), inlines COPY data, cuts at `;`. */
export function splitScript(script: string): ScriptStatement[] {
  const text = inlineCopies(script);
  let tokens: { start: number; end: number; tokenType: number }[];
  try {
    tokens = scanSync(text).tokens;
  } catch {
    // The scanner's JSON output breaks on some inputs (bad Unicode escapes in U&'…'):
    // fall back to semicolons that end a line, which is how the scripts are written.
    tokens = [...text.matchAll(/;[ \t]*(?=\n|$)/g)].map((m) => ({
      start: m.index,
      end: m.index + 1,
      tokenType: SEMICOLON,
    }));
  }
  const out: ScriptStatement[] = [];
  let start = 0;
  const push = (end: number) => {
    const raw = text.slice(start, end);
    const sql = raw.trim();
    if (sql && !/^(--[^\n]*\n?\s*)*$/.test(sql)) {
      const lead = raw.length - raw.trimStart().length;
      out.push({ sql, line: text.slice(0, start + lead).split('\n').length });
    }
  };
  for (const t of tokens) {
    if (t.tokenType !== SEMICOLON) continue;
    push(t.start);
    start = t.end;
  }
  push(text.length);
  return out;
}

/** Whether a statement's top level has ORDER BY (then row order is part of the answer). */
export function isOrdered(sql: string): boolean {
  // A cheap test on the scanner's tokens: ORDER BY at parenthesis depth 0.
  let depth = 0;
  let prevOrder = false;
  let tokens: { text: string }[];
  try {
    tokens = scanSync(sql).tokens;
  } catch {
    return false;
  }
  for (const t of tokens) {
    const w = t.text.toUpperCase();
    if (w === '(') depth++;
    else if (w === ')') depth--;
    else if (depth === 0 && prevOrder && w === 'BY') return true;
    prevOrder = depth === 0 && w === 'ORDER';
  }
  return false;
}

// biome-ignore lint/suspicious/noExplicitAny: libpg-query's JSON parse tree
type Node = any;

/** A parse node's JSON without source positions, so equal expressions compare equal. */
function shape(n: Node): string {
  return JSON.stringify(n, (k, v) => (k === 'location' ? undefined : v));
}

/**
 * The output columns (0-based) a top-level ORDER BY sorts by, when every key is one:
 * an ordinal, an output column's name, or an expression equal to a select-list
 * item. Undefined when the statement has no such ORDER BY or a key is anything else.
 */
export function orderKeyColumns(sql: string): number[] | undefined {
  let stmt: Node;
  try {
    stmt = (parseSync(sql) as Node).stmts?.[0]?.stmt?.SelectStmt;
  } catch {
    return undefined;
  }
  const sort: Node[] | undefined = stmt?.sortClause;
  if (!sort?.length) return undefined;
  const targets: Node[] = (stmt.targetList ?? []).map((t: Node) => t.ResTarget);
  const starred = targets.length === 0 || targets.some((t) => shape(t.val).includes('A_Star'));
  const outName = (t: Node): string | undefined => t.name ?? t.val?.ColumnRef?.fields?.at(-1)?.String?.sval;
  const keys: number[] = [];
  for (const item of sort) {
    const node = item.SortBy.node;
    const ordinal = node.A_Const?.ival;
    let k = -1;
    if (ordinal) k = (ordinal.ival ?? 0) - 1;
    else if (starred) return undefined;
    else {
      const f = node.ColumnRef?.fields;
      const name = f?.length === 1 ? f[0].String?.sval : undefined;
      const byName = name === undefined ? [] : targets.flatMap((t, i) => (outName(t) === name ? [i] : []));
      if (byName.length > 1) return undefined;
      k = byName.length === 1 ? byName[0] : targets.findIndex((t) => shape(t.val) === shape(node));
    }
    if (k < 0) return undefined;
    keys.push(k);
  }
  return keys;
}

/** Whether a statement (after its leading comments) is an EXPLAIN. */
export function isExplain(sql: string): boolean {
  return /^explain\b/i.test(sql.replace(/^(\s*(--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/))*\s*/, ''));
}
