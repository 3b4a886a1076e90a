/**
 * @module engine/functions/regex-functions
 * PostgreSQL's POSIX regular expressions, run by `safe-regex` (RE2: linear
 * time, whatever the pattern): the `~`,
 * `~*`, `!~`, `!~*` operators, SIMILAR TO (through `similar_to_escape`),
 * `substring(text from pattern)`, `regexp_replace`, `regexp_match`,
 * `regexp_like`, `regexp_count`, `regexp_substr`, `regexp_split_to_array`, and
 * the rows of the set-returning `regexp_matches` and `regexp_split_to_table`.
 *
 * Patterns are translated where the two dialects differ — POSIX bracket
 * classes (`[[:alpha:]]`), ARE escapes (`\m` `\M` `\y` `\Y` `\A` `\Z`),
 * `\1`/`\&` in replacements — into JavaScript's syntax, which RE2 reads too;
 * a pattern neither compiles is
 * 2201B, as PostgreSQL's invalid regular expressions are. Flags: `i` (and
 * `c`, case-sensitive), `g` where PostgreSQL takes it, `n`/`m`/`p`/`w`
 * (newline-sensitive), `s`, `x` (expanded: whitespace and # comments dropped).
 */
import { SqlError } from '../errors.ts';
import type { ScalarImpl } from '../plan/nodes.ts';
import { arrayOf, type SqlType } from '../types/values.ts';
import type { Resolved } from './operators.ts';
import { compileSafe, type SafeRegex } from './safe-regex.ts';

const mk = (name: string, fn: (...a: never[]) => unknown, strict = true): ScalarImpl => ({
  name,
  strict,
  fn: fn as (...a: unknown[]) => unknown,
});

const invalid = (msg: string) => new SqlError('2201B', `invalid regular expression: ${msg}`);

/** POSIX bracket classes as JavaScript class contents (the C locale's ASCII sets). */
const POSIX_CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  word: 'a-zA-Z0-9_',
  cntrl: '\\x00-\\x1f\\x7f',
  print: ' -~',
  graph: '!-~',
};

/** Escapes of Spencer's ARE that JavaScript spells otherwise. */
const ARE_ESCAPES: Record<string, string> = {
  m: '(?<!\\w)\\b',
  M: '\\b(?<=\\w)',
  y: '\\b',
  Y: '\\B',
  A: '(?<![\\s\\S])',
  Z: '(?![\\s\\S])',
};

/** Translates a PostgreSQL ARE into JavaScript RegExp source. */
function translatePattern(p: string, expanded: boolean): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const ch = p[i];
    if (ch === '\\' && i + 1 < p.length) {
      const next = p[i + 1];
      out += !inClass && ARE_ESCAPES[next] ? ARE_ESCAPES[next] : `\\${next}`;
      i++;
    } else if (inClass) {
      const posix = /^\[:([a-z]+):\]/.exec(p.slice(i));
      if (posix) {
        const cls = POSIX_CLASSES[posix[1]];
        if (cls === undefined) throw invalid('invalid character class');
        out += cls;
        i += posix[0].length - 1;
      } else {
        if (ch === ']') inClass = false;
        out += ch === '[' ? '\\[' : ch;
      }
    } else if (ch === '[') {
      inClass = true;
      out += ch;
      // A leading ] (after an optional ^) is a literal member of the class.
      if (p[i + 1] === '^') out += p[++i];
      if (p[i + 1] === ']') {
        out += '\\]';
        i++;
      }
    } else if (expanded && /\s/.test(ch)) {
      // skipped
    } else if (expanded && ch === '#') {
      while (i < p.length && p[i] !== '\n') i++;
    } else out += ch;
  }
  return out;
}

interface Options {
  readonly global: boolean;
  readonly flags: string;
  readonly expanded: boolean;
}

function parseFlags(flags: string, fn: string, allowGlobal: boolean): Options {
  let ci = false;
  let global = false;
  let newline = false;
  let expanded = false;
  for (const f of flags) {
    if (f === 'i') ci = true;
    else if (f === 'c') ci = false;
    else if (f === 'g' && allowGlobal) global = true;
    else if (f === 'n' || f === 'm' || f === 'w' || f === 'p') newline = true;
    else if (f === 's') newline = false;
    else if (f === 'x') expanded = true;
    else if (f === 'q' || f === 't' || f === 'e' || f === 'b')
      throw new SqlError('0A000', `regular expression option "${f}" is not supported`);
    else if (f === 'g') throw new SqlError('22023', `${fn}() does not support the "global" option`);
    else throw new SqlError('22023', `invalid regular expression option: "${f}"`);
  }
  return { global, expanded, flags: `${ci ? 'i' : ''}${newline ? 'm' : 's'}` };
}

