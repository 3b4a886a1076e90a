/**
 * @module engine/plan/nodes
 * The immutable logical plan: bound expressions and plan nodes, each a readonly
 * interface with a `kind` discriminant. The binder builds them; planner rules
 * (engine/plan/rules) rewrite them as pure functions; the executor compiles them.
 *
 * Column references are positional (`index` into the input row of the node that
 * evaluates the expression); a join's row is its left row followed by its right row.
 */
import type { TypMod } from '../types/typmod.ts';
import type { SqlType } from '../types/values.ts';

/** A resolved scalar implementation; arguments are non-null unless `strict` is false. */
export interface ScalarImpl {
  readonly name: string;
  readonly strict: boolean;
  readonly fn: (...args: unknown[]) => unknown;
}

export type Expr =
  | {
      readonly kind: 'col';
      readonly index: number;
      readonly type: SqlType;
      readonly name?: string;
      /** 0-based source offset, for error positions (ignored by fingerprints). */
      readonly pos?: number;
    }
  | { readonly kind: 'outer'; readonly depth: number; readonly index: number; readonly type: SqlType }
  | { readonly kind: 'const'; readonly value: unknown; readonly type: SqlType }
  | { readonly kind: 'param'; readonly index: number; readonly type: SqlType }
  | {
      readonly kind: 'call';
      readonly name: string;
      readonly args: readonly Expr[];
      readonly type: SqlType;
      readonly impl: ScalarImpl;
      /** A `typmod` call: the modifier it enforces, and whether as an explicit cast (vs. an assignment). */
      readonly typmod?: { readonly mod: TypMod; readonly explicit: boolean };
    }
  | { readonly kind: 'and' | 'or'; readonly args: readonly Expr[]; readonly type: 'bool' }
  | { readonly kind: 'not'; readonly arg: Expr; readonly type: 'bool' }
  | { readonly kind: 'isnull'; readonly arg: Expr; readonly negate: boolean; readonly type: 'bool' }
  | {
      readonly kind: 'istrue';
      readonly arg: Expr;
      readonly value: boolean | null;
      readonly negate: boolean;
      readonly type: 'bool';
    }
  | {
      readonly kind: 'distinctfrom';
      readonly left: Expr;
      readonly right: Expr;
      readonly negate: boolean;
      readonly type: 'bool';
    }
  | {
      readonly kind: 'case';
      readonly whens: readonly { readonly when: Expr; readonly result: Expr }[];
      readonly otherwise?: Expr;
      readonly type: SqlType;
    }
  | { readonly kind: 'coalesce'; readonly args: readonly Expr[]; readonly type: SqlType }
  | {
      readonly kind: 'minmax';
      readonly op: 'greatest' | 'least';
      readonly args: readonly Expr[];
      readonly type: SqlType;
    }
  | {
      readonly kind: 'in';
      readonly arg: Expr;
      readonly list: readonly Expr[];
      readonly negate: boolean;
      readonly type: 'bool';
    }
  | {
      readonly kind: 'subquery';
      readonly mode: 'scalar' | 'exists' | 'in';
      readonly plan: Plan;
      readonly arg?: Expr;
      readonly negate: boolean;
      readonly correlated: boolean;
      readonly type: SqlType;
    };

/** An output column of a plan node. */
export interface Column {
  readonly name: string;
  readonly type: SqlType;
}

