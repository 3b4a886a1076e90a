/**
 * @module engine/sql/bind-special
 * GROUPING() calls and select-list set-returning functions as hidden columns:
 * an AST pre-pass swaps them for references to hidden scope columns, so the
 * ordinary expression binder handles everything around them; the SELECT
 * binder then turns those references into GRP_BASE/SRF_BASE markers, which
 * resolve to the grouping-sets node's GROUPING() outputs and the project-set
 * node's SRF outputs once the plan below them is built.
 */
import { SqlError, SqlState } from '../errors.ts';
import { REGEX_SET_FUNCTIONS } from '../functions/regex-functions.ts';
import { mapExpr } from '../plan/expr-utils.ts';
import type { Expr, SrfCall } from '../plan/nodes.ts';
import { bindExpr, type ExprBinder, names } from './bind-expr.ts';
import { seriesCall, unnestType } from './bind-from.ts';
import { regexSetCall } from './bind-regex-srf.ts';
import type { PgNode } from './parser.ts';
import type { ScopeColumn } from './scope.ts';

/** Markers for GROUPING() calls and select-list SRFs (above bind-expr's AGG_BASE/WIN_BASE). */
export const GRP_BASE = 3_000_000;
export const SRF_BASE = 4_000_000;

const GROUPING_QUALIFIER = '?grouping';
const SRF_QUALIFIER = '?srf';
const SRF_NAMES = new Set(['unnest', 'generate_series', ...REGEX_SET_FUNCTIONS]);

const hiddenRef = (qualifier: string, name: string, location: unknown): PgNode => ({
  ColumnRef: { fields: [{ String: { sval: qualifier } }, { String: { sval: name } }], location },
});

/**
 * Returns a copy of `node` with GROUPING() calls (and, when `srfs` is given,
 * unnest/generate_series calls) replaced by hidden column references; the
 * originals are appended to `grouping` / `srfs`. Subqueries are left alone.
 */
export function extractSpecialCalls(
  node: PgNode,
  grouping: PgNode[],
  srfs?: PgNode[],
  inConditional?: string,
): PgNode {
  if (!node || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((x) => extractSpecialCalls(x, grouping, srfs, inConditional));
  if (node.SubLink) return node;
  const cond = node.CaseExpr ? 'CASE' : node.CoalesceExpr ? 'COALESCE' : inConditional;
  if (node.GroupingFunc) {
    grouping.push(node.GroupingFunc);
    return hiddenRef(GROUPING_QUALIFIER, `g${grouping.length - 1}`, node.GroupingFunc.location);
  }
  const fc = node.FuncCall;
  if (srfs && fc && !fc.over && SRF_NAMES.has(String(fc.funcname?.at(-1)?.String?.sval))) {
    if (cond)
      throw new SqlError(SqlState.featureNotSupported, `set-returning functions are not allowed in ${cond}`);
    // GROUPING() may appear in an SRF's arguments; a nested SRF may not (bindExpr rejects it).
    srfs.push({ ...fc, args: extractSpecialCalls(fc.args, grouping, undefined, cond) });
    return hiddenRef(SRF_QUALIFIER, `s${srfs.length - 1}`, fc.location);
  }
  const out: PgNode = {};
  for (const k in node) out[k] = extractSpecialCalls(node[k], grouping, srfs, cond);
  return out;
}

/** A select-list SRF call with its bound arguments. */
export type BoundSrf = SrfCall & { args: Expr[] };

/** Binds a select-list set-returning function call (unnest, generate_series, regexp_matches, regexp_split_to_table). */
function bindSrf(fc: PgNode, bind: (n: PgNode) => Expr): BoundSrf {
  const name = names(fc.funcname).pop() as string;
  if (fc.agg_star || fc.agg_distinct || fc.agg_order || fc.agg_filter)
    throw new SqlError('42809', `${name} is not an aggregate function`, fc.location + 1);
  const args = (fc.args ?? []).map(bind);
  if (name === 'unnest') return { name, args, type: unnestType(args, fc.location) };
  const sc = REGEX_SET_FUNCTIONS.has(name)
    ? regexSetCall(name, args, fc.location)
    : seriesCall(args, fc.location);
  return { name, args: sc.args, type: sc.type };
}

export interface HiddenColumns {
  readonly targetList: PgNode[];
  readonly havingClause: PgNode | undefined;
  readonly sortClause: PgNode[] | undefined;
  /** The GROUPING() call nodes, in marker order. */
  readonly grpCalls: PgNode[];
  /** The SRFs, arguments marked (may hold aggregate/window markers). */
  readonly srfs: BoundSrf[];
  /** FROM columns followed by the hidden ones. */
  readonly scope: ScopeColumn[];
  /** Rewrites hidden-column references in a bound expression to markers. */
  readonly mark: (e: Expr) => Expr;
  readonly nFrom: number;
  readonly nG: number;
  readonly nS: number;
  /** An SRF argument reads an enclosing query's row. */
  readonly correlated: boolean;
}

/**
 * Prepares a SELECT's clauses and scope for GROUPING() calls and select-list
 * SRFs. `binderFor(columns)` gives the query's aggregate-collecting binder over
 * those columns (SRF arguments may contain aggregates).
 */
export function hiddenColumns(
  s: PgNode,
  from: readonly ScopeColumn[],
  binderFor: (cols: ScopeColumn[]) => ExprBinder,
): HiddenColumns {
  const grpCalls: PgNode[] = [];
  const srfCalls: PgNode[] = [];
  const targetList: PgNode[] = extractSpecialCalls(s.targetList ?? [], grpCalls, srfCalls);
  const havingClause = s.havingClause && extractSpecialCalls(s.havingClause, grpCalls);
  const sortClause = s.sortClause && extractSpecialCalls(s.sortClause, grpCalls);
  const nFrom = from.length;
  const grpCols: ScopeColumn[] = grpCalls.map((_, k) => ({
    qualifier: GROUPING_QUALIFIER,
    name: `g${k}`,
    type: 'int32',
  }));
  const sb = binderFor([...from, ...grpCols]);
  const srfs = srfCalls.map((fc) => bindSrf(fc, (a) => bindExpr(sb, a)));
  const nG = grpCols.length;
  const nS = srfs.length;
  const mark = (e: Expr): Expr =>
    nG + nS === 0
      ? e
      : mapExpr(e, (x) =>
          x.kind === 'col' && x.index >= nFrom && x.index < nFrom + nG + nS
            ? {
                ...x,
                index: x.index < nFrom + nG ? GRP_BASE + x.index - nFrom : SRF_BASE + x.index - nFrom - nG,
              }
            : undefined,
        );
  for (const f of srfs) f.args = f.args.map(mark);
  const scope: ScopeColumn[] = [
    ...from,
    ...grpCols,
    ...srfs.map((f, k) => ({ qualifier: SRF_QUALIFIER, name: `s${k}`, type: f.type })),
  ];
  const correlated = sb.correlated === true;
  return { targetList, havingClause, sortClause, grpCalls, srfs, scope, mark, nFrom, nG, nS, correlated };
}