/** Compiled patterns, by pattern and flags (a column of rows usually shares one). */
const cache = new Map<string, SafeRegex>();

function compile(pattern: string, opts: Options, extraFlags = ''): SafeRegex {
  const key = `${opts.flags}${extraFlags}${opts.expanded ? 'x' : ''}/${pattern}`;
  let re = cache.get(key);
  if (!re) {
    try {
      const source = translatePattern(pattern, opts.expanded);
      re = compileSafe(source, opts.flags + extraFlags);
    } catch (e) {
      if (e instanceof SqlError) throw e;
      throw invalid(e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e));
    }
    if (cache.size > 256) cache.clear();
    cache.set(key, re);
  }
  re.lastIndex = 0;
  return re;
}

const DEFAULT: Options = { global: false, flags: 's', expanded: false };

/** A replacement string of regexp_replace (`\1`…`\9`, `\&`, `\\`) in JavaScript's `$` form. */
function translateReplacement(r: string): string {
  let out = '';
  for (let i = 0; i < r.length; i++) {
    const ch = r[i];
    if (ch === '$') out += '$$';
    else if (ch === '\\' && i + 1 < r.length) {
      // \1…\9 and \& refer to the match, \\ is one backslash; any other backslash is kept as written.
      const next = r[++i];
      out += /[1-9]/.test(next)
        ? `$${next}`
        : next === '&'
          ? '$&'
          : next === '\\'
            ? '\\'
            : `\\${next === '$' ? '$$' : next}`;
    } else out += ch;
  }
  return out;
}

/**
 * The pieces of `s` between matches of `p` (regexp_split_to_array and _to_table; `fn` names
 * the caller in flag errors): an empty match splits between characters, but not at either
 * end, nor right after a match.
 */
export function regexSplit(s: string, p: string, flags: string, fn: string): string[] {
  const re = compile(p, parseFlags(flags, fn, false), 'g');
  const out: string[] = [];
  let start = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m[0] === '') {
      if (m.index >= s.length) break;
      if (m.index === start) {
        re.lastIndex++;
        continue;
      }
      out.push(s.slice(start, m.index));
      start = m.index;
      re.lastIndex++;
      continue;
    }
    out.push(s.slice(start, m.index));
    start = m.index + m[0].length;
  }
  out.push(s.slice(start));
  return out;
}

/**
 * regexp_matches: one text[] per match — the parenthesized subexpressions' matches (NULL
 * where one did not take part), or the whole match when there are none; every match with
 * the `g` flag, else at most the first. An empty match moves the search on by one character.
 */
export function regexMatches(s: string, p: string, flags: string): (string | null)[][] {
  const opts = parseFlags(flags, 'regexp_matches', true);
  const re = compile(p, opts, 'g');
  const out: (string | null)[][] = [];
  for (let m = re.exec(s); m; m = re.exec(s)) {
    out.push(m.length > 1 ? m.slice(1).map((x) => x ?? null) : [m[0]]);
    if (!opts.global) break;
    if (m[0] === '') re.lastIndex++;
  }
  return out;
}

/** substring(s from pattern): the first parenthesized subexpression's match, else the whole match. */
function regexSubstring(s: string, pattern: string): string | null {
  const m = compile(pattern, DEFAULT).exec(s);
  if (!m) return null;
  return m.length > 1 ? (m[1] ?? null) : m[0];
}

/** similar_to_escape(pattern [, escape]): a SQL regular expression as an anchored POSIX one. */
function similarToEscape(pattern: string, escapeChar = '\\'): string {
  const esc = escapeChar;
  if ([...esc].length > 1) throw new SqlError('2201V', 'invalid escape string');
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (esc !== '' && ch === esc && i + 1 < pattern.length) {
      const next = pattern[++i];
      out += `\\${next}`;
    } else if (ch === '\\') {
      // A backslash that is not the escape character stands for itself.
      out += '\\\\';
    } else if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
    } else if (ch === '[') {
      inClass = true;
      out += ch;
    } else if (ch === '%') out += '.*';
    else if (ch === '_') out += '.';
    else if (ch === '.' || ch === '^' || ch === '$') out += `\\${ch}`;
    else out += ch;
  }
  return `^(?:${out})$`;
}

const textArgs = (n: number): SqlType[] => Array.from({ length: n }, () => 'text');

