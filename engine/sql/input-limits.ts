/**
 * @module engine/sql/input-limits
 * What the SQL front end refuses before anything else looks at a statement:
 *
 * - text PostgreSQL could never receive: a NUL character (22021, as the server
 *   says of a 0x00 byte; the C parser would silently end the statement there,
 *   so `DELETE FROM t\0 WHERE id = 1` would lose its WHERE) and lone UTF-16
 *   surrogates, which have no UTF-8 encoding — in SQL text and in parameters;
 * - statements nested too deeply for the recursive code behind the parser
 *   (binder, planner, expression compiler), refused with PostgreSQL's 54001
 *   "stack depth limit exceeded" before any of it runs. The parse tree is
 *   measured iteratively; a cheap lexical estimate runs first so that the
 *   wasm parser's own recursive tree serializer never sees pathological input.
 */
import { SqlError, SqlState } from '../errors.ts';

/**
 * Deepest parse tree accepted, counted in AST nodes (`{A_Expr: …}` levels). A
 * 1,000-term `1+1+…` sum is about 1,000 deep; real queries stay far below 100.
 * Chosen so the binder and executor, which recurse per node, keep well inside
 * a Worker's stack.
 */
export const MAX_PARSE_DEPTH = 1000;

/**
 * Ceiling of the lexical estimate (operators chained at one nesting level plus
 * twice the bracket depth, summed over enclosing levels). It over-estimates
 * the tree depth, so it is set above MAX_PARSE_DEPTH; its job is to keep the
 * wasm parser (which overflows its stack around 5–10k levels) safe.
 */
export const MAX_LEXICAL_DEPTH = 2 * MAX_PARSE_DEPTH;

const HINT =
  'Simplify the statement: fewer nested subqueries, parentheses, CASE or function calls, ' +
  'or shorter operator chains (use sum() over VALUES or an array instead of a long a + b + … expression).';

/** The 54001 error a too-deeply nested statement gets, worded as PostgreSQL words it. */
export function stackDepthExceeded(): SqlError {
  return new SqlError(SqlState.stackDepthExceeded, 'stack depth limit exceeded', undefined, HINT);
}

function invalidByteSequence(bytes: string): SqlError {
  return new SqlError(
    SqlState.characterNotInRepertoire,
    `invalid byte sequence for encoding "UTF8": ${bytes}`,
  );
}

/** The 22021 error for a string holding NUL or a lone surrogate; undefined when it is clean. */
function textError(s: string): SqlError | undefined {
  // Fast path: one native scan for the common case of clean text.
  if (!/[\0\uD800-\uDFFF]/.test(s)) return undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return invalidByteSequence('0x00');
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      // What the UTF-8 encoder of a lone surrogate would have sent (CESU-style three bytes).
      const b = [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)];
      return invalidByteSequence(b.map((x) => `0x${x.toString(16)}`).join(' '));
    }
  }
  return undefined;
}

/** Refuses SQL text PostgreSQL could not receive (NUL, lone surrogates) with 22021. */
export function checkSqlText(sql: string): void {
  const e = textError(sql);
  if (e) throw e;
}

/**
 * Refuses parameters PostgreSQL could not receive: text (also inside arrays
 * and JSON-like objects) with NUL or lone surrogates. bytea (Uint8Array) may
 * hold any byte.
 */
export function checkParams(params: readonly unknown[]): void {
  const stack: unknown[] = [...params];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      const e = textError(v);
      if (e) throw e;
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v) && !(v instanceof Date)) {
      for (const [k, x] of Object.entries(v)) stack.push(k, x);
    }
  }
}

/** Keywords that chain like binary or prefix operators (each adds a tree level without brackets). */
const CHAINING = new Set([
  'not',
  'is',
  'like',
  'ilike',
  'similar',
  'between',
  'in',
  'at',
  'collate',
  'union',
  'intersect',
  'except',
  'join',
  'escape',
  'overlaps',
  'isnull',
  'notnull',
]);

const isIdentStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
const isIdentPart = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57) || c === 36;
const OP_CHARS = '+-*/<>=~!@#%^&|`?:';

/**
 * An upper estimate of how deep the parse tree of `sql` could be, computed by
 * one pass over its tokens: per open bracket level, the operators chained since
 * the level's last comma (or AND/OR, whose operands are siblings), summed over the open levels, plus two per level. Stops
 * as soon as the estimate exceeds `limit` (returns a value above it).
 */
