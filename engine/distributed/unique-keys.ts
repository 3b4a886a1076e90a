/**
 * @module engine/distributed/unique-keys
 * PRIMARY KEY / UNIQUE constraints: naming and checking them as PostgreSQL
 * does, and INSERT … ON CONFLICT. Pure: the shard supplies a `KeyLookup` over
 * its hot rows, chunks and the write intents of prepared transactions (see
 * durable-objects/shard-unique), and applies the `KeyedWrite` this computes.
 *
 * A distributed table's constraints include its distribution column, so equal
 * keys land on one shard and a per-shard check is a global one (as in Citus).
 */
import { SqlError, SqlState } from '../errors.ts';
import { formatText } from '../types/cast.ts';
import { declaredType, enforceTypmod } from './column-types.ts';
import type { DmlSql } from './dml-sql.ts';
import { evaluateDml } from './fragment-engine.ts';
import type { DistColumn, DistTable, Row, UniqueConstraint } from './table-schema.ts';

/** A column ON CONFLICT DO UPDATE sets (its value is the engine's, see `OnConflict.dml`). */
export interface ConflictSet {
  readonly column: Pick<DistColumn, 'id' | 'name' | 'type' | 'sqlType' | 'typmod' | 'notNull'>;
}

/** INSERT … ON CONFLICT [target] DO NOTHING | DO UPDATE SET … [WHERE …]. */
export interface OnConflict {
  /** The arbiter constraint's name; undefined = every constraint (DO NOTHING without a target). */
  readonly constraint?: string;
  readonly action: 'nothing' | 'update';
  readonly set?: readonly ConflictSet[];
  /**
   * DO UPDATE: the SET values (in `set` order) and WHERE as a SELECT the engine evaluates over
   * the existing row plus EXCLUDED at `excludedBase + id` (see `on-conflict`).
   */
  readonly dml?: DmlSql;
  /** Where EXCLUDED's column ids start in the row `dml` reads (the table's nextColumnId). */
  readonly excludedBase: number;
}

/** A stored row that holds a key. */
export interface KeyHolder {
  /** `h:<rid>` hot row, `c:<chunk>:<offset>` chunk row, `i:<txn>` another transaction's write intent. */
  readonly ref: string;
  /** The full row (undefined for write intents, which are not rows yet). */
  row(): Row | undefined;
}

/** Finds the holders of keys of one constraint among stored rows and write intents. */
export interface KeyLookup {
  find(c: UniqueConstraint, keys: ReadonlyMap<string, Row>): Map<string, KeyHolder>;
}

/** What an INSERT (with or without ON CONFLICT) or UPDATE does once checked. */
export interface KeyedWrite {
  /** Rows to store (new rows and new versions of updated ones). */
  readonly rows: Row[];
  /** Stored rows replaced by ON CONFLICT DO UPDATE (refs as in `KeyHolder`). */
  readonly replaced: string[];
  /** Rows inserted or updated (what INSERT reports). */
  readonly affected: number;
}

/** Names constraints as PostgreSQL does (`t_pkey`, `t_a_b_key`, then `…1`, `…2` when taken). */
export function nameConstraints(
  table: string,
  specs: readonly { name?: string; columns: readonly string[]; primary: boolean }[],
  columns: readonly Pick<DistColumn, 'id' | 'name'>[],
): UniqueConstraint[] {
  const out: UniqueConstraint[] = [];
  const taken = new Set<string>();
  if (specs.filter((s) => s.primary).length > 1)
    throw new SqlError('42P16', `multiple primary keys for table "${table}" are not allowed`);
  for (const s of specs) {
    const ids = s.columns.map((name) => {
      const col = columns.find((c) => c.name === name);
      if (!col) throw new SqlError(SqlState.undefinedColumn, `column "${name}" named in key does not exist`);
      return col.id;
    });
    if (new Set(ids).size !== ids.length)
      throw new SqlError(
        SqlState.duplicateColumn,
        `column appears twice in ${s.primary ? 'primary' : 'unique'} key`,
      );
    // PostgreSQL keeps one index when two constraints name the same columns only if both are written; keep both.
    let name = s.name;
    if (name === undefined) {
      const base = s.primary ? `${table}_pkey` : `${table}_${s.columns.join('_')}_key`;
      name = base;
      for (let n = 1; taken.has(name); n++) name = `${base}${n}`;
    } else if (taken.has(name)) throw new SqlError('42P07', `relation "${name}" already exists`);
    taken.add(name);
    out.push({ name, columnIds: ids, primary: s.primary });
  }
  return out;
}