/** Functions over text arguments; undefined lets other modules resolve the name. */
const REGEX_FUNCS: Record<string, (args: readonly SqlType[]) => Resolved | undefined> = {
  regexp_replace: (args) =>
    args.length === 3 || args.length === 4
      ? {
          impl: mk('regexp_replace', (s: string, p: string, r: string, flags = '') => {
            const opts = parseFlags(flags, 'regexp_replace', true);
            return s.replace(compile(p, opts, opts.global ? 'g' : ''), translateReplacement(r));
          }),
          type: 'text',
          argTypes: textArgs(args.length),
        }
      : undefined,
  regexp_match: (args) =>
    args.length === 2 || args.length === 3
      ? {
          impl: mk('regexp_match', (s: string, p: string, flags = '') => {
            const m = compile(p, parseFlags(flags, 'regexp_match', false)).exec(s);
            if (!m) return null;
            return m.length > 1 ? m.slice(1).map((x) => x ?? null) : [m[0]];
          }),
          type: arrayOf('text'),
          argTypes: textArgs(args.length),
        }
      : undefined,
  regexp_like: (args) =>
    args.length === 2 || args.length === 3
      ? {
          impl: mk('regexp_like', (s: string, p: string, flags = '') =>
            compile(p, parseFlags(flags, 'regexp_like', false)).test(s),
          ),
          type: 'bool',
          argTypes: textArgs(args.length),
        }
      : undefined,
  regexp_count: (args) =>
    args.length === 2
      ? {
          impl: mk('regexp_count', (s: string, p: string) => {
            const re = compile(p, DEFAULT, 'g');
            let n = 0;
            for (let m = re.exec(s); m; m = re.exec(s)) {
              n++;
              if (m[0] === '') re.lastIndex++;
            }
            return n;
          }),
          type: 'int32',
          argTypes: ['text', 'text'],
        }
      : undefined,
  regexp_substr: (args) =>
    args.length === 2
      ? {
          impl: mk('regexp_substr', (s: string, p: string) => compile(p, DEFAULT).exec(s)?.[0] ?? null),
          type: 'text',
          argTypes: ['text', 'text'],
        }
      : undefined,
  regexp_split_to_array: (args) =>
    args.length === 2 || args.length === 3
      ? {
          impl: mk('regexp_split_to_array', (s: string, p: string, flags = '') =>
            regexSplit(s, p, flags, 'regexp_split_to_array'),
          ),
          type: arrayOf('text'),
          argTypes: textArgs(args.length),
        }
      : undefined,
  similar_to_escape: (args) =>
    args.length === 1 || args.length === 2
      ? {
          impl: mk('similar_to_escape', similarToEscape),
          type: 'text',
          argTypes: textArgs(args.length),
        }
      : undefined,
};

/** substring(text, text): the regular-expression form of substring (`substring(s from pattern)`). */
export function resolveRegexSubstring(args: readonly SqlType[]): Resolved | undefined {
  if (args.length !== 2 || (args[1] !== 'text' && args[1] !== 'unknown')) return undefined;
  if (args[0] !== 'text' && args[0] !== 'unknown') return undefined;
  return { impl: mk('substring', regexSubstring), type: 'text', argTypes: ['text', 'text'] };
}

/** Resolves one of this module's functions; undefined when the name or arguments do not fit. */
export function resolveRegexFunction(name: string, args: readonly SqlType[]): Resolved | undefined {
  return Object.hasOwn(REGEX_FUNCS, name) ? REGEX_FUNCS[name](args) : undefined;
}

/** `~`, `~*`, `!~`, `!~*` over text; undefined for other operators. */
export function resolveRegexOperator(op: string): Resolved | undefined {
  if (op !== '~' && op !== '~*' && op !== '!~' && op !== '!~*') return undefined;
  const opts: Options = { ...DEFAULT, flags: op.endsWith('*') ? 'is' : 's' };
  const negate = op.startsWith('!');
  return {
    impl: mk(op, (s: string, p: string) => compile(p, opts).test(s) !== negate),
    type: 'bool',
    argTypes: ['text', 'text'],
  };
}

/** The set-returning regular-expression functions (select list and FROM). */
export const REGEX_SET_FUNCTIONS = new Set(['regexp_matches', 'regexp_split_to_table']);

/**
 * All rows of one call of a REGEX_SET_FUNCTIONS function over argument values `vals`
 * (text): none when an argument is NULL, as for PostgreSQL's strict functions.
 */
export function regexSetRows(name: string, vals: readonly unknown[]): unknown[] {
  if (vals.some((v) => v === null || v === undefined)) return [];
  const [s, p, flags = ''] = vals as string[];
  return name === 'regexp_matches' ? regexMatches(s, p, flags) : regexSplit(s, p, flags, name);
}
