/**
 * bytea functions and function resolution through implicit casts only:
 * differential tests against PGlite (answers compared, errors by SQLSTATE).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';

const SETUP = `
CREATE TABLE b (id int, v bytea, t text);
INSERT INTO b VALUES (1, '\\x0001020300', 'héllo'), (2, '\\x', ''), (3, NULL, NULL), (4, '\\x5c00ff41', 'a\\b');
`;

const QUERIES = [
  // bytes are bytes, never their \\x text
  'SELECT id, length(v), octet_length(v), bit_length(v), octet_length(t), bit_length(t) FROM b ORDER BY id',
  'SELECT id, substr(v, 2, 2), substring(v from 3), substring(v, 0, 2), substring(v for 1) FROM b ORDER BY id',
  "SELECT id, btrim(v, '\\x00'::bytea), ltrim(v, '\\x00'), rtrim(v, '\\x00'), trim('\\x00'::bytea from v) FROM b ORDER BY id",
  "SELECT id, position('\\x02'::bytea in v), position(''::bytea in v) FROM b ORDER BY id",
  "SELECT id, v || '\\x09'::bytea, v || 'a', 'a' || v, v || v FROM b ORDER BY id",
  "SELECT id, encode(v, 'hex'), encode(v, 'base64'), encode(v, 'escape'), md5(v), md5(t) FROM b ORDER BY id",
  "SELECT encode(decode(repeat('ab', 100), 'hex'), 'base64'), decode('AAEC', 'base64'), decode(' 01 02 ', 'hex'), decode('a\\\\\\001b', 'escape')",
  "SELECT sha224('abc'), sha256(''), sha384('\\x00'::bytea), sha512('abc'), encode(sha256('abc'), 'hex')",
  "SELECT get_byte('\\x0102'::bytea, 1), set_byte('\\x0102'::bytea, 0, 255), get_bit('\\x0102'::bytea, 9), set_bit('\\x0102'::bytea, 0, 0)",
  "SELECT overlay('abcdef' placing 'XY' from 2 for 3), overlay('abc' placing 'XYZ' from 2), overlay('abc' placing 'X' from 2 for -1), overlay('\\x010203'::bytea placing '\\xff'::bytea from 2 for 1)",
  "SELECT array_to_string(ARRAY[1, NULL, 3], ','), array_to_string(ARRAY[1, NULL, 3], ',', '*'), array_to_string(ARRAY[1, NULL, 3], ',', NULL), array_to_string(ARRAY[1, 2], NULL), array_to_string(NULL::int[], ',')",
  // errors: PostgreSQL's SQLSTATEs
  "SELECT get_byte('\\x0102'::bytea, 2)",
  "SELECT set_bit('\\x01'::bytea, 0, 2)",
  "SELECT substr('\\x01'::bytea, 1, -1)",
  "SELECT overlay('abc' placing 'X' from 0)",
  "SELECT decode('zz', 'hex')",
  "SELECT decode('abc', 'hex')",
  "SELECT encode('\\x01'::bytea, 'foo')",
  // a function exists only for the types its arguments reach by implicit casts
  "SELECT upper('\\x01'::bytea)",
  'SELECT length(123)',
  'SELECT id, lower(v) FROM b',
  'SELECT substr(12345, 2)',
  'SELECT sha256(t) FROM b',
];

describe('bytea functions vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair(SETUP);
  });
  test.each(QUERIES)('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
});
