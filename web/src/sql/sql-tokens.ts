/**
 * @module web/sql/sql-tokens
 * A lexer good enough for highlighting: keywords, strings, quoted identifiers,
 * numbers, comments. It never fails — unknown text is emitted as `plain` — so a
 * half-typed query still highlights. Token texts concatenate back to the input,
 * which keeps the overlay aligned with the textarea character for character.
 */

export type TokenKind = 'keyword' | 'function' | 'string' | 'number' | 'comment' | 'ident' | 'plain';
export interface Token {
  kind: TokenKind;
  text: string;
}

const KEYWORDS = new Set(
  `select from where group by order having limit offset insert into values update set delete create table
  drop alter add column index on as and or not null is in like ilike between case when then else end join left
  right inner outer full cross using distinct with union all except intersect asc desc primary key references
  default returning conflict do nothing interval true false explain analyze begin commit rollback if exists
  timestamptz timestamp date text integer int bigint smallint double precision real numeric boolean jsonb
  varchar serial filter over partition window cast`
    .split(/\s+/)
    .filter(Boolean),
);

const FUNCTIONS = new Set(
  `count sum avg min max time_bucket now create_distributed_table create_reference_table create_hypertable
  drop_chunks add_retention_policy remove_retention_policy show_shards show_chunks coalesce date_trunc
  extract approx_count_distinct percentile_cont first last`
    .split(/\s+/)
    .filter(Boolean),
);

// Order matters: comments before operators, dollar/quoted strings before identifiers.
const RULES: [TokenKind, RegExp][] = [
  ['comment', /--[^\n]*/y],
  ['comment', /\/\*[\s\S]*?(?:\*\/|$)/y],
  ['string', /'(?:[^']|'')*(?:'|$)/y],
  ['string', /\$\$[\s\S]*?(?:\$\$|$)/y],
  ['ident', /"(?:[^"]|"")*(?:"|$)/y],
  ['number', /\b\d+(?:\.\d*)?(?:e[+-]?\d+)?\b|\.\d+\b/iy],
  ['plain', /[A-Za-z_][A-Za-z0-9_$]*/y],
  ['plain', /\s+/y],
  // '-' and '/' stay single so a following '--' or '/*' still starts a comment.
  ['plain', /[^\sA-Za-z0-9_'"$\-/]+|./y],
];

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    for (const [kind, re] of RULES) {
      re.lastIndex = i;
      const m = re.exec(sql);
      if (!m || m[0].length === 0) continue;
      let k = kind;
      if (kind === 'plain' && /^[A-Za-z_]/.test(m[0])) {
        const lower = m[0].toLowerCase();
        k = KEYWORDS.has(lower) ? 'keyword' : FUNCTIONS.has(lower) ? 'function' : 'plain';
      }
      const last = out[out.length - 1];
      // Merge runs of plain text: fewer spans for the overlay to lay out.
      if (k === 'plain' && last?.kind === 'plain') last.text += m[0];
      else out.push({ kind: k, text: m[0] });
      i += m[0].length;
      break;
    }
  }
  return out;
}