export interface SortKey {
  readonly expr: Expr;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

export interface AggCall {
  readonly name: string;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly star: boolean;
  readonly filter?: Expr;
  readonly orderBy?: readonly SortKey[];
  readonly type: SqlType;
}

/** A RANGE frame bound `offset PRECEDING|FOLLOWING`: the offset, an expression of the in_range type without columns. */
export interface RangeBound {
  readonly offset: Expr;
  readonly preceding: boolean;
}

export interface WindowFrame {
  readonly mode: 'rows' | 'range' | 'groups';
  /**
   * Offsets relative to the current row (rows) or peer group (groups; range: 0, the
   * current row's peers, or see rangeStart/rangeEnd); -Infinity/Infinity are UNBOUNDED.
   */
  readonly start: number;
  readonly end: number;
  /** RANGE bounds with an offset (see exec/window-range); the frame has one ORDER BY key. */
  readonly rangeStart?: RangeBound;
  readonly rangeEnd?: RangeBound;
  /** EXCLUDE CURRENT ROW / GROUP / TIES; absent for EXCLUDE NO OTHERS. */
  readonly exclude?: 'current' | 'group' | 'ties';
}

export interface WindowCall {
  readonly name: string;
  readonly args: readonly Expr[];
  readonly partition: readonly Expr[];
  readonly order: readonly SortKey[];
  readonly frame: WindowFrame;
  readonly type: SqlType;
}

/** A min/max bound on a scan column derived from the filter, used for zone-map pruning. */
export interface ColumnRange {
  readonly column: number; // index into the table's columns
  readonly min?: unknown;
  readonly minInclusive: boolean;
  readonly max?: unknown;
  readonly maxInclusive: boolean;
  /** Equality set (IN list); a chunk is skipped when no value lies in [min, max]. */
  readonly values?: readonly unknown[];
}

export type Plan =
  | {
      readonly kind: 'scan';
      readonly table: string;
      readonly columns: readonly number[];
      readonly schema: readonly Column[];
      readonly filter?: Expr;
      readonly ranges: readonly ColumnRange[];
      readonly withRowId: boolean;
      /** Per scan column: false when no operator reads it (set by markNeededColumns). */
      readonly needed?: readonly boolean[];
    }
  | {
      readonly kind: 'values';
      readonly rows: readonly (readonly Expr[])[];
      readonly schema: readonly Column[];
    }
  | {
      readonly kind: 'filter';
      readonly input: Plan;
      readonly predicate: Expr;
      readonly schema: readonly Column[];
    }
  | {
      readonly kind: 'project';
      readonly input: Plan;
      readonly exprs: readonly Expr[];
      readonly schema: readonly Column[];
    }
  | {
      readonly kind: 'aggregate';
      readonly input: Plan;
      readonly groups: readonly Expr[];
      readonly aggs: readonly AggCall[];
      readonly schema: readonly Column[];
    }
  | {
      readonly kind: 'window';
      readonly input: Plan;
      readonly calls: readonly WindowCall[];
      readonly schema: readonly Column[];
    }
  | {
      readonly kind: 'sort';
      readonly input: Plan;
      readonly keys: readonly SortKey[];
      /** Set by the top-k rule: only the first `limit` rows are needed. */
      readonly limit?: number;
      readonly schema: readonly Column[];
    }
  | {
      readonly kind: 'limit';
      readonly input: Plan;
      readonly limit?: Expr;
      readonly offset?: Expr;
      readonly schema: readonly Column[];
    }
  | {
      readonly kind: 'distinct';
      readonly input: Plan;
      readonly on?: readonly Expr[];
      readonly schema: readonly Column[];
    }
  | {
      readonly kind: 'join';
      readonly joinType: 'inner' | 'left' | 'right' | 'full' | 'cross' | 'semi' | 'anti';
      readonly left: Plan;
      readonly right: Plan;
      readonly leftKeys: readonly Expr[];
      readonly rightKeys: readonly Expr[];
      readonly residual?: Expr;
      readonly schema: readonly Column[];
    }
  | {
      readonly kind: 'setop';
      readonly op: 'union' | 'intersect' | 'except';
      readonly all: boolean;
      readonly left: Plan;
      readonly right: Plan;
      readonly schema: readonly Column[];
    }
  | {
      readonly kind: 'function';
      readonly name: string;
      readonly args: readonly Expr[];
      readonly schema: readonly Column[];
    }
  | {
      /** WITH RECURSIVE: `base`, then `step` re-run over the previous iteration's rows until none are new. */
      readonly kind: 'recursive';
      readonly name: string;
      /** Identifies the working table the step's `worktable` leaves read. */
      readonly id: number;
      readonly all: boolean;
      readonly base: Plan;
      readonly step: Plan;
      readonly schema: readonly Column[];
    }
  | {
      /** The rows of the current iteration of the recursive CTE `id`. */
      readonly kind: 'worktable';
      readonly name: string;
      readonly id: number;
      readonly schema: readonly Column[];
    }
  | {
      /**
       * GROUPING SETS / ROLLUP / CUBE: one aggregation per set (indexes into `groups`);
       * output = groups (NULL when not in the row's set), aggs, then one column per
       * GROUPING() call whose value for set s is `grouping[call][s]`.
       */
      readonly kind: 'groupingsets';
      readonly input: Plan;
      readonly groups: readonly Expr[];
      readonly sets: readonly (readonly number[])[];
      readonly aggs: readonly AggCall[];
      readonly grouping: readonly (readonly number[])[];
      readonly schema: readonly Column[];
    }
  | {
      /**
       * LATERAL: `right` re-runs per left row with that row pushed as its innermost
       * outer row (its `outer` depth-1 references read it); the residual sees left ++ right.
       */
      readonly kind: 'apply';
      readonly joinType: 'inner' | 'left';
      readonly left: Plan;
      readonly right: Plan;
      readonly residual?: Expr;
      readonly schema: readonly Column[];
    }
  | {
      /** Set-returning functions in a select list: input columns ++ one column per SRF, in lock-step. */
      readonly kind: 'projectset';
      readonly input: Plan;
      readonly srfs: readonly SrfCall[];
      readonly schema: readonly Column[];
    };

/** A set-returning function call (unnest, generate_series) evaluated per input row. */
export interface SrfCall {
  readonly name: string;
  readonly args: readonly Expr[];
  readonly type: SqlType;
}

export type PlanKind = Plan['kind'];