export function lexicalDepth(sql: string, limit = Number.POSITIVE_INFINITY): number {
  const levels: number[] = [0];
  let sum = 0; // Σ levels + 2 × (levels.length - 1)
  let max = 0;
  const n = sql.length;
  let i = 0;
  const bump = (k: number) => {
    levels[levels.length - 1] += k;
    sum += k;
    if (sum > max) max = sum;
  };
  while (i < n) {
    const c = sql.charCodeAt(i);
    const next = i + 1 < n ? sql.charCodeAt(i + 1) : 0;
    if (c === 45 && next === 45) {
      // -- comment
      while (i < n && sql.charCodeAt(i) !== 10) i++;
    } else if (c === 47 && next === 42) {
      // /* nested comments */
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql.charCodeAt(i) === 47 && sql.charCodeAt(i + 1) === 42) {
          depth++;
          i += 2;
        } else if (sql.charCodeAt(i) === 42 && sql.charCodeAt(i + 1) === 47) {
          depth--;
          i += 2;
        } else i++;
      }
    } else if (c === 39 || c === 34) {
      // 'string' (E'…' honours backslashes) or "identifier"; doubled quotes stay inside.
      // E'…' only when the E is a token of its own: `name'\'` is a typed literal, no escapes.
      const escapes =
        c === 39 &&
        i > 0 &&
        (sql.charCodeAt(i - 1) | 32) === 101 &&
        (i < 2 || !isIdentPart(sql.charCodeAt(i - 2)));
      i++;
      while (i < n) {
        const d = sql.charCodeAt(i);
        if (escapes && d === 92) i += 2;
        else if (d === c) {
          if (sql.charCodeAt(i + 1) === c) i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (c === 36 && !(next >= 48 && next <= 57)) {
      // $tag$ … $tag$ (a $1 parameter is a plain operand)
      let j = i + 1;
      while (j < n && isIdentPart(sql.charCodeAt(j)) && sql.charCodeAt(j) !== 36) j++;
      if (sql.charCodeAt(j) === 36) {
        const tag = sql.slice(i, j + 1);
        const end = sql.indexOf(tag, j + 1);
        i = end < 0 ? n : end + tag.length;
      } else i = j;
    } else if (c === 40 || c === 91) {
      // ( or [
      levels.push(0);
      sum += 2;
      if (sum > max) max = sum;
      i++;
    } else if (c === 41 || c === 93) {
      if (levels.length > 1) sum -= levels.pop()! + 2;
      i++;
    } else if (c === 44) {
      // , ends a list element: its chain does not nest under the next one.
      sum -= levels[levels.length - 1];
      levels[levels.length - 1] = 0;
      i++;
    } else if (c === 59) {
      levels.length = 1;
      levels[0] = 0;
      sum = 0;
      i++;
    } else if (isIdentStart(c)) {
      const start = i;
      while (i < n && isIdentPart(sql.charCodeAt(i))) i++;
      const word = i - start <= 9 ? sql.slice(start, i).toLowerCase() : '';
      if (word === 'and' || word === 'or') {
        // AND/OR lists are flat in the tree (one BoolExpr): their operands are siblings.
        sum -= levels[levels.length - 1];
        levels[levels.length - 1] = 0;
      } else if (word === 'case') bump(2);
      else if (CHAINING.has(word)) bump(1);
    } else if (OP_CHARS.includes(sql[i])) {
      while (i < n && OP_CHARS.includes(sql[i])) i++;
      bump(1);
    } else i++;
    if (max > limit) return max;
  }
  return max;
}

/** Refuses (54001) text whose lexical depth estimate exceeds MAX_LEXICAL_DEPTH. */
export function checkLexicalDepth(sql: string): void {
  // Short statements cannot nest deeply enough to matter: skip the scan.
  if (sql.length <= MAX_LEXICAL_DEPTH) return;
  if (lexicalDepth(sql, MAX_LEXICAL_DEPTH) > MAX_LEXICAL_DEPTH) throw stackDepthExceeded();
}

/** Depth of a parse tree in AST nodes (objects keyed by a node type name), measured without recursion. */
export function parseTreeDepth(root: unknown, limit = Number.POSITIVE_INFINITY): number {
  const nodes: unknown[] = [root];
  const depths: number[] = [0];
  let max = 0;
  while (nodes.length > 0) {
    const v = nodes.pop();
    const d = depths.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const x of v) {
        if (x === null || typeof x !== 'object') continue;
        nodes.push(x);
        depths.push(d);
      }
      continue;
    }
    for (const key in v) {
      const x = (v as Record<string, unknown>)[key];
      if (x === null || typeof x !== 'object') continue;
      // `{ "A_Expr": { … } }`: a node level.
      const code = key.charCodeAt(0);
      const isNode = code >= 65 && code <= 90;
      const dd = isNode ? d + 1 : d;
      if (dd > max) {
        max = dd;
        if (max > limit) return max;
      }
      nodes.push(x);
      depths.push(dd);
    }
  }
  return max;
}

/**
 * Refuses (54001) a parsed statement deeper than MAX_PARSE_DEPTH nodes. Every
 * nesting level costs at least one character of text (`-x`, `f(`, `+1`), so
 * text shorter than half the limit cannot reach it and skips the walk.
 */
export function checkParseDepth(stmt: unknown, sql: string): void {
  if (sql.length < MAX_PARSE_DEPTH / 2) return;
  if (parseTreeDepth(stmt, MAX_PARSE_DEPTH) > MAX_PARSE_DEPTH) throw stackDepthExceeded();
}
