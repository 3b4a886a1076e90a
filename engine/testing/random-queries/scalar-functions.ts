/**
 * @module engine/testing/random-queries/scalar-functions
 * The wider function and cast vocabulary of the random query generator: math
 * (mod, power, sqrt, ln, exp, floor/ceil/round/trunc, greatest/least), numeric
 * division and casts between int/bigint/double/numeric/text (where PostgreSQL's
 * output formats and rounding rules are easy to get wrong), string functions
 * (replace, split_part, starts_with, position, trim, concat) and time functions
 * (extract/date_part, date_bin, interval arithmetic, text output of timestamps
 * and intervals). Forms that can raise (ln of 0, overflowing casts) are kept on
 * purpose: both systems must then raise the same SQLSTATE.
 *
 * {@link overflowOf} adds casts and arithmetic at the edges of the integer
 * types (`::smallint` / `::integer` / `::bigint` of wider values, NaN and
 * ±Infinity, `+ 2147483647`, bigint products), the same casts guarded by CASE
 * (which PostgreSQL evaluates lazily: the guarded form must never raise), exact
 * bigint arithmetic beyond 2^53 and numeric literals.
 */
import type { RqgType } from './dataset.ts';
import type { Expr, Scope } from './expressions.ts';

function other(s: Scope, type: RqgType, not: string): string {
  const cands = s.columns.filter((c) => c.type === type && c.sql !== not);
  return cands.length ? s.rng.pick(cands).sql : not;
}

/** Applies a random function or cast to `base`; the result type may differ from base's. */
export function functionOf(s: Scope, base: Expr): Expr {
  const { rng } = s;
  if (base.type !== 'text' && base.type !== 'bool' && base.type !== 'timestamptz' && rng.chance(0.3))
    return overflowOf(s, base);
  const c = base.sql;
  const t = base.type;
  const e = (sql: string, type: RqgType): Expr => ({ sql, type });
  switch (t) {
    case 'int':
    case 'bigint':
      return rng.pick([
        e(`mod(${c}, ${rng.pick([3, -5])})`, t),
        e(`greatest(${c}, ${rng.range(-5, 5)})`, t),
        e(`least(${c}, ${other(s, t, c)})`, t),
        e(`(-${c})`, t),
        e(`(${c} / NULLIF(${other(s, t, c)}, 0))`, t),
        e(`${c}::text`, 'text'),
        e(`${c}::double precision`, 'double'),
        e(`${c}::numeric`, 'numeric'),
        e(`(${c}::numeric / 7)`, 'numeric'),
        e(`power(${c}, 2)`, 'double'),
        e(`${c}::int`, 'int'),
        ...arraysOf(s, base),
      ]);
    case 'double':
      return rng.pick([
        e(`floor(${c})`, t),
        e(`ceil(${c})`, t),
        e(`round(${c})`, t),
        e(`sqrt(abs(${c}))`, t),
        e(`ln(abs(${c}) + 1)`, t),
        e(`exp(least(${c}, 5))`, t),
        e(`${c}::text`, 'text'),
        e(`${c}::numeric`, 'numeric'),
        e(`${c}::bigint`, 'bigint'),
        e(`(${c} / 3)`, t),
        e(`greatest(${c}, ${other(s, t, c)})`, t),
      ]);
    case 'numeric':
      return rng.pick([
        e(`(${c} / 3)`, t),
        e(`(${c} / NULLIF(${other(s, 'int', c)}, 0))`, t),
        e(`trunc(${c}, 1)`, t),
        e(`floor(${c})`, t),
        e(`ceil(${c})`, t),
        e(`round(${c})`, t),
        e(`mod(${c}, 2)`, t),
        e(`abs(${c})`, t),
        e(`${c}::text`, 'text'),
        e(`${c}::double precision`, 'double'),
        e(`${c}::int`, 'int'),
        e(`(${c} * ${other(s, 'int', c)})`, t),
      ]);
    case 'text':
      return rng.pick([
        e(`replace(${c}, 'a', 'zz')`, t),
        e(`split_part(${c}, ' ', ${rng.pick([1, 2])})`, t),
        e(`starts_with(${c}, 'a')`, 'bool'),
        e(`position('b' in ${c})`, 'int'),
        e(`trim(${c})`, t),
        e(`concat(${c}, '-', ${other(s, 'int', c)})`, t),
        e(`(${c} || ${other(s, t, c)})`, t),
        e(`length(${c} || ${other(s, t, c)})`, 'int'),
        e(`array_to_string(string_to_array(${c}, ' '), '+', '~')`, t),
        e(`cardinality(string_to_array(${c}, 'a'))`, 'int'),
        e(`(${c} = ANY('{a,"b c",NULL}'::text[]))`, 'bool'),
        ...arraysOf(s, base),
      ]);
    case 'timestamptz':
      return rng.pick([
        e(`extract(${rng.pick(['year', 'month', 'day', 'hour', 'dow', 'epoch'])} from ${c})`, 'numeric'),
        e(`date_part('${rng.pick(['minute', 'doy', 'epoch'])}', ${c})`, 'double'),
        e(`(${c} + interval '${rng.pick(['1 day', '90 minutes', '1 month', '-2 hours'])}')`, t),
        e(`date_bin('15 minutes', ${c}, timestamptz '2000-01-01 00:00:00+00')`, t),
        e(`${c}::text`, 'text'),
        e(`(ARRAY[${c}, ${other(s, t, c)}])[${rng.pick([1, 2, 3])}]`, t),
        e(`(${c} - ${other(s, t, c)})::text`, 'text'),
        e(`extract(epoch from (${c} - ${other(s, t, c)}))`, 'numeric'),
      ]);
    case 'bool':
      return rng.pick([
        e(`${c}::text`, 'text'),
        e(`(NOT ${c})`, t),
        e(`(${c} AND ${other(s, t, c)})`, t),
        e(`(${c} IS DISTINCT FROM ${other(s, t, c)})`, t),
      ]);
  }
}

