import { describe, expect, it } from 'vitest';
import * as captured from './plan-tree.fixtures.ts';
import { isQueryPlan, type PlanNode, parsePlan, walkPlan } from './plan-tree.ts';

/** The tree as indented titles, one line per node: the shape at a glance. */
function outline(n: PlanNode, depth = 0): string[] {
  return [`${'  '.repeat(depth)}${n.kind}: ${n.title}`, ...n.children.flatMap((c) => outline(c, depth + 1))];
}

const find = (n: PlanNode, title: RegExp) => walkPlan(n).find((x) => title.test(x.title));

describe('parsePlan over plans captured from the data plane', () => {
  it('reads a pruned exchange: shards, the fragment and its engine plan', () => {
    const t = parsePlan(captured.explainPruned.lines);
    expect(t && outline(t.root)).toEqual([
      'operator: Custom Scan (Orochi Distributed)',
      '  exchange: Exchange on "orders"',
      '    task: Task',
      '      operator: Seq Scan on orders',
    ]);
    const x = find(t!.root, /^Exchange/)!;
    expect(x.shards).toEqual({ scanned: 1, total: 8, pruned: 7 });
    expect(x.properties).toContainEqual({ key: 'Pruned by', value: 'distribution column = 42' });
    const task = find(t!.root, /^Task$/)!;
    expect(task.fragment).toBe(
      'SELECT "id" AS o0, "customer" AS o1, "amount" AS o2 FROM "orders" WHERE ("id" = (42)::int4)',
    );
    const scan = task.children[0];
    expect(scan.chunks).toEqual({ scanned: 0, pruned: 0 });
    expect(scan.properties).toEqual([{ key: 'Filter', value: '("id" = 42)' }]);
    expect(t!.root.properties).toEqual([{ key: 'Merge on coordinator', value: 'concatenate rows' }]);
    expect(t!.executionMs).toBeUndefined();
    expect(t!.root.actualRows).toBeUndefined();
  });

  it('reads ANALYZE: actual rows, one run per shard, the execution time', () => {
    const t = parsePlan(captured.analyzePruned.lines)!;
    expect(t.root.title).toBe('Custom Scan (Orochi Distributed)');
    expect(t.root.actualRows).toBe(1);
    expect(t.executionMs).toBe(4);
    const x = find(t.root, /^Exchange/)!;
    expect(x.runs).toEqual([{ shard: '00000000-0000-4000-8000-000000000002:8:7', rows: 1, ms: 2 }]);
    // Runs are not also shown as plain details.
    expect(x.properties.map((p) => p.key)).toEqual(['Task Count', 'Pruned by', 'Tasks Shown']);

    const agg = parsePlan(captured.analyzeAggregate.lines)!;
    const runs = find(agg.root, /^Exchange/)!.runs!;
    expect(runs.map((r) => r.shard.split(':').pop())).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(runs.every((r) => r.rows === 7)).toBe(true);
    expect(agg.executionMs).toBe(106);
  });

  it('nests the engine plan of a fragment under its task', () => {
    const t = parsePlan(captured.explainAggregate.lines)!;
    expect(outline(t.root)).toEqual([
      'operator: Custom Scan (Orochi Distributed)',
      '  exchange: Exchange on "orders"',
      '    task: Task',
      '      operator: HashAggregate: keys ["customer"] aggs [count, sum]',
      '        operator: Seq Scan on orders',
    ]);
    expect(find(t.root, /^Exchange/)!.shards).toEqual({ scanned: 8, total: 8, pruned: 0 });
    expect(t.root.properties[0].value).toBe('combine partial aggregates, sort, limit 3 offset 0');
  });

  it('reads the general path: the coordinator plan and one gather per table, each with its runs', () => {
    const t = parsePlan(captured.analyzeJoin.lines)!;
    expect(outline(t.root)).toEqual([
      'operator: Custom Scan (Orochi Coordinator)',
      '  coordinator: Coordinator plan (the statement on the coordinator engine over gathered rows)',
      '    operator: Project: id, region',
      '      operator: Hash inner Join on customer = name',
      '        operator: Seq Scan on orders',
      '        operator: Seq Scan on customers',
      '  exchange: Gather from "orders"',
      '    task: Task',
      '      operator: Limit',
      '        operator: Seq Scan on orders',
      '  exchange: Gather from "customers"',
      '    task: Task',
      '      operator: Limit',
      '        operator: Seq Scan on customers',
    ]);
    const [orders, customers] = t.root.children.filter((c) => c.kind === 'exchange');
    expect(orders.runs?.map((r) => r.rows)).toEqual([12, 15, 15, 14, 21, 18, 18, 21]);
    expect(customers.runs).toEqual([{ shard: '00000000-0000-4000-8000-000000000002:1:0', rows: 2, ms: 1 }]);
    expect(t.root.actualRows).toBe(38);
    expect(t.executionMs).toBe(8);
  });

  it('reads hypertable plans: time filter on the scan, sort and limit in the fragment', () => {
    const h = parsePlan(captured.analyzeHypertable.lines)!;
    const scan = find(h.root, /^Seq Scan on cpu/)!;
    expect(scan.properties).toEqual([
      { key: 'Filter', value: `("time" >= '2024-01-01 05:00:00+00'::timestamp with time zone)` },
    ]);
    expect(find(h.root, /^Exchange/)!.runs).toHaveLength(1);
    const l = parsePlan(captured.analyzeHypertableLimit.lines)!;
    expect(outline(find(l.root, /^Task$/)!)).toEqual([
      'task: Task',
      '  operator: Limit',
      '    operator: Top-5 Sort: $col0',
      '      operator: Seq Scan on cpu',
    ]);
  });

  it('places every line of every capture once: as a node, a detail, a run or the execution time', () => {
    for (const [name, plan] of Object.entries(captured)) {
      const t = parsePlan(plan.lines)!;
      const nodes = walkPlan(t.root);
      const placed =
        nodes.length +
        nodes.reduce((n, x) => n + x.properties.length + (x.runs?.length ?? 0), 0) +
        (t.executionMs === undefined ? 0 : 1);
      expect(placed, name).toBe(plan.lines.length);
      expect(new Set(nodes.map((n) => n.id)).size, name).toBe(nodes.length);
      expect(new Set(nodes.map((n) => n.line)).size, name).toBe(nodes.length);
    }
  });
});

