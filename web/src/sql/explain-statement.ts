/**
 * @module web/sql/explain-statement
 * What the editor's Explain buttons send: `EXPLAIN [ANALYZE]` before the
 * editor's last statement. Comments and the text of earlier statements are
 * dropped (EXPLAIN takes one statement); an EXPLAIN already typed is replaced,
 * so Explain analyze on `EXPLAIN SELECT …` does not send `EXPLAIN ANALYZE EXPLAIN`.
 */

/** Splits SQL at top-level semicolons, skipping strings, quoted names, comments and dollar quotes. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const two = sql.slice(i, i + 2);
    if (two === '--') i = end(sql.indexOf('\n', i));
    else if (two === '/*') i = end(sql.indexOf('*/', i + 2), 2);
    else if (c === "'" || c === '"') i = end(sql.indexOf(c, i + 1), 1, c, sql);
    else if (c === '$' && /^\$[A-Za-z_]*\$/.test(sql.slice(i))) {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i))![0];
      i = end(sql.indexOf(tag, i + tag.length), tag.length);
    } else if (c === ';') {
      out.push(sql.slice(start, i));
      start = ++i;
    } else i++;
  }
  out.push(sql.slice(start));
  return out.map(stripComments).filter(Boolean);

  function end(at: number, len = 1, quote?: string, s?: string): number {
    if (at < 0) return sql.length;
    // A doubled quote ('' or "") is part of the string: keep scanning after it.
    if (quote && s && s[at + 1] === quote) return end(s.indexOf(quote, at + 2), len, quote, s);
    return at + len;
  }
}

/** Drops leading and trailing comments and blank space. */
function stripComments(s: string): string {
  let t = s.trim();
  for (;;) {
    if (t.startsWith('--')) t = t.includes('\n') ? t.slice(t.indexOf('\n') + 1).trim() : '';
    else if (t.startsWith('/*') && t.includes('*/')) t = t.slice(t.indexOf('*/') + 2).trim();
    else return t;
  }
}

const EXPLAIN = /^explain\b(\s*\([^)]*\))?(\s+analy[sz]e\b)?(\s+verbose\b)?\s*/i;

/** `EXPLAIN [ANALYZE] <last statement>`, or undefined when the editor holds no statement. */
export function explainStatement(sql: string, analyze: boolean): string | undefined {
  const statements = splitStatements(sql);
  const last = statements[statements.length - 1];
  if (!last) return undefined;
  return `EXPLAIN ${analyze ? 'ANALYZE ' : ''}${last.replace(EXPLAIN, '')}`;
}
