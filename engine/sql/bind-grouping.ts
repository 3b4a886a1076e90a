/**
 * @module engine/sql/bind-grouping
 * GROUP BY with GROUPING SETS / ROLLUP / CUBE: expands the clause into the
 * list of grouping sets (PostgreSQL's cross-product rule for several items),
 * dedupes the grouping expressions, and computes GROUPING() values per set.
 */

import { SqlError, SqlState } from '../errors.ts';
import { fingerprint } from '../plan/expr-utils.ts';
import type { Expr } from '../plan/nodes.ts';
import type { PgNode } from './parser.ts';
import { constructName } from './sql-names.ts';

const MAX_SETS = 4096;

type AstSets = PgNode[][];

function unit(c: PgNode): PgNode[] {
  return c.RowExpr ? (c.RowExpr.args ?? []) : [c];
}

function itemSets(n: PgNode): AstSets {
  const gs = n.GroupingSet;
  if (!gs) return [[n]];
  const content: PgNode[] = gs.content ?? [];
  switch (gs.kind) {
    case 'GROUPING_SET_EMPTY':
      return [[]];
    case 'GROUPING_SET_SIMPLE':
      return [content.flatMap(unit)];
    case 'GROUPING_SET_ROLLUP': {
      const units = content.map(unit);
      return Array.from({ length: units.length + 1 }, (_, k) => units.slice(0, units.length - k).flat());
    }
    case 'GROUPING_SET_CUBE': {
      const units = content.map(unit);
      if (units.length > 12) throw new SqlError('54011', 'CUBE is limited to 12 elements');
      const out: AstSets = [];
      for (let m = (1 << units.length) - 1; m >= 0; m--)
        out.push(units.filter((_, i) => m & (1 << i)).flat());
      return out;
    }
    case 'GROUPING_SET_SETS':
      return content.flatMap((c) => (c.RowExpr ? [c.RowExpr.args ?? []] : itemSets(c)));
  }
  throw new SqlError(SqlState.featureNotSupported, `${constructName(gs.kind)} is not supported`);
}

/** True when the GROUP BY clause uses GROUPING SETS, ROLLUP, CUBE or (). */
export function hasGroupingSets(items: readonly PgNode[] | undefined): boolean {
  return (items ?? []).some((g) => g.GroupingSet !== undefined);
}

/** One bound GROUP BY item: its expression and the select-list entry it names, if any. */
export interface GroupItem {
  readonly expr: Expr;
  /** The select-list entry (0-based) the item is, by alias, ordinal or equal expression. */
  readonly target?: number;
}

/** Identity of a grouping column: its select-list entry when it has one (PostgreSQL's sortgroupref). */
function groupKey(g: GroupItem): string {
  return g.target === undefined ? `e${fingerprint(g.expr)}` : `t${g.target}`;
}

/**
 * Expands GROUP BY items into distinct grouping columns and sets of indexes into them.
 * Two items are one column when they name the same select-list entry (or, with none,
 * have the same expression): `g AS a1, g AS a2 … GROUP BY a1, ROLLUP(a2)` has two.
 */
export function expandGroupingSets(
  items: readonly PgNode[],
  bindGroup: (n: PgNode) => GroupItem,
  distinct = false,
): { groups: GroupItem[]; sets: number[][] } {
  let sets: AstSets = [[]];
  for (const it of items) {
    const alts = itemSets(it);
    sets = sets.flatMap((a) => alts.map((b) => [...a, ...b]));
    if (sets.length > MAX_SETS) throw new SqlError('54001', 'too many grouping sets present');
  }
  const groups: GroupItem[] = [];
  const fps: string[] = [];
  const indexOf = new Map<PgNode, number>();
  const bound = sets.map((set) => {
    const idx: number[] = [];
    for (const node of set) {
      let gi = indexOf.get(node);
      if (gi === undefined) {
        const e = bindGroup(node);
        const fp = groupKey(e);
        gi = fps.indexOf(fp);
        if (gi < 0) {
          gi = groups.length;
          groups.push(e);
          fps.push(fp);
        }
        indexOf.set(node, gi);
      }
      if (!idx.includes(gi)) idx.push(gi);
    }
    return idx;
  });
  if (!distinct) return { groups, sets: bound };
  // GROUP BY DISTINCT: each set of grouping expressions once.
  const seen = new Set<string>();
  const unique = bound.filter((set) => {
    const key = [...set].sort((x, y) => x - y).join(',');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { groups, sets: unique };
}

/** GROUPING(args) per set: bit (n-1-j) is set when argument j is not grouped in that set. */
export function groupingValues(
  args: readonly Expr[],
  groups: readonly Expr[],
  sets: readonly number[][],
): number[] {
  const fps = groups.map(fingerprint);
  const pos = args.map((a) => {
    const gi = fps.indexOf(fingerprint(a));
    if (gi < 0)
      throw new SqlError(
        SqlState.groupingError,
        'arguments to GROUPING must be grouping expressions of the associated query level',
      );
    return gi;
  });
  if (pos.length > 31) throw new SqlError('54023', 'GROUPING must have fewer than 32 arguments');
  return sets.map((set) => pos.reduce((acc, gi) => (acc << 1) | (set.includes(gi) ? 0 : 1), 0));
}
