/**
 * @module web/sql/PlanTree
 * An EXPLAIN answer drawn as a collapsible tree (parsed by `plan-tree.ts`),
 * with a toggle to the raw text. Exchanges and the fragments shards run are
 * highlighted; shard and chunk pruning and ANALYZE's rows and times are badges.
 *
 * The tree is the WAI-ARIA treeview pattern written out (roving tabindex;
 * arrows move, Right/Left expand and collapse, Home/End, Enter/Space toggle)
 * rather than a tree library: plans have tens of nodes, so nothing needs
 * virtualizing, and the libraries that do this well (react-aria's Tree,
 * react-arborist) would add far more code than this file for one view.
 */
import { type KeyboardEvent, useMemo, useRef, useState } from 'react';
import { fmtNumber } from '../components/format.ts';
import { type PlanTree as Plan, type PlanNode, parsePlan } from './plan-tree.ts';
import './plan-tree.css';

const ms = (v: number) => `${v.toFixed(3)} ms`;

/** The nodes a person can reach: each node, then its children when it is expanded. */
function visible(
  n: PlanNode,
  collapsed: ReadonlySet<string>,
  parent?: PlanNode,
): { n: PlanNode; parent?: PlanNode }[] {
  const self = { n, parent };
  if (collapsed.has(n.id)) return [self];
  return [self, ...n.children.flatMap((c) => visible(c, collapsed, n))];
}

function Badges({ n }: { n: PlanNode }) {
  return (
    <>
      {n.shards && (
        <>
          <span className="badge plan-badge-scanned" data-testid="plan-shards">
            shards {n.shards.scanned} of {n.shards.total} scanned
          </span>
          <span
            className={`badge ${n.shards.pruned ? 'plan-badge-pruned' : ''}`}
            data-testid="plan-shards-pruned"
          >
            {n.shards.pruned} pruned
          </span>
        </>
      )}
      {n.chunks && (
        <span className="badge" data-testid="plan-chunks">
          chunks {n.chunks.scanned} scanned, {n.chunks.pruned} pruned
        </span>
      )}
      {n.actualRows !== undefined && (
        <span className="badge plan-badge-actual" data-testid="plan-actual-rows">
          {fmtNumber(n.actualRows)} {n.actualRows === 1 ? 'row' : 'rows'}
        </span>
      )}
    </>
  );
}

