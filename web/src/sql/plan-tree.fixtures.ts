/**
 * @module web/sql/plan-tree.fixtures
 * EXPLAIN output captured from the local data plane (`npm start`, POST /v1/databases/default/sql):
 * `orders` is distributed on `id` over 8 shards (200 rows), `customers` a reference table,
 * `cpu` a hypertable with 1-hour chunks. Each entry is the statement and its "QUERY PLAN" rows.
 */

/** A statement and the plan lines it answered. */
export interface CapturedPlan {
  readonly sql: string;
  readonly lines: readonly string[];
}

export const explainPruned: CapturedPlan = {
  sql: 'EXPLAIN SELECT * FROM orders WHERE id = 42',
  lines: [
    'Custom Scan (Orochi Distributed)',
    '  Merge on coordinator: concatenate rows',
    '  ->  Exchange on "orders"  (shards: 1 of 8 scanned, 7 pruned)',
    '    Task Count: 1',
    '    Pruned by: distribution column = 42',
    '    Tasks Shown: One of 1',
    '    ->  Task',
    '          Fragment: SELECT "id" AS o0, "customer" AS o1, "amount" AS o2 FROM "orders" WHERE ("id" = (42)::int4)',
    '          Seq Scan on orders (chunks: 0 scanned, 0 pruned)',
    '              Filter: ("id" = 42)',
  ],
};

export const analyzePruned: CapturedPlan = {
  sql: 'EXPLAIN ANALYZE SELECT * FROM orders WHERE id = 42',
  lines: [
    'Custom Scan (Orochi Distributed)  (actual rows=1)',
    '  Merge on coordinator: concatenate rows',
    '  ->  Exchange on "orders"  (shards: 1 of 8 scanned, 7 pruned)',
    '    Task Count: 1',
    '    Pruned by: distribution column = 42',
    '    Tasks Shown: One of 1',
    '    ->  Task',
    '          Fragment: SELECT "id" AS o0, "customer" AS o1, "amount" AS o2 FROM "orders" WHERE ("id" = (42)::int4)',
    '          Seq Scan on orders (chunks: 0 scanned, 0 pruned)',
    '              Filter: ("id" = 42)',
    '    Shard 00000000-0000-4000-8000-000000000002:8:7: rows=1 time=2.000 ms',
    'Execution Time: 4.000 ms',
  ],
};

export const explainInList: CapturedPlan = {
  sql: 'EXPLAIN SELECT * FROM orders WHERE id IN (1, 2, 3)',
  lines: [
    'Custom Scan (Orochi Distributed)',
    '  Merge on coordinator: concatenate rows',
    '  ->  Exchange on "orders"  (shards: 3 of 8 scanned, 5 pruned)',
    '    Task Count: 3',
    '    Pruned by: distribution column = 1, 2, 3',
    '    Tasks Shown: One of 3',
    '    ->  Task',
    '          Fragment: SELECT "id" AS o0, "customer" AS o1, "amount" AS o2 FROM "orders" WHERE ("id" IN ((1)::int8, (2)::int8, (3)::int8))',
    '          Seq Scan on orders (chunks: 0 scanned, 0 pruned)',
    '              Filter: "id" IN (1, 2, 3)',
  ],
};

export const explainAggregate: CapturedPlan = {
  sql: 'EXPLAIN SELECT customer, count(*), sum(amount) FROM orders GROUP BY customer ORDER BY 2 DESC LIMIT 3',
  lines: [
    'Custom Scan (Orochi Distributed)',
    '  Merge on coordinator: combine partial aggregates, sort, limit 3 offset 0',
    '  ->  Exchange on "orders"  (shards: 8 of 8 scanned, 0 pruned)',
    '    Task Count: 8',
    '    Tasks Shown: One of 8',
    '    ->  Task',
    '          Fragment: SELECT "customer" AS o0, count(*) AS o1, sum("amount") AS o2 FROM "orders" GROUP BY "customer"',
    '          HashAggregate: keys ["customer"] aggs [count, sum]',
    '            -> Seq Scan on orders (chunks: 0 scanned, 0 pruned)',
  ],
};

