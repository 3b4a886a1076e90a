/**
 * @module engine/sql/bind-window-names
 * Named windows: `WINDOW w AS (…)` and the calls that use them (`OVER w`, or
 * `OVER (w ORDER BY …)` which copies w's PARTITION BY and ORDER BY). An AST
 * pre-pass on one SELECT replaces every such reference with the inline window
 * it stands for, with PostgreSQL's checks (parse_clause.c's
 * transformWindowDefinitions), so the window binder only sees inline windows.
 * Subqueries keep their own WINDOW clauses and are left alone.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { PgNode } from './parser.ts';

/** frameOptions of a window without a frame clause (FRAMEOPTION_DEFAULTS). */
const FRAME_DEFAULTS = 0x2 | 0x20 | 0x400;

const windowError = (msg: string, location?: number) =>
  new SqlError(
    SqlState.windowingError,
    msg,
    location === undefined || location < 0 ? undefined : location + 1,
  );

/** The inline window `def` stands for, given the windows defined before it. */
function resolveDef(def: PgNode, defined: ReadonlyMap<string, PgNode>): PgNode {
  if (def.name) {
    // `OVER w` (a window function call's bare reference).
    const w = defined.get(def.name);
    if (!w)
      throw new SqlError(SqlState.undefinedObject, `window "${def.name}" does not exist`, def.location + 1);
    return { ...w, name: undefined, location: def.location };
  }
  if (!def.refname) return def;
  const ref = defined.get(def.refname);
  if (!ref)
    throw new SqlError(SqlState.undefinedObject, `window "${def.refname}" does not exist`, def.location + 1);
  if (def.partitionClause)
    throw windowError(`cannot override PARTITION BY clause of window "${def.refname}"`, def.location);
  if (def.orderClause && ref.orderClause)
    throw windowError(`cannot override ORDER BY clause of window "${def.refname}"`, def.location);
  if (ref.frameOptions !== FRAME_DEFAULTS)
    throw windowError(`cannot copy window "${def.refname}" because it has a frame clause`, def.location);
  return {
    ...def,
    refname: undefined,
    partitionClause: ref.partitionClause,
    orderClause: def.orderClause ?? ref.orderClause,
  };
}

/** Replaces window references below `node` (not inside subqueries). */
function inlineCalls(node: PgNode, defined: ReadonlyMap<string, PgNode>): PgNode {
  if (!node || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((x) => inlineCalls(x, defined));
  if (node.SelectStmt) return node;
  const out: PgNode = {};
  for (const k in node) out[k] = inlineCalls(node[k], defined);
  if (node.FuncCall?.over) out.FuncCall = { ...out.FuncCall, over: resolveDef(node.FuncCall.over, defined) };
  return out;
}

/**
 * `s` with its WINDOW clause applied: every window function call of its select
 * list and ORDER BY carries an inline window. Unchanged when there is none and
 * no call names a window.
 */
export function inlineNamedWindows(s: PgNode): PgNode {
  const defined = new Map<string, PgNode>();
  for (const item of s.windowClause ?? []) {
    const def = item.WindowDef;
    if (defined.has(def.name)) throw windowError(`window "${def.name}" is already defined`, def.location);
    defined.set(def.name, resolveDef({ ...def, name: undefined }, defined));
  }
  return {
    ...s,
    windowClause: undefined,
    targetList: inlineCalls(s.targetList, defined),
    sortClause: inlineCalls(s.sortClause, defined),
    havingClause: inlineCalls(s.havingClause, defined),
  };
}
