/**
 * @module engine/functions/safe-regex
 * Regular expressions that cannot run away. JavaScript's RegExp backtracks:
 * `'a' * 100000 ~ '.*c'` took a minute and `(a|a)*c` grows exponentially, and
 * one RegExp call cannot be interrupted by a statement budget. Patterns run on
 * RE2 (the `re2js` library: automata, time linear in the text) behind the
 * small part of RegExp's interface the SQL functions use — `test`, `exec`
 * with `lastIndex` under the `g` flag, and `String.prototype.replace`.
 *
 * RE2 has no back references and no lookahead, which PostgreSQL's advanced
 * regular expressions allow. Such a pattern falls back to RegExp only when it
 * has at most one unbounded quantifier and no quantified group holding a
 * quantifier; anything else is refused with 2201B instead of risking a
 * statement that never ends.
 */
import { RE2JS } from 're2js';
import { SqlError } from '../errors.ts';

/** The part of RegExp the SQL regex functions use. */
export interface SafeRegex {
  lastIndex: number;
  readonly global: boolean;
  test(s: string): boolean;
  exec(s: string): RegExpExecArray | null;
  [Symbol.replace](s: string, replacement: string): string;
}

/** Compiles JavaScript-syntax `source` with RegExp flags (`i`, `m`, `s`, `g`). */
export function compileSafe(source: string, flags: string): SafeRegex {
  let re2: RE2JS | undefined;
  try {
    re2 = RE2JS.compile(
      source,
      (flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0) |
        (flags.includes('m') ? RE2JS.MULTILINE : 0) |
        (flags.includes('s') ? RE2JS.DOTALL : 0) |
        RE2JS.LOOKBEHINDS,
    );
  } catch {
    // Not RE2 syntax (back references, lookahead) or not valid at all: RegExp decides which.
  }
  if (re2) return new Re2Regex(re2, flags.includes('g'));
  checkBacktrackingBound(source);
  return new RegExp(source, flags) as unknown as SafeRegex;
}

class Re2Regex implements SafeRegex {
  lastIndex = 0;
  constructor(
    private readonly re: RE2JS,
    readonly global: boolean,
  ) {}

  test(s: string): boolean {
    if (!this.global) return this.re.test(s);
    return this.exec(s) !== null;
  }

  exec(s: string): RegExpExecArray | null {
    const from = this.global ? this.lastIndex : 0;
    if (from > s.length) {
      this.lastIndex = 0;
      return null;
    }
    const m = this.re.matcher(s);
    if (!m.find(from)) {
      if (this.global) this.lastIndex = 0;
      return null;
    }
    const out: string[] = [];
    for (let g = 0; g <= m.groupCount(); g++) out.push(m.group(g) ?? (undefined as unknown as string));
    const result = Object.assign(out, { index: m.start(), input: s, groups: undefined });
    if (this.global) this.lastIndex = m.end();
    return result as RegExpExecArray;
  }

  /** `s.replace(this, r)` with RegExp's `$1`…`$9`, `$&` and `$$` in `r`; every match under `g`. */
  [Symbol.replace](s: string, replacement: string): string {
    const m = this.re.matcher(s);
    let out = '';
    let last = 0;
    let from = 0;
    while (from <= s.length && m.find(from)) {
      out += s.slice(last, m.start()) + expand(replacement, (g) => m.group(g) ?? '', m.groupCount());
      last = m.end();
      if (!this.global) break;
      // An empty match moves on one character, as RegExp does.
      from = m.end() === m.start() ? m.end() + 1 : m.end();
    }
    return out + s.slice(last);
  }
}

/** Expands `$n`, `$&` and `$$` in a RegExp-style replacement. */
function expand(r: string, group: (g: number) => string, groups: number): string {
  let out = '';
  for (let i = 0; i < r.length; i++) {
    const ch = r[i];
    const next = r[i + 1];
    if (ch !== '$' || next === undefined) out += ch;
    else if (next === '$') {
      out += '$';
      i++;
    } else if (next === '&') {
      out += group(0);
      i++;
    } else if (next >= '1' && next <= '9' && Number(next) <= groups) {
      out += group(Number(next));
      i++;
    } else out += ch;
  }
  return out;
}

const QUANTIFIER = /^(?:[*+?]|\{\d+(?:,\d*)?\})/;

/**
 * Refuses a RegExp-only pattern whose backtracking could grow without bound:
 * a quantified group holding a quantifier (exponential), or more than one
 * unbounded quantifier (polynomial in the text with their count as exponent).
 */
function checkBacktrackingBound(src: string): void {
  const refuse = (why: string) =>
    new SqlError(
      '2201B',
      `invalid regular expression: a pattern with back references or lookahead cannot also have ${why} (its matching time could grow without bound)`,
    );
  const stack: boolean[] = [];
  let unbounded = 0;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '*' || ch === '+' || /^\{\d+,\}/.test(src.slice(i))) {
      if (++unbounded > 1) throw refuse('more than one unbounded quantifier');
    }
    if (ch === '[') inClass = true;
    else if (ch === '(') stack.push(false);
    else if (ch === ')') {
      const inner = stack.pop() ?? false;
      const q = QUANTIFIER.exec(src.slice(i + 1));
      if (q && inner) throw refuse('a quantified group holding a quantifier');
      if (stack.length > 0 && (inner || q)) stack[stack.length - 1] = true;
    } else if (QUANTIFIER.test(src.slice(i)) && stack.length > 0) stack[stack.length - 1] = true;
  }
}