export const analyzeAggregate: CapturedPlan = {
  sql: 'EXPLAIN ANALYZE SELECT customer, count(*) FROM orders GROUP BY customer',
  lines: [
    'Custom Scan (Orochi Distributed)  (actual rows=7)',
    '  Merge on coordinator: combine partial aggregates',
    '  ->  Exchange on "orders"  (shards: 8 of 8 scanned, 0 pruned)',
    '    Task Count: 8',
    '    Tasks Shown: One of 8',
    '    ->  Task',
    '          Fragment: SELECT "customer" AS o0, count(*) AS o1 FROM "orders" GROUP BY "customer"',
    '          HashAggregate: keys ["customer"] aggs [count]',
    '            -> Seq Scan on orders (chunks: 0 scanned, 0 pruned)',
    '    Shard 00000000-0000-4000-8000-000000000002:8:0: rows=7 time=1.000 ms',
    '    Shard 00000000-0000-4000-8000-000000000002:8:1: rows=7 time=0.000 ms',
    '    Shard 00000000-0000-4000-8000-000000000002:8:2: rows=7 time=1.000 ms',
    '    Shard 00000000-0000-4000-8000-000000000002:8:3: rows=7 time=0.000 ms',
    '    Shard 00000000-0000-4000-8000-000000000002:8:4: rows=7 time=1.000 ms',
    '    Shard 00000000-0000-4000-8000-000000000002:8:5: rows=7 time=0.000 ms',
    '    Shard 00000000-0000-4000-8000-000000000002:8:6: rows=7 time=0.000 ms',
    '    Shard 00000000-0000-4000-8000-000000000002:8:7: rows=7 time=0.000 ms',
    'Execution Time: 106.000 ms',
  ],
};

export const analyzeJoin: CapturedPlan = {
  sql: 'EXPLAIN ANALYZE SELECT o.id, c.region FROM orders o JOIN customers c ON c.name = o.customer WHERE o.amount > 100',
  lines: [
    'Custom Scan (Orochi Coordinator)  (actual rows=38)',
    '  Coordinator plan (the statement on the coordinator engine over gathered rows):',
    '    Project: id, region',
    '      -> Hash inner Join on customer = name',
    '        -> Seq Scan on orders (chunks: 0 scanned, 0 pruned)',
    '            Filter: (amount > 100)',
    '        -> Seq Scan on customers (chunks: 0 scanned, 0 pruned)',
    '  ->  Gather from "orders"  (shards: 8 of 8 scanned, 0 pruned)',
    '    Task Count: 8',
    '    Tasks Shown: One of 8',
    '    ->  Task',
    '          Fragment: SELECT "id" AS o0, "customer" AS o1, "amount" AS o2 FROM "orders" WHERE ("amount" > (100)::int4) LIMIT 699051',
    '          Limit',
    '            -> Seq Scan on orders (chunks: 0 scanned, 0 pruned)',
    '                Filter: ("amount" > 100)',
    '    Shard 00000000-0000-4000-8000-000000000002:8:0: rows=12 time=1.000 ms',
    '    Shard 00000000-0000-4000-8000-000000000002:8:1: rows=15 time=0.000 ms',
    '    Shard 00000000-0000-4000-8000-000000000002:8:2: rows=15 time=1.000 ms',
    '    Shard 00000000-0000-4000-8000-000000000002:8:3: rows=14 time=0.000 ms',
    '    Shard 00000000-0000-4000-8000-000000000002:8:4: rows=21 time=1.000 ms',
    '    Shard 00000000-0000-4000-8000-000000000002:8:5: rows=18 time=0.000 ms',
    '    Shard 00000000-0000-4000-8000-000000000002:8:6: rows=18 time=0.000 ms',
    '    Shard 00000000-0000-4000-8000-000000000002:8:7: rows=21 time=1.000 ms',
    '  ->  Gather from "customers"  (shards: 1 of 1 scanned, 0 pruned)',
    '    Task Count: 1',
    '    Tasks Shown: One of 1',
    '    ->  Task',
    '          Fragment: SELECT "name" AS o0, "region" AS o1 FROM "customers" LIMIT 1000001',
    '          Limit',
    '            -> Seq Scan on customers (chunks: 0 scanned, 0 pruned)',
    '    Shard 00000000-0000-4000-8000-000000000002:1:0: rows=2 time=1.000 ms',
    'Execution Time: 8.000 ms',
  ],
};

