/**
 * @module engine/distributed/dml-sql
 * UPDATE and DELETE ship their expressions to the shards as SQL, evaluated
 * there by the engine (see `fragment-engine` `DmlEvaluator`), so any
 * expression the engine binds works and means what it means in PostgreSQL.
 * The statement (already bound by the engine at the coordinator) becomes
 *
 *   SELECT "__orochi_row", CAST((set₁) AS type₁), … FROM "table" AS alias WHERE (where)
 *
 * over the shard's rows plus a row-position column. The expression texts are
 * cut out of the statement's own text at its top-level SET / WHERE keywords
 * and commas; the parser is the judge: the composed SELECT must parse to the
 * very expressions of the statement, or the statement is refused (0A000).
 */
import { SqlError, SqlState } from '../errors.ts';
import { parseSql } from '../sql/parser.ts';
import { sqlTypeName } from '../sql/sql-names.ts';
import { formatText } from '../types/cast.ts';
import { declaredType, readsAsStored } from './column-types.ts';
import { quoteIdent, sqlLiteral } from './fragment-sql.ts';
import type { DistColumn, DistTable } from './table-schema.ts';

// biome-ignore lint/suspicious/noExplicitAny: the pg AST is untyped JSON.
type Node = any;

/** The row-position column the shard adds to its rows (results map back to hits through it). */
export const ROW_POSITION = '__orochi_row';

/** What a shard evaluates for one UPDATE / DELETE. */
export interface DmlSql {
  /** The SELECT over the table (catalog column names) plus `ROW_POSITION`. */
  readonly text: string;
  readonly params: readonly unknown[];
  /** The table the statement was planned on (the shard names columns after it). */
  readonly table: DistTable;
}

interface Mark {
  readonly kind: 'word' | ',' | '=';
  readonly start: number;
  readonly end: number;
}

/** Top-level (outside parentheses, literals, quoted names and comments) words, commas and `=`. */
function topLevel(text: string): Mark[] {
  const out: Mark[] = [];
  let depth = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    if (ch === "'") {
      const escapes = /[eE]/.test(text[i - 1] ?? '') && !/[\w$]/.test(text[i - 2] ?? '');
      i++;
      while (i < n) {
        if (escapes && text[i] === '\\') i += 2;
        else if (text[i] === "'" && text[i + 1] === "'") i += 2;
        else if (text[i] === "'") break;
        else i++;
      }
      i++;
    } else if (ch === '"') {
      i++;
      while (i < n && !(text[i] === '"' && text[i + 1] !== '"')) i += text[i] === '"' ? 2 : 1;
      i++;
    } else if (ch === '-' && text[i + 1] === '-') {
      while (i < n && text[i] !== '\n') i++;
    } else if (ch === '/' && text[i + 1] === '*') {
      let nest = 0;
      do {
        if (text[i] === '/' && text[i + 1] === '*') nest++, (i += 2);
        else if (text[i] === '*' && text[i + 1] === '/') nest--, (i += 2);
        else i++;
      } while (i < n && nest > 0);
    } else if (ch === '$' && /[A-Za-z_$]/.test(text[i + 1] ?? '')) {
      const tag = /^\$[A-Za-z_]\w*\$|^\$\$/.exec(text.slice(i))?.[0];
      if (!tag) i++;
      else {
        const close = text.indexOf(tag, i + tag.length);
        i = close < 0 ? n : close + tag.length;
      }
    } else if (ch === '(' || ch === '[') depth++, i++;
    else if (ch === ')' || ch === ']') depth--, i++;
    else if (/[A-Za-z_]/.test(ch) && !/[\w$]/.test(text[i - 1] ?? '')) {
      const start = i;
      while (i < n && /[\w$]/.test(text[i])) i++;
      if (depth === 0) out.push({ kind: 'word', start, end: i });
    } else {
      if (depth === 0 && ch === ',') out.push({ kind: ',', start: i, end: i + 1 });
      else if (
        depth === 0 &&
        ch === '=' &&
        !/[<>!=~+*/%^&|#@?-]/.test(text[i - 1] ?? '') &&
        text[i + 1] !== '='
      )
        out.push({ kind: '=', start: i, end: i + 1 });
      i++;
    }
  }
  return out;
}

const word = (text: string, m: Mark, w: string) =>
  m.kind === 'word' && text.slice(m.start, m.end).toLowerCase() === w;

/** AST text without source positions (`location`, `rexpr_list_start` …), which differ by construction. */
const withoutLocations = (n: Node): string =>
  JSON.stringify(n ?? null, (k, v) => (/location$|_start$|_end$/.test(k) ? undefined : v));

/** True when `n` mentions a relation (a subquery over a table). */
function readsTables(n: Node): boolean {
  if (n === null || typeof n !== 'object') return false;
  if (n.RangeVar) return true;
  return Object.values(n).some(readsTables);
}

