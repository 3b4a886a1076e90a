/**
 * @module web/sql/plan-tree
 * Reads the data plane's EXPLAIN text (one "QUERY PLAN" row per line, as
 * PostgreSQL prints plans; see engine/distributed/coordinator-explain) back
 * into a tree for the SQL editor to draw. Pure: no DOM, no React.
 *
 * The text mixes two indentation styles: the distributed part in
 * PostgreSQL's (`->  Node`, its details indented under it) and the engine's
 * plans of a fragment or of the coordinator (`-> Node`, the first line
 * unmarked). One rule reads both: a line is a node when it starts with `->`,
 * is the first line, or opens an engine plan (the line after `Fragment:` at
 * the same indent, or the first line under `Coordinator plan …:`); any other
 * line is a detail of the nearest node above it that is indented less.
 */

/** Shards an exchange ran on, out of the table's. */
export interface ShardCounts {
  readonly scanned: number;
  readonly total: number;
  readonly pruned: number;
}

/** Chunks a scan read and skipped (hypertables; 0 and 0 in plans of a shard before it runs). */
export interface ChunkCounts {
  readonly scanned: number;
  readonly pruned: number;
}

/** One shard's run of a fragment (EXPLAIN ANALYZE). */
export interface ShardRun {
  readonly shard: string;
  readonly rows: number;
  readonly ms: number;
}

/** A detail line of a node: `Key: value`, or a bare `value` (key empty). */
export interface PlanProperty {
  readonly key: string;
  readonly value: string;
}

/**
 * `exchange`: a fragment sent to shards (`Exchange on`, `Gather from`);
 * `task`: what one shard runs (its `fragment` and engine plan);
 * `coordinator`: the coordinator's own engine plan; `operator`: anything else.
 */
export type PlanNodeKind = 'exchange' | 'task' | 'coordinator' | 'operator';

export interface PlanNode {
  /** Stable within one plan: the node's path of child indexes, e.g. `0.1.0`. */
  readonly id: string;
  readonly kind: PlanNodeKind;
  /** The node's line without its `->` and without the counts shown as badges. */
  readonly title: string;
  /** Index of the node's line in the plan's lines. */
  readonly line: number;
  readonly properties: readonly PlanProperty[];
  readonly children: readonly PlanNode[];
  readonly shards?: ShardCounts;
  readonly chunks?: ChunkCounts;
  /** `(actual rows=N)` of EXPLAIN ANALYZE. */
  readonly actualRows?: number;
  /** The SQL a task sends to each shard. */
  readonly fragment?: string;
  /** Per-shard rows and time (EXPLAIN ANALYZE of an exchange). */
  readonly runs?: readonly ShardRun[];
}

export interface PlanTree {
  readonly root: PlanNode;
  /** `Execution Time:` of EXPLAIN ANALYZE, in milliseconds. */
  readonly executionMs?: number;
}

type Draft = Omit<{ -readonly [K in keyof PlanNode]: PlanNode[K] }, 'properties' | 'runs' | 'children'> & {
  properties: PlanProperty[];
  runs?: ShardRun[];
  children: Draft[];
  indent: number;
};

const SHARDS = /\s*\(shards: (\d+) of (\d+) scanned, (\d+) pruned\)/;
const CHUNKS = /\s*\(chunks: (\d+) scanned, (\d+) pruned\)/;
const ACTUAL = /\s*\(actual rows=(\d+)\)/;
const RUN = /^Shard (.+): rows=(\d+) time=([\d.]+) ms$/;
const EXECUTION = /^Execution Time: ([\d.]+) ms$/;
const COORDINATOR = /^Coordinator plan\b.*:$/;

/** True when a result is an EXPLAIN answer: its only column is "QUERY PLAN". */
export function isQueryPlan(columns: readonly { readonly name: string }[]): boolean {
  return columns.length === 1 && columns[0].name === 'QUERY PLAN';
}

function node(text: string, indent: number, line: number, kind?: PlanNodeKind): Draft {
  let title = text;
  const d: Draft = { id: '', kind: 'operator', title, line, properties: [], children: [], indent };
  const take = (re: RegExp) => {
    const m = re.exec(title);
    if (m) title = title.replace(re, '');
    return m;
  };
  const s = take(SHARDS);
  if (s) d.shards = { scanned: Number(s[1]), total: Number(s[2]), pruned: Number(s[3]) };
  const c = take(CHUNKS);
  if (c) d.chunks = { scanned: Number(c[1]), pruned: Number(c[2]) };
  const a = take(ACTUAL);
  if (a) d.actualRows = Number(a[1]);
  d.title = title.trim();
  d.kind =
    kind ??
    (/^(Exchange on|Gather from)\b/.test(d.title) ? 'exchange' : d.title === 'Task' ? 'task' : 'operator');
  return d;
}

function property(d: Draft, text: string): void {
  const run = RUN.exec(text);
  if (run) {
    d.runs ??= [];
    d.runs.push({ shard: run[1], rows: Number(run[2]), ms: Number(run[3]) });
    return;
  }
  const colon = text.indexOf(': ');
  const p =
    colon > 0 ? { key: text.slice(0, colon), value: text.slice(colon + 2) } : { key: '', value: text };
  if (p.key === 'Fragment') d.fragment = p.value;
  d.properties.push(p);
}

function freeze(d: Draft, id: string): PlanNode {
  const { indent: _, children, ...rest } = d;
  return { ...rest, id, children: children.map((c, i) => freeze(c, `${id}.${i}`)) };
}

/** Parses the lines of an EXPLAIN answer; undefined when there are none. Never throws. */
export function parsePlan(lines: readonly string[]): PlanTree | undefined {
  const rows = lines.map((l, i) => ({ i, indent: l.length - l.trimStart().length, text: l.trim() }));
  const first = rows.findIndex((r) => r.text !== '');
  if (first < 0) return undefined;
  const root = node(rows[first].text, rows[first].indent, first);
  const stack: Draft[] = [root];
  let executionMs: number | undefined;
  // Where the next line opens an engine plan: after `Fragment:` (same indent) or `Coordinator plan:` (deeper).
  let opensPlan: { indent: number; same: boolean } | undefined;
  for (const r of rows.slice(first + 1)) {
    if (!r.text) continue;
    const arrow = r.text.startsWith('->');
    const opens = opensPlan && (opensPlan.same ? r.indent === opensPlan.indent : r.indent > opensPlan.indent);
    opensPlan = undefined;
    while (stack.length > 1 && stack[stack.length - 1].indent >= r.indent) stack.pop();
    const parent = stack[stack.length - 1];
    if (arrow || opens) {
      const d = node(arrow ? r.text.replace(/^->\s*/, '') : r.text, r.indent, r.i);
      parent.children.push(d);
      stack.push(d);
      continue;
    }
    const exec = EXECUTION.exec(r.text);
    if (exec && r.indent <= root.indent) {
      executionMs = Number(exec[1]);
      continue;
    }
    if (COORDINATOR.test(r.text)) {
      // The header becomes the node that holds the coordinator's engine plan.
      const d = node(r.text.replace(/:$/, ''), r.indent, r.i, 'coordinator');
      parent.children.push(d);
      stack.push(d);
      opensPlan = { indent: r.indent, same: false };
      continue;
    }
    property(parent, r.text);
    if (r.text.startsWith('Fragment: ')) opensPlan = { indent: r.indent, same: true };
  }
  return { root: freeze(root, '0'), executionMs };
}

/** Every node of a tree, depth first (the order the tree is drawn in). */
export function walkPlan(n: PlanNode): PlanNode[] {
  return [n, ...n.children.flatMap(walkPlan)];
}