export const analyzeHypertable: CapturedPlan = {
  sql: "EXPLAIN ANALYZE SELECT time_bucket('1 hour', time) AS b, host, avg(usage) FROM cpu WHERE time >= '2024-01-01 05:00:00+00' GROUP BY b, host ORDER BY b",
  lines: [
    'Custom Scan (Orochi Distributed)  (actual rows=15)',
    '  Merge on coordinator: combine partial aggregates, sort',
    '  ->  Exchange on "cpu"  (shards: 1 of 1 scanned, 0 pruned)',
    '    Task Count: 1',
    '    Tasks Shown: One of 1',
    '    ->  Task',
    '          Fragment: SELECT time_bucket(\'3600000000 microseconds\'::interval, "time", \'2000-01-03 00:00:00.000000+00\'::timestamptz) AS o0, "host" AS o1, sum("usage") AS o2, count("usage") AS o3 FROM "cpu" WHERE ("time" >= \'2024-01-01 05:00:00.000000+00\'::timestamptz) GROUP BY time_bucket(\'3600000000 microseconds\'::interval, "time", \'2000-01-03 00:00:00.000000+00\'::timestamptz), "host"',
    '          HashAggregate: keys [time_bucket(\'01:00:00\'::interval, "time", \'2000-01-03 00:00:00+00\'::timestamp with time zone), "host"] aggs [sum, count]',
    '            -> Seq Scan on cpu (chunks: 0 scanned, 0 pruned)',
    '                Filter: ("time" >= \'2024-01-01 05:00:00+00\'::timestamp with time zone)',
    '    Shard 00000000-0000-4000-8000-000000000002:1:0: rows=15 time=1.000 ms',
    'Execution Time: 3.000 ms',
  ],
};

export const analyzeHypertableLimit: CapturedPlan = {
  sql: "EXPLAIN ANALYZE SELECT * FROM cpu WHERE time < '2024-01-01 02:00:00+00' ORDER BY time LIMIT 5",
  lines: [
    'Custom Scan (Orochi Distributed)  (actual rows=5)',
    '  Merge on coordinator: concatenate rows, sort, limit 5 offset 0',
    '  ->  Exchange on "cpu"  (shards: 1 of 1 scanned, 0 pruned)',
    '    Task Count: 1',
    '    Tasks Shown: One of 1',
    '    ->  Task',
    '          Fragment: SELECT "time" AS o0, "host" AS o1, "usage" AS o2 FROM "cpu" WHERE ("time" < \'2024-01-01 02:00:00.000000+00\'::timestamptz) ORDER BY "time" ASC NULLS LAST LIMIT 5',
    '          Limit',
    '            -> Top-5 Sort: $col0',
    '              -> Seq Scan on cpu (chunks: 0 scanned, 0 pruned)',
    '                  Filter: ("time" < \'2024-01-01 02:00:00+00\'::timestamp with time zone)',
    '    Shard 00000000-0000-4000-8000-000000000002:1:0: rows=5 time=2.000 ms',
    'Execution Time: 2.000 ms',
  ],
};

export const explainConstant: CapturedPlan = {
  sql: 'EXPLAIN SELECT 1 AS one',
  lines: [
    'Custom Scan (Orochi Coordinator)',
    '  Coordinator plan (the statement on the coordinator engine over gathered rows):',
    '    Project: 1',
    '      -> Values',
  ],
};