describe('parsePlan on other input', () => {
  it('answers undefined for no lines and keeps odd lines as details instead of failing', () => {
    expect(parsePlan([])).toBeUndefined();
    expect(parsePlan(['', '  '])).toBeUndefined();
    const t = parsePlan(['Result', 'loose line', '  ->  Child', '        detail without key'])!;
    expect(t.root.properties).toEqual([{ key: '', value: 'loose line' }]);
    expect(t.root.children[0].properties).toEqual([{ key: '', value: 'detail without key' }]);
  });

  it('reads a plain PostgreSQL plan', () => {
    const t = parsePlan([
      'Sort  (cost=1.1..1.2 rows=3 width=4)',
      '  Sort Key: a',
      '  ->  Seq Scan on t  (cost=0.00..1.03 rows=3 width=4)',
      '        Filter: (a > 1)',
    ])!;
    expect(outline(t.root)).toEqual([
      'operator: Sort  (cost=1.1..1.2 rows=3 width=4)',
      '  operator: Seq Scan on t  (cost=0.00..1.03 rows=3 width=4)',
    ]);
    expect(t.root.children[0].properties).toEqual([{ key: 'Filter', value: '(a > 1)' }]);
  });
});

describe('isQueryPlan', () => {
  it('is true only for a single "QUERY PLAN" column', () => {
    expect(isQueryPlan([{ name: 'QUERY PLAN' }])).toBe(true);
    expect(isQueryPlan([{ name: 'QUERY PLAN' }, { name: 'x' }])).toBe(false);
    expect(isQueryPlan([{ name: 'query plan' }])).toBe(false);
    expect(isQueryPlan([])).toBe(false);
  });
});
