/**
 * @module engine/plan/explain
 * EXPLAIN text: one line per plan node, indented, with the zone-map pruning a
 * scan would achieve right now (chunks scanned vs. skipped).
 */
import { formatText } from '../types/cast.ts';
import { isNumericType, pgTypeName } from '../types/values.ts';
import type { Expr, Plan } from './nodes.ts';

/** Per-scan pruning counts supplied by the caller (who can see the store). */
export type PruneInfo = (plan: Extract<Plan, { kind: 'scan' }>) => { total: number; skipped: number };

export function exprText(e: Expr): string {
  switch (e.kind) {
    case 'col':
      return e.name ?? `$col${e.index}`;
    case 'outer':
      return `outer${e.depth}.$col${e.index}`;
    case 'const': {
      if (e.value === null) return 'NULL';
      if (e.type === 'unknown') return `'${String(e.value)}'`;
      const text = formatText(e.value, e.type);
      return isNumericType(e.type) ? text : `'${text}'::${pgTypeName(e.type)}`;
    }
    case 'param':
      return `$${e.index + 1}`;
    case 'call':
      if (/^[^a-z]/.test(e.name) && e.args.length === 2)
        return `(${exprText(e.args[0])} ${e.name} ${exprText(e.args[1])})`;
      return `${e.name}(${e.args.map(exprText).join(', ')})`;
    case 'and':
    case 'or':
      return `(${e.args.map(exprText).join(` ${e.kind.toUpperCase()} `)})`;
    case 'not':
      return `NOT ${exprText(e.arg)}`;
    case 'isnull':
      return `${exprText(e.arg)} IS ${e.negate ? 'NOT ' : ''}NULL`;
    case 'in':
      return `${exprText(e.arg)} ${e.negate ? 'NOT ' : ''}IN (${e.list.map(exprText).join(', ')})`;
    case 'subquery':
      return `(${e.mode} subquery)`;
    default:
      return e.kind;
  }
}

/** Renders the plan as indented lines. */
export function explainPlan(plan: Plan, prune?: PruneInfo): string[] {
  const lines: string[] = [];
  const walk = (p: Plan, depth: number) => {
    const pad = '  '.repeat(depth) + (depth > 0 ? '-> ' : '');
    switch (p.kind) {
      case 'scan': {
        const info = prune?.(p);
        lines.push(
          `${pad}Seq Scan on ${p.table}${info ? ` (chunks: ${info.total - info.skipped} scanned, ${info.skipped} pruned)` : ''}`,
        );
        if (p.filter) lines.push(`${'  '.repeat(depth + 2)}Filter: ${exprText(p.filter)}`);
        break;
      }
      case 'filter':
        lines.push(`${pad}Filter: ${exprText(p.predicate)}`);
        break;
      case 'project':
        lines.push(`${pad}Project: ${p.exprs.map(exprText).join(', ')}`);
        break;
      case 'aggregate':
        lines.push(
          `${pad}HashAggregate: keys [${p.groups.map(exprText).join(', ')}] aggs [${p.aggs.map((a) => a.name).join(', ')}]`,
        );
        break;
      case 'sort':
        lines.push(
          `${pad}${p.limit !== undefined ? `Top-${p.limit} ` : ''}Sort: ${p.keys.map((k) => `${exprText(k.expr)}${k.desc ? ' DESC' : ''}`).join(', ')}`,
        );
        break;
      case 'join':
        lines.push(
          `${pad}${p.leftKeys.length ? 'Hash' : 'Nested Loop'} ${p.joinType} Join${p.leftKeys.length ? ` on ${p.leftKeys.map(exprText).join(', ')} = ${p.rightKeys.map(exprText).join(', ')}` : ''}`,
        );
        break;
      case 'recursive':
        lines.push(`${pad}Recursive Union${p.all ? ' All' : ''} (${p.name})`);
        break;
      case 'worktable':
        lines.push(`${pad}WorkTable Scan on ${p.name}`);
        break;
      case 'groupingsets':
        lines.push(
          `${pad}GroupingSets: sets [${p.sets.map((s) => `(${s.map((g) => exprText(p.groups[g])).join(', ')})`).join(', ')}] aggs [${p.aggs.map((a) => a.name).join(', ')}]`,
        );
        break;
      case 'apply':
        lines.push(
          `${pad}Nested Loop Lateral ${p.joinType}${p.residual ? ` (residual: ${exprText(p.residual)})` : ''}`,
        );
        break;
      case 'projectset':
        lines.push(
          `${pad}ProjectSet: ${p.srfs.map((f) => `${f.name}(${f.args.map(exprText).join(', ')})`).join(', ')}`,
        );
        break;
      default:
        lines.push(`${pad}${p.kind[0].toUpperCase()}${p.kind.slice(1)}`);
    }
    if ('input' in p) walk(p.input, depth + 1);
    if (p.kind === 'join' || p.kind === 'setop' || p.kind === 'apply') {
      walk(p.left, depth + 1);
      walk(p.right, depth + 1);
    }
    if (p.kind === 'recursive') {
      walk(p.base, depth + 1);
      walk(p.step, depth + 1);
    }
  };
  walk(plan, 0);
  return lines;
}