function cannotShip(): never {
  throw new SqlError(
    SqlState.featureNotSupported,
    'this UPDATE or DELETE could not be shipped to the shards',
    undefined,
  );
}

/**
 * The shard-side SELECT of an UPDATE or DELETE over `table` (`text` is the statement's own
 * text). SET of the distribution column is 0A000 as in Citus.
 */
export function dmlSql(stmt: Node, text: string, table: DistTable, params: readonly unknown[]): DmlSql {
  const update = stmt.UpdateStmt;
  const s = update ?? stmt.DeleteStmt;
  // Each shard sees only its own rows of the table: a subquery reading any table would
  // answer from one shard's part (or fail), never from the whole table.
  if (readsTables(s.whereClause) || readsTables(update?.targetList))
    throw new SqlError(
      SqlState.featureNotSupported,
      'subqueries that read tables are not supported in UPDATE or DELETE of a distributed table',
    );
  const marks = topLevel(text);
  const whereAt = s.whereClause ? marks.findIndex((m) => word(text, m, 'where')) : -1;
  if (s.whereClause && whereAt < 0) cannotShip();
  const whereText = whereAt >= 0 ? text.slice(marks[whereAt].end).replace(/;\s*$/, '') : undefined;
  const targets: string[] = [quoteIdent(ROW_POSITION)];
  const setNodes: Node[] = [];
  if (update) {
    const setAt = marks.findIndex((m) => word(text, m, 'set'));
    if (setAt < 0) cannotShip();
    const end = whereAt >= 0 ? whereAt : marks.length;
    // Items between SET and WHERE: `col = expr` separated by top-level commas.
    const items: Mark[][] = [[]];
    for (let k = setAt + 1; k < end; k++) {
      if (marks[k].kind === ',') items.push([]);
      else items[items.length - 1].push(marks[k]);
    }
    const bounds = marks.slice(setAt + 1, end).filter((m) => m.kind === ',');
    const itemEnd = (k: number) =>
      k < bounds.length ? bounds[k].start : whereAt >= 0 ? marks[whereAt].start : text.length;
    (update.targetList as Node[]).forEach((t, k) => {
      const rt = t.ResTarget;
      if (rt.val?.MultiAssignRef || rt.indirection)
        throw new SqlError(
          SqlState.featureNotSupported,
          'UPDATE of several columns at once or of array elements is not supported',
        );
      const column = table.columns.find((c) => c.name === rt.name);
      if (!column) cannotShip(); // the engine already bound the statement
      if (table.placement.kind === 'distributed' && table.placement.columnId === column.id)
        throw new SqlError(
          SqlState.featureNotSupported,
          'modifying the partition value of rows is not allowed',
        );
      // The declared type: the shard's engine casts as PostgreSQL assigns (the modifier follows there).
      const declared = declaredType(column);
      const type = sqlTypeName(declared);
      if (rt.val.SetToDefault) {
        targets.push(`CAST(${defaultLiteral(column)} AS ${type})`);
        setNodes.push(undefined);
        return;
      }
      const eq = items[k]?.find((m) => m.kind === '=');
      if (!eq) cannotShip();
      // A newline ends a trailing `--` comment before the closing parenthesis.
      targets.push(`CAST((${text.slice(eq.end, itemEnd(k)).replace(/;\s*$/, '')}\n) AS ${type})`);
      setNodes.push(rt.val);
    });
  }
  const alias = s.relation.alias?.aliasname;
  const sql =
    `SELECT ${targets.join(', ')} FROM ${quoteIdent(table.name)}` +
    (alias ? ` AS ${quoteIdent(alias)}` : '') +
    (whereText !== undefined ? ` WHERE (${whereText}\n)` : '');
  // The parser is the judge: the composed SELECT must hold exactly the statement's expressions.
  const parsed = parseSql(sql);
  const sel = parsed.length === 1 ? parsed[0].stmt.SelectStmt : undefined;
  if (!sel || withoutLocations(sel.whereClause) !== withoutLocations(s.whereClause)) cannotShip();
  setNodes.forEach((node, k) => {
    if (node === undefined) return;
    const got = sel.targetList[k + 1]?.ResTarget?.val?.TypeCast?.arg;
    if (withoutLocations(got) !== withoutLocations(node)) cannotShip();
  });
  return { text: sql, params, table };
}

/** A column's DEFAULT (held in its stored representation) as SQL text that casts to its declared type. */
export function defaultLiteral(column: DistColumn): string {
  const dflt = column.default ?? null;
  if (readsAsStored(column)) return sqlLiteral(dflt, column.type);
  return dflt === null ? 'NULL' : sqlLiteral(formatText(dflt, declaredType(column)), 'text');
}
