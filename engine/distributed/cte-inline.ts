/**
 * @module engine/distributed/cte-inline
 * Inlines the one CTE shape the TSBS double-groupby queries use:
 * `WITH c AS (SELECT … FROM t …) SELECT <columns of c> FROM c [ORDER BY …] [LIMIT …]`.
 * When the outer query only picks columns of the CTE and orders/limits them,
 * it is the inner query with the outer target list, ORDER BY and LIMIT. Every
 * other WITH is 0A000.
 */
import { unsupported } from './sql-expr.ts';

// biome-ignore lint/suspicious/noExplicitAny: the pg AST is untyped JSON.
type Node = any;

function outputName(rt: Node): string | undefined {
  if (rt.name) return rt.name;
  const f = rt.val?.ColumnRef?.fields as Node[] | undefined;
  if (f) return f[f.length - 1].String?.sval;
  const fn = rt.val?.FuncCall?.funcname as Node[] | undefined;
  return fn ? fn[fn.length - 1].String.sval : undefined;
}

/** Returns an equivalent CTE-free SelectStmt body, or throws 0A000. */
export function inlineCte(s: Node): Node {
  const ctes = s.withClause.ctes as Node[];
  if (s.withClause.recursive || ctes.length !== 1) unsupported('WITH (other than one non-recursive CTE)');
  const cte = ctes[0].CommonTableExpr;
  const inner = cte.ctequery.SelectStmt;
  const from = (s.fromClause ?? []) as Node[];
  // A CTE over VALUES or a set operation has no target list of its own: not this shape.
  const plain = inner && inner.op === 'SETOP_NONE' && !inner.valuesLists && Array.isArray(inner.targetList);
  if (!plain || inner.withClause || from.length !== 1 || from[0].RangeVar?.relname !== cte.ctename) {
    unsupported('WITH queries other than SELECT … FROM <cte>');
  }
  for (const k of ['whereClause', 'groupClause', 'havingClause', 'distinctClause', 'windowClause']) {
    if (s[k]) unsupported(`${k.replace('Clause', '').toUpperCase()} on a CTE`);
  }
  if (inner.sortClause || inner.limitCount || inner.limitOffset || inner.distinctClause) {
    unsupported('ORDER BY / LIMIT / DISTINCT inside a CTE');
  }
  const innerTargets = inner.targetList as Node[];
  const targets: Node[] = [];
  for (const t of s.targetList as Node[]) {
    const f = t.ResTarget.val.ColumnRef?.fields as Node[] | undefined;
    if (!f) unsupported('expressions over CTE columns');
    if (f[f.length - 1].A_Star) {
      targets.push(...innerTargets);
      continue;
    }
    const name = f[f.length - 1].String.sval as string;
    const src = innerTargets.find((x) => outputName(x.ResTarget) === name);
    if (!src) unsupported(`CTE column "${name}"`);
    const alias = t.ResTarget.name ?? name;
    targets.push({ ResTarget: { ...src.ResTarget, name: alias } });
  }
  // GROUP BY positions refer to the inner target list: rewrite them to the expressions.
  const groupClause = inner.groupClause?.map((g: Node) => {
    const pos = g.A_Const?.ival?.ival as number | undefined;
    return pos !== undefined && innerTargets[pos - 1] ? innerTargets[pos - 1].ResTarget.val : g;
  });
  return {
    ...inner,
    groupClause,
    targetList: targets,
    sortClause: s.sortClause,
    limitCount: s.limitCount,
    limitOffset: s.limitOffset,
  };
}