/** A constraint's key of `row`, or undefined when a key column is NULL (NULLs are distinct). */
export function keyOf(row: Row, ids: readonly number[]): string | undefined {
  let k = '';
  for (let i = 0; i < ids.length; i++) {
    const v = row[ids[i]];
    if (v === null || v === undefined) return undefined;
    const part =
      typeof v === 'string'
        ? JSON.stringify(v)
        : typeof v === 'number'
          ? Number.isNaN(v)
            ? 'NaN'
            : String(v === 0 ? 0 : v)
          : String(v);
    k = i === 0 ? part : `${k},${part}`;
  }
  return k;
}

/** PostgreSQL's text form of a key value (for the DETAIL line). */
function keyText(v: unknown, col: DistColumn | undefined): string {
  if (typeof v === 'boolean') return v ? 't' : 'f';
  // The declared type's output (timestamp vs timestamptz, date, real, double precision).
  if (col && typeof v === 'number') return formatText(v, declaredType(col));
  return String(v);
}

/** 23505 as PostgreSQL words it, with the DETAIL line folded into the message. */
export function uniqueViolation(t: DistTable, c: UniqueConstraint, row: Row): SqlError {
  const cols = c.columnIds.map((id) => t.columns.find((x) => x.id === id));
  const names = cols.map((x) => x?.name ?? '?').join(', ');
  const values = c.columnIds.map((id, i) => keyText(row[id], cols[i])).join(', ');
  return new SqlError(
    SqlState.uniqueViolation,
    `duplicate key value violates unique constraint "${c.name}"\nDETAIL: Key (${names})=(${values}) already exists.`,
  );
}

/** Column ids a set of UPDATE assignments touches that belong to some constraint (none: no check needed). */
export function touchesKeys(t: DistTable, setIds: readonly number[]): boolean {
  return (t.unique ?? []).some((c) => c.columnIds.some((id) => setIds.includes(id)));
}

/**
 * Checks and resolves an INSERT of `proposed` rows (ON CONFLICT optional), or
 * the new versions of an UPDATE (`removed`: refs of the rows they replace).
 * Throws 23505 on a violation, 21000 when DO UPDATE would touch a row twice,
 * 40001 when DO UPDATE meets a key another transaction holds but has not committed.
 * `intents` false skips write intents (a commit re-resolves with its own intent still logged).
 */
export function resolveKeys(
  t: DistTable,
  proposed: readonly Row[],
  lookup: KeyLookup,
  onConflict?: OnConflict,
  removed: ReadonlySet<string> = new Set(),
): KeyedWrite {
  const constraints = t.unique ?? [];
  if (constraints.length === 0) return { rows: [...proposed], replaced: [], affected: proposed.length };
  const cache = new CachedLookup(lookup);
  const arbiters = onConflict
    ? onConflict.constraint === undefined
      ? constraints
      : constraints.filter((c) => c.name === onConflict.constraint)
    : [];
  let rows: Row[] = [...proposed];
  const replaced: string[] = [];
  let affected = proposed.length;
  if (arbiters.length > 0) {
    const r = applyConflicts(t, proposed, cache, arbiters, onConflict!);
    rows = r.rows;
    replaced.push(...r.replaced);
    affected = r.affected;
  }
  const gone = new Set([...removed, ...replaced]);
  for (const c of constraints) {
    const keys = new Map<string, Row>();
    for (const row of rows) {
      const k = keyOf(row, c.columnIds);
      if (k === undefined) continue;
      if (keys.has(k)) throw uniqueViolation(t, c, row);
      keys.set(k, row);
    }
    if (keys.size === 0) continue;
    const held = cache.find(c, keys);
    for (const [k, h] of held) if (!gone.has(h.ref)) throw uniqueViolation(t, c, keys.get(k)!);
  }
  return { rows, replaced, affected };
}

