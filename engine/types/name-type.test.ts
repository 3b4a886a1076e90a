/**
 * The `name` type against PostgreSQL (PGlite): text clipped silently to 63 bytes (never
 * inside a character), on casts, inserts and updates alike; compared as C-collated text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';

let pair: Pair;
beforeAll(async () => {
  pair = await makePair(
    "CREATE TABLE names (id int, n name); INSERT INTO names VALUES (1, repeat('x', 70)), " +
      "(2, repeat('é', 40)), (3, 'b'), (4, 'B'), (5, repeat('ab', 31) || '€'), (6, NULL), (7, '');" +
      "UPDATE names SET n = repeat('yz', 40) WHERE id = 7",
  );
});
afterAll(async () => {
  await pair.pg.close();
});

const SAME_AS_POSTGRES = [
  'SELECT id, n, octet_length(n) FROM names',
  'SELECT id, n FROM names ORDER BY n, id',
  "SELECT id FROM names WHERE n < 'a' ORDER BY id",
  "SELECT id FROM names WHERE n = repeat('x', 63)",
  "SELECT repeat('ab', 40)::name, octet_length(repeat('ab', 40)::name)",
  "SELECT (repeat('a', 62) || 'ü')::name",
  "SELECT CAST(repeat('€', 30) AS name)",
  "SELECT 'abc'::name || 'def'",
  "SELECT 'a'::name(3)",
  'SELECT max(n), min(n), count(DISTINCT n) FROM names',
  "SELECT data_type FROM information_schema.columns WHERE table_name = 'names' ORDER BY ordinal_position",
];

describe('name', () => {
  for (const sql of SAME_AS_POSTGRES) it(sql, async () => expect(await diff(pair, sql)).toBeUndefined());
});
