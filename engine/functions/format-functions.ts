/**
 * @module engine/functions/format-functions
 * Text built from values, as PostgreSQL builds it: `format()` (`%s`, `%I`,
 * `%L`, `%%`, positions `%n$`, width and the `-` flag), `concat_ws`,
 * `quote_ident`, `quote_literal`, `quote_nullable` and `to_hex`.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { ScalarImpl } from '../plan/nodes.ts';
import { formatText } from '../types/cast.ts';
import { isIntegerType, type SqlType } from '../types/values.ts';
import type { Resolved } from './operators.ts';
import { checkTextLength } from './value-limits.ts';

const mk = (name: string, fn: (...a: never[]) => unknown, strict = true): ScalarImpl => ({
  name,
  strict,
  fn: fn as (...a: unknown[]) => unknown,
});

const norm = (t: SqlType): SqlType => (t === 'unknown' ? 'text' : t);

/**
 * Keywords PostgreSQL does not accept as bare identifiers everywhere
 * (reserved, column-name and type/function-name keywords): quote_ident quotes them.
 */
const QUOTED_KEYWORDS = new Set(
  `all analyse analyze and any array as asc asymmetric both case cast check collate column constraint
  create current_catalog current_date current_role current_time current_timestamp current_user default
  deferrable desc distinct do else end except false fetch for foreign from grant group having in
  initially intersect into lateral leading limit localtime localtimestamp not null offset on only or
  order placing primary references returning select session_user some symmetric system_user table then
  to trailing true union unique user using variadic when where window with
  between bigint bit boolean char character coalesce dec decimal exists extract float greatest grouping
  inout int integer interval json json_array json_arrayagg json_exists json_object json_objectagg
  json_query json_scalar json_serialize json_table json_value least merge_action national nchar none
  normalize nullif numeric out overlay position precision real row setof smallint substring time
  timestamp treat trim values varchar xmlattributes xmlconcat xmlelement xmlexists xmlforest
  xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable
  authorization binary collation concurrently cross current_schema freeze full ilike inner is isnull
  join left like natural notnull outer overlaps right similar tablesample verbose`.split(/\s+/),
);

/** quote_ident: double-quotes a name unless it is a plain lower-case identifier and no keyword. */
export function quoteIdent(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !QUOTED_KEYWORDS.has(name)) return name;
  return `"${name.replaceAll('"', '""')}"`;
}

/** quote_literal: a string literal; one holding a backslash becomes an E'' literal. */
export function quoteLiteral(s: string): string {
  const body = s.replaceAll("'", "''");
  return s.includes('\\') ? `E'${body.replaceAll('\\', '\\\\')}'` : `'${body}'`;
}

const formatError = (msg: string) => new SqlError(SqlState.invalidParameterValue, msg);

/** format(fmt, args…) over the arguments' text forms (`texts[i]` null for SQL NULL). */
function formatSql(fmt: string, texts: readonly (string | null)[]): string {
  let out = '';
  let next = 0;
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i];
    if (ch !== '%') {
      out += ch;
      continue;
    }
    if (++i >= fmt.length) throw formatError('unterminated format() type specifier');
    if (fmt[i] === '%') {
      out += '%';
      continue;
    }
    const spec = /^(?:([1-9]\d*)\$)?(-?)(\d*)([a-zA-Z]?)/.exec(fmt.slice(i))!;
    if (!spec[4]) throw formatError('unterminated format() type specifier');
    i += spec[0].length - 1;
    const type = spec[4];
    if (type !== 's' && type !== 'I' && type !== 'L')
      throw formatError(`unrecognized format() type specifier "${type}"`);
    const index = spec[1] ? Number(spec[1]) - 1 : next;
    if (index >= texts.length) throw formatError('too few arguments for format()');
    next = index + 1;
    const v = texts[index];
    let s: string;
    if (type === 's') s = v ?? '';
    else if (type === 'L') s = v === null ? 'NULL' : quoteLiteral(v);
    else if (v === null) throw new SqlError('22004', 'null values cannot be formatted as an SQL identifier');
    else s = quoteIdent(v);
    const width = Number(spec[3] || 0);
    checkTextLength(out.length + Math.max(width, s.length), 'format()');
    out += spec[2] ? s.padEnd(width, ' ') : s.padStart(width, ' ');
  }
  return out;
}

/**
 * A value's output text, as concat and format print it: a boolean's is `t` / `f`
 * (its cast to text is `true` / `false`).
 */
export function outputText(v: unknown, t: SqlType): string {
  return t === 'bool' ? (v ? 't' : 'f') : formatText(v, t);
}

/** Output texts of values of the given types (null stays null). */
const texts = (types: readonly SqlType[], values: readonly unknown[]) =>
  values.map((v, i) => (v === null ? null : outputText(v, types[i])));

const FORMAT_FUNCS: Record<string, (args: readonly SqlType[]) => Resolved | undefined> = {
  format: (args) => {
    if (args.length === 0) return undefined;
    const types = args.map(norm);
    return {
      impl: mk(
        'format',
        (fmt: string | null, ...values: unknown[]) =>
          fmt === null ? null : formatSql(fmt, texts(types.slice(1), values)),
        false,
      ),
      type: 'text',
      argTypes: ['text', ...types.slice(1)],
    };
  },
  concat_ws: (args) => {
    if (args.length < 2) return undefined;
    const types = args.map(norm);
    return {
      impl: mk(
        'concat_ws',
        (sep: string | null, ...values: unknown[]) =>
          sep === null
            ? null
            : texts(types.slice(1), values)
                .filter((x) => x !== null)
                .join(sep),
        false,
      ),
      type: 'text',
      argTypes: ['text', ...types.slice(1)],
    };
  },
  quote_ident: (args) =>
    args.length === 1 ? { impl: mk('quote_ident', quoteIdent), type: 'text', argTypes: ['text'] } : undefined,
  quote_literal: ([t]) => {
    const type = norm(t);
    return {
      impl: mk('quote_literal', (v: unknown) => quoteLiteral(formatText(v, type))),
      type: 'text',
      argTypes: [type],
    };
  },
  quote_nullable: ([t]) => {
    const type = norm(t);
    return {
      impl: mk(
        'quote_nullable',
        (v: unknown) => (v === null ? 'NULL' : quoteLiteral(formatText(v, type))),
        false,
      ),
      type: 'text',
      argTypes: [type],
    };
  },
  to_hex: ([t]) => {
    if (!isIntegerType(t) && t !== 'unknown') return undefined;
    const wide = t === 'int64';
    return {
      // Two's complement, as PostgreSQL prints negative numbers.
      impl: mk('to_hex', (v: number | bigint) =>
        wide ? BigInt.asUintN(64, BigInt(v)).toString(16) : ((Number(v) >>> 0) as number).toString(16),
      ),
      type: 'text',
      argTypes: [wide ? 'int64' : 'int32'],
    };
  },
};

/** Resolves one of this module's functions; undefined when the name or arguments do not fit. */
export function resolveFormatFunction(name: string, args: readonly SqlType[]): Resolved | undefined {
  return Object.hasOwn(FORMAT_FUNCS, name) ? FORMAT_FUNCS[name](args) : undefined;
}