/**
 * Array forms over a scalar of int/bigint/text type: constructors with NULL
 * elements, subscripts (in and out of range), slices, ANY/ALL with NULLs,
 * array comparison, position and text output.
 */
function arraysOf(s: Scope, base: Expr): Expr[] {
  const { rng } = s;
  const c = base.sql;
  const t = base.type;
  const o = other(s, t, c);
  const arr = `ARRAY[${c}, ${o}, NULL]`;
  return [
    { sql: `(${arr})[${rng.pick([0, 1, 2, 3, 4])}]`, type: t },
    { sql: `cardinality((${arr})[${rng.pick([1, 2])}:])`, type: 'int' },
    { sql: `(${c} = ANY(ARRAY[${o}, ${c}]))`, type: 'bool' },
    { sql: `(${c} <> ALL(${arr}))`, type: 'bool' },
    { sql: `(${c} ${rng.pick(['<', '>=', '='])} ANY(ARRAY[${o}]))`, type: 'bool' },
    { sql: `(ARRAY[${c}, ${o}] ${rng.pick(['<', '=', '>='])} ARRAY[${o}, ${c}])`, type: 'bool' },
    { sql: `array_position(${arr}, ${c})`, type: 'int' },
    { sql: `(${arr})::text`, type: 'text' },
    { sql: `array_to_string(ARRAY[${o}] || ${c}, ',', 'null')`, type: 'text' },
  ];
}

const NARROWER: Readonly<Record<string, readonly [string, string][]>> = {
  // [cast, range guard]: the guard holds exactly when the cast cannot overflow.
  int: [['smallint', 'BETWEEN -32768 AND 32767']],
  bigint: [
    ['smallint', 'BETWEEN -32768 AND 32767'],
    ['integer', 'BETWEEN -2147483648 AND 2147483647'],
  ],
  double: [
    ['smallint', 'BETWEEN -32768 AND 32767'],
    ['integer', 'BETWEEN -2147483648 AND 2147483647'],
    ['bigint', 'BETWEEN -9.2e18 AND 9.2e18'],
  ],
  numeric: [
    ['smallint', 'BETWEEN -32768 AND 32767'],
    ['integer', 'BETWEEN -2147483648 AND 2147483647'],
    ['bigint', 'BETWEEN -9223372036854775808 AND 9223372036854775807'],
  ],
};

/**
 * Casts and arithmetic of a numeric `base` at the edges of the integer types:
 * narrowing casts that overflow (22003), the same cast under a CASE guard that
 * must keep it from ever running, integer arithmetic that overflows, exact bigint
 * arithmetic beyond 2^53 (sent over JSON as text) and numeric literals.
 */
export function overflowOf(s: Scope, base: Expr): Expr {
  const { rng } = s;
  const c = base.sql;
  const t = base.type;
  const e = (sql: string, type: RqgType): Expr => ({ sql, type });
  const [to, guard] = rng.pick(NARROWER[t] ?? NARROWER.int);
  const forms: Expr[] = [
    e(`(${c})::${to}`, to === 'bigint' ? 'bigint' : 'int'),
    e(`((${c})::${to} + 1)`, to === 'bigint' ? 'bigint' : 'int'),
    e(`CASE WHEN ${c} ${guard} THEN (${c})::${to} + 1 ELSE -1 END`, to === 'bigint' ? 'bigint' : 'int'),
    e(`(${c} + ${rng.pick(['0.25', '1.5', '-0.125'])})`, t === 'double' ? 'double' : 'numeric'),
    e(
      `(${c} * ${rng.pick(['1.5', '0.001', '12345678901234567890.5'])})`,
      t === 'double' ? 'double' : 'numeric',
    ),
  ];
  if (t === 'int') {
    forms.push(
      e(`(${c} + 2147483647)`, 'int'),
      e(`(${c} * 65536)`, 'int'),
      e(`(${c}::bigint * 65536)`, 'bigint'),
    );
  }
  if (t === 'bigint') {
    forms.push(
      e(`(${c} - 9007199254740993)`, 'bigint'),
      e(`(${c} * 2048)`, 'bigint'),
      e(`(${c} + 9223372036854775000)`, 'bigint'),
      e(`CASE WHEN abs(${c}) < 4503599627370496 THEN ${c} * 2048 ELSE 0 END`, 'bigint'),
    );
  }
  if (t === 'double') forms.push(e(`(${c} * 1e300 * 1e10)`, 'double'), e(`(${c}::numeric)`, 'numeric'));
  if (t === 'numeric')
    forms.push(e(`round(${c}, 2)`, 'numeric'), e(`(${c} + 12345678901234567890.5)`, 'numeric'));
  return rng.pick(forms);
}