/** ON CONFLICT over the arbiter constraints, row by row in statement order. */
function applyConflicts(
  t: DistTable,
  proposed: readonly Row[],
  cache: CachedLookup,
  arbiters: readonly UniqueConstraint[],
  oc: OnConflict,
): KeyedWrite {
  // Every arbiter key of the statement looked up at once (one pass over hot rows and chunks).
  for (const c of arbiters) {
    const keys = new Map<string, Row>();
    for (const r of proposed) {
      const k = keyOf(r, c.columnIds);
      if (k !== undefined) keys.set(k, r);
    }
    cache.find(c, keys);
  }
  const rows: Row[] = [];
  const replaced = new Set<string>();
  // Keys this statement already inserted or updated, per arbiter.
  const mine = arbiters.map(() => new Set<string>());
  let affected = 0;
  const claim = (row: Row) =>
    arbiters.forEach((c, i) => {
      const k = keyOf(row, c.columnIds);
      if (k !== undefined) mine[i].add(k);
    });
  for (const row of proposed) {
    let holder: KeyHolder | 'mine' | undefined;
    for (let i = 0; i < arbiters.length && !holder; i++) {
      const k = keyOf(row, arbiters[i].columnIds);
      if (k === undefined) continue;
      if (mine[i].has(k)) holder = 'mine';
      else {
        const h = cache.cached(arbiters[i], k);
        if (h && !replaced.has(h.ref)) holder = h;
      }
    }
    if (!holder) {
      rows.push(row);
      claim(row);
      affected++;
      continue;
    }
    if (oc.action === 'nothing') continue;
    if (holder === 'mine')
      throw new SqlError(
        SqlState.cardinalityViolation,
        'ON CONFLICT DO UPDATE command cannot affect row a second time',
      );
    const existing = holder.row();
    if (!existing)
      throw new SqlError(
        '40001',
        'could not serialize access due to concurrent update: another transaction is inserting this key; retry',
      );
    const next = updatedRow(t, existing, row, oc);
    if (!next) continue; // WHERE not satisfied: the row is left alone and not counted
    replaced.add(holder.ref);
    rows.push(next);
    claim(next);
    claim(existing);
    affected++;
  }
  return { rows, replaced: [...replaced], affected };
}

/** The new version of `existing` under DO UPDATE, or undefined when its WHERE is not true. */
function updatedRow(t: DistTable, existing: Row, excluded: Row, oc: OnConflict): Row | undefined {
  const base = oc.excludedBase;
  const both: Row = new Array(base * 2).fill(null);
  for (const c of t.columns) {
    both[c.id] = existing[c.id] === undefined ? (c.default ?? null) : existing[c.id];
    both[base + c.id] = excluded[c.id] ?? null;
  }
  if (!oc.dml) throw new SqlError(SqlState.internalError, 'ON CONFLICT DO UPDATE without its SET');
  const evaluated = evaluateDml(oc.dml, [both]);
  if (evaluated.positions.length === 0) return undefined; // WHERE not true
  const next: Row = both.slice(0, base);
  (oc.set ?? []).forEach(({ column }, k) => {
    // The SELECT cast the value to the declared type; the modifier applies as in an assignment.
    const v = enforceTypmod(column, evaluated.values[0][k]);
    if (v === null && column.notNull)
      throw new SqlError(
        SqlState.notNullViolation,
        `null value in column "${column.name}" violates not-null constraint`,
      );
    next[column.id] = v;
  });
  if (
    t.placement.kind === 'distributed' &&
    keyOf(next, [t.placement.columnId]) !== keyOf(existing, [t.placement.columnId])
  )
    throw new SqlError(
      SqlState.featureNotSupported,
      'ON CONFLICT DO UPDATE of the distribution column is not supported',
    );
  return next;
}

/** Remembers what the lookup found, so a key is looked up once per statement. */
class CachedLookup {
  private readonly seen = new Map<string, Map<string, KeyHolder | null>>();
  constructor(private readonly inner: KeyLookup) {}

  cached(c: UniqueConstraint, key: string): KeyHolder | undefined {
    return this.seen.get(c.name)?.get(key) ?? undefined;
  }

  find(c: UniqueConstraint, keys: ReadonlyMap<string, Row>): Map<string, KeyHolder> {
    let known = this.seen.get(c.name);
    if (!known) this.seen.set(c.name, (known = new Map()));
    const missing = new Map<string, Row>();
    for (const [k, r] of keys) if (!known.has(k)) missing.set(k, r);
    if (missing.size > 0) {
      const found = this.inner.find(c, missing);
      for (const k of missing.keys()) known.set(k, found.get(k) ?? null);
    }
    const out = new Map<string, KeyHolder>();
    for (const k of keys.keys()) {
      const h = known.get(k);
      if (h) out.set(k, h);
    }
    return out;
  }
}

/** The keys `rows` claim, per constraint name (stored with a prepared write as its intent). */
export function intentKeys(t: DistTable, rows: readonly Row[]): Record<string, string[]> | undefined {
  if (!t.unique?.length) return undefined;
  const out: Record<string, string[]> = {};
  for (const c of t.unique) {
    const keys: string[] = [];
    for (const r of rows) {
      const k = keyOf(r, c.columnIds);
      if (k !== undefined) keys.push(k);
    }
    out[c.name] = keys;
  }
  return out;
}