function Details({ n }: { n: PlanNode }) {
  const shown = n.properties.filter((p) => p.key !== 'Fragment');
  return (
    <>
      {n.fragment !== undefined && (
        <div className="plan-fragment" data-testid="plan-fragment">
          <span className="plan-key">Fragment (runs on each shard)</span>
          <code>{n.fragment}</code>
        </div>
      )}
      {shown.length > 0 && (
        <dl className="plan-props">
          {shown.map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: details are fixed lines of one plan, never reordered.
            <div key={i}>
              {p.key && <dt>{p.key}</dt>}
              <dd>{p.value}</dd>
            </div>
          ))}
        </dl>
      )}
      {n.runs && (
        <div className="plan-runs-scroll">
          <table className="plan-runs" data-testid="plan-runs">
            <caption>Per shard (EXPLAIN ANALYZE)</caption>
            <thead>
              <tr>
                <th scope="col">Shard</th>
                <th scope="col">Rows</th>
                <th scope="col">Time</th>
              </tr>
            </thead>
            <tbody>
              {n.runs.map((r) => (
                <tr key={r.shard}>
                  <td>
                    <code>{r.shard}</code>
                  </td>
                  <td>{fmtNumber(r.rows)}</td>
                  <td>{ms(r.ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

interface ItemProps {
  n: PlanNode;
  level: number;
  setSize: number;
  pos: number;
  collapsed: ReadonlySet<string>;
  focus: string;
  toggle: (id: string) => void;
  select: (id: string) => void;
}

function Item({ n, level, setSize, pos, collapsed, focus, toggle, select }: ItemProps) {
  const open = !collapsed.has(n.id);
  const hasChildren = n.children.length > 0;
  const titleId = `plan-node-${n.id}`;
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the tree handles the keys of every item (Tree's onKeyDown).
    <div
      role="treeitem"
      aria-level={level}
      aria-setsize={setSize}
      aria-posinset={pos}
      aria-expanded={hasChildren ? open : undefined}
      aria-selected={focus === n.id}
      aria-labelledby={titleId}
      tabIndex={focus === n.id ? 0 : -1}
      data-node={n.id}
      data-kind={n.kind}
      className={`plan-item plan-${n.kind}`}
      onFocus={(e) => {
        if (e.target === e.currentTarget) select(n.id);
      }}
      // A click on the node's own row toggles it (not one in its details, where text is selected and copied).
      onClick={(e) => {
        const row = (e.target as Element).closest('.plan-node');
        if (row?.parentElement !== e.currentTarget) return;
        select(n.id);
        if (hasChildren) toggle(n.id);
      }}
    >
      <div className="plan-node">
        <span className="plan-twisty" aria-hidden="true">
          {hasChildren ? (open ? '▾' : '▸') : '•'}
        </span>
        <span className="plan-title" id={titleId}>
          {n.kind === 'exchange' && <span className="plan-tag">exchange</span>}
          {n.kind === 'task' && <span className="plan-tag">per shard</span>}
          {n.kind === 'coordinator' && <span className="plan-tag">coordinator</span>}
          {n.title}
        </span>
        <Badges n={n} />
      </div>
      <Details n={n} />
      {hasChildren && open && (
        // biome-ignore lint/a11y/useSemanticElements: a treeitem's children are a role="group", not a form's fieldset.
        <div role="group">
          {n.children.map((c, i) => (
            <Item
              key={c.id}
              n={c}
              level={level + 1}
              setSize={n.children.length}
              pos={i + 1}
              collapsed={collapsed}
              focus={focus}
              toggle={toggle}
              select={select}
            />
          ))}
        </div>
      )}
    </div>
  );
}

function Tree({ plan }: { plan: Plan }) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [focus, setFocus] = useState(plan.root.id);
  const list = useRef<HTMLDivElement>(null);
  const toggle = (id: string) =>
    setCollapsed((c) => {
      const next = new Set(c);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const moveTo = (id: string) => {
    setFocus(id);
    list.current?.querySelector<HTMLElement>(`[data-node="${id}"]`)?.focus();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const items = visible(plan.root, collapsed);
    const at = items.findIndex((x) => x.n.id === focus);
    if (at < 0) return moveTo(plan.root.id);
    const { n, parent } = items[at];
    const open = n.children.length > 0 && !collapsed.has(n.id);
    const toggleHere = () => n.children.length > 0 && toggle(n.id);
    switch (e.key) {
      case 'ArrowDown':
        if (at + 1 < items.length) moveTo(items[at + 1].n.id);
        break;
      case 'ArrowUp':
        if (at > 0) moveTo(items[at - 1].n.id);
        break;
      case 'Home':
        moveTo(items[0].n.id);
        break;
      case 'End':
        moveTo(items[items.length - 1].n.id);
        break;
      case 'ArrowRight':
        if (open) moveTo(n.children[0].id);
        else toggleHere();
        break;
      case 'ArrowLeft':
        if (open) toggle(n.id);
        else if (parent) moveTo(parent.id);
        break;
      case 'Enter':
      case ' ':
        toggleHere();
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  return (
    <>
      <div role="tree" aria-label="Query plan" className="plan-tree" ref={list} onKeyDown={onKeyDown}>
        <Item
          n={plan.root}
          level={1}
          setSize={1}
          pos={1}
          collapsed={collapsed}
          focus={focus}
          toggle={toggle}
          select={setFocus}
        />
      </div>
      {plan.executionMs !== undefined && (
        <p className="plan-execution" data-testid="plan-execution">
          Execution time <strong>{ms(plan.executionMs)}</strong>
        </p>
      )}
    </>
  );
}

/** An EXPLAIN answer: the tree, or the raw lines at a click. */
export function PlanView({ lines }: { lines: readonly string[] }) {
  const plan = useMemo(() => parsePlan(lines), [lines]);
  const [raw, setRaw] = useState(!plan);
  return (
    <div className="plan-view" data-testid="plan-view">
      <div className="plan-toolbar">
        <button type="button" aria-pressed={raw} onClick={() => setRaw(!raw)} disabled={!plan}>
          Raw text
        </button>
      </div>
      {raw || !plan ? (
        <pre className="plan-raw" data-testid="plan-raw">
          {lines.join('\n')}
        </pre>
      ) : (
        <Tree plan={plan} />
      )}
    </div>
  );
}
