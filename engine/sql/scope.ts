/**
 * @module engine/sql/scope
 * Name resolution for the binder: the columns visible in a FROM clause (with
 * their table qualifiers), the enclosing query's scope for correlated
 * subqueries, and the CTEs in force.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Column, Plan } from '../plan/nodes.ts';
import type { SqlType } from '../types/values.ts';

export interface ScopeColumn {
  readonly qualifier: string | undefined;
  readonly name: string;
  readonly type: SqlType;
  /** Hidden columns (row ids) are not expanded by `*`. */
  readonly hidden?: boolean;
}

/** A bound CTE: its plan and output columns. */
export interface Cte {
  readonly plan: Plan;
  readonly columns: readonly Column[];
}

export class Scope {
  constructor(
    readonly columns: readonly ScopeColumn[],
    readonly parent?: Scope,
  ) {}

  /** Finds a column by optional qualifier; returns its index or -1; throws 42702 when ambiguous. */
  find(qualifier: string | undefined, name: string, position?: number): number {
    let found = -1;
    for (let i = 0; i < this.columns.length; i++) {
      const c = this.columns[i];
      if (c.name !== name || (qualifier !== undefined && c.qualifier !== qualifier)) continue;
      // Columns merged away by USING are reachable only through their table's name.
      if (qualifier === undefined && c.hidden) continue;
      if (found >= 0) {
        throw new SqlError(SqlState.ambiguousColumn, `column reference "${name}" is ambiguous`, position);
      }
      found = i;
    }
    return found;
  }

  hasQualifier(q: string): boolean {
    return this.columns.some((c) => c.qualifier === q);
  }
}

/** Per-statement binding state shared by nested queries. */
export interface BindContext {
  readonly ctes: Map<string, Cte>;
  readonly params: SqlType[];
  readonly sql: string;
}
