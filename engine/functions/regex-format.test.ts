/**
 * Regular expressions (operators, SIMILAR TO, substring … from, the regexp
 * functions) and format, concat_ws, quote_ident/literal/nullable, to_hex:
 * differential tests against PGlite.
 */

import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';

const SETUP = `
CREATE TABLE s (id int, t text);
INSERT INTO s VALUES (1, 'foobarbaz'), (2, 'Hello World'), (3, 'a1b22c333'), (4, ''), (5, NULL), (6, 'x]y[z');
`;

const QUERIES = [
  "SELECT id, t ~ 'b.r', t ~* 'hello', t !~ '[0-9]', t !~* 'WORLD' FROM s ORDER BY id",
  "SELECT id, t SIMILAR TO '%(bar|World)%', t NOT SIMILAR TO 'a_b%', t SIMILAR TO '[a-z]+' FROM s ORDER BY id",
  "SELECT 'a.c' SIMILAR TO 'a.c', 'abc' SIMILAR TO 'a.c', 'a%' SIMILAR TO 'a#%' ESCAPE '#', 'ab' SIMILAR TO 'a#%' ESCAPE '#'",
  "SELECT id, substring(t from '[0-9]+'), substring(t from 'o(.)') FROM s ORDER BY id",
  "SELECT id, regexp_replace(t, '[aeiou]', '_'), regexp_replace(t, '[aeiou]', '_', 'g'), regexp_replace(t, '(o+)', '<\\1\\&>', 'gi') FROM s ORDER BY id",
  "SELECT id, regexp_match(t, '([a-z])([0-9]+)'), regexp_match(t, 'o'), regexp_like(t, 'WORLD', 'i') FROM s ORDER BY id",
  "SELECT id, regexp_split_to_array(t, '[0-9]+'), regexp_count(t, 'o'), regexp_substr(t, '[0-9]+') FROM s ORDER BY id",
  "SELECT regexp_split_to_array('abc', ''), regexp_split_to_array('a b  c', '\\s+'), regexp_replace('A1b2', '[[:digit:]]', '#', 'g')",
  "SELECT 'word here' ~ '\\mhere', 'foo bar' ~ 'o\\M', 'abc' ~ '^[^[:upper:]]+$', 'x]' ~ '[]x]+', 'a$b' ~ 'a\\$b'",
  "SELECT 'abcd\\efg' SIMILAR TO '_bcd\\%' ESCAPE '', 'abcdefg' SIMILAR TO '_bcd%' ESCAPE NULL, 'abcd%' SIMILAR TO '_bcd#%' ESCAPE '#', 'abcd' SIMILAR TO 'a\\bcd', 'a_c' SIMILAR TO 'a\\_c'",
  "SELECT regexp_replace('foobarrbazz', E'(.)\\\\1', E'X\\\\Y\\\\1Z\\\\'), regexp_replace('abc', 'b', E'\\\\\\\\'), regexp_replace('abc', 'b', '$1')",
  "SELECT regexp_split_to_array('the quick brown fox', E'\\\\s*'), regexp_split_to_array('a  b', ' '), regexp_split_to_array('abc', 'x*')",
  "SELECT 'a' ~ '('",
  "SELECT regexp_replace('abc', 'b', 'x', 'z')",
  "SELECT regexp_match('ab', 'a', 'g')",
  "SELECT format('%s-%I-%L', 'a', 'B c', 'it''s'), format('%2$s %1$s', 'a', 'b'), format('|%5s|%-5s|', 'ab', 'cd')",
  "SELECT format('%s %L', NULL, NULL), format('%%'), format(NULL), format('%s', 1.5), format('%I', 'select'), format('%s', ARRAY[1, 2])",
  "SELECT format('%s')",
  "SELECT format('%I', NULL)",
  "SELECT format('%x', 1)",
  "SELECT format('abc %')",
  'SELECT to_hex(255), to_hex(-1), to_hex(-1::bigint), to_hex(9223372036854775807), to_hex(0)',
  `SELECT quote_ident('a b'), quote_ident('abc'), quote_ident('Abc'), quote_ident('int'), quote_ident('user'), quote_ident('a"b')`,
  "SELECT quote_literal('it''s'), quote_literal(E'a\\\\b'), quote_literal(42), quote_nullable(NULL), quote_nullable('x')",
  "SELECT id, concat_ws(',', t, NULL, id, 2.5, true), concat_ws(NULL, t) FROM s ORDER BY id",
  "SELECT concat_ws('-')",
  "SELECT concat('a', true, NULL, false, 1.50, ARRAY[true, false]), quote_literal(true), format('%s %L', false, true)",
];

/** Patterns whose backtracking time can grow exponentially: refused before they run. */
/** Patterns that backtrack for minutes in JavaScript's RegExp: RE2 answers them as PostgreSQL does. */
const RUNAWAY = [
  "SELECT 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab' ~ '^(a+)+$'",
  "SELECT regexp_replace('x', '(\\w*\\s?)*', '')",
  "SELECT 'a' ~ '((ab)*c)+'",
  "SELECT 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab' ~ '^(a|a)*$'",
  "SELECT repeat('a', 100000) ~ '.*a.*a.*a.*c'",
  "SELECT regexp_replace(repeat('ab', 50000), '(a|b)*c', 'x')",
];

describe('patterns that would run away in a backtracking engine', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair('');
  });
  test.each(RUNAWAY)('%s', async (sql) => {
    const t0 = performance.now();
    expect(await diff(pair, sql)).toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
  test('back references run where their time stays bounded, and are refused (2201B) where it would not', async () => {
    for (const sql of [
      "SELECT 'abab' ~ '^(ab)\\1$', 'abab' ~ '(a)b\\1'",
      "SELECT regexp_replace('hello', '(l)\\1', '[\\1]')",
      "SELECT 'foo bar' ~ '\\mbar', 'foobar' ~ '\\mbar', 'foo bar' ~ 'o\\M'",
    ])
      expect(await diff(pair, sql), sql).toBeUndefined();
    for (const sql of ["SELECT 'aaaa' ~ '(a*)*\\1'", "SELECT 'aaaa' ~ '(a)\\1.*a.*b'"])
      await expect(pair.engine.query(sql), sql).rejects.toMatchObject({ code: '2201B' });
  });
  test('single-level quantifiers and quantified groups without inner quantifiers still run', async () => {
    const r = await pair.engine.query("SELECT 'abab' ~ '^(ab)+$', 'aXb' ~ '^a[A-Z]*b$', 'ab' ~ '(a|b){2}'");
    expect(r.rows).toEqual([[true, true, true]]);
  });
});

describe('regular expressions and format() vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair(SETUP);
  });
  test.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
});
