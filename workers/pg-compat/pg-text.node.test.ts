/**
 * The text values and type OIDs clients of the wire protocol and of Neon's HTTP
 * API receive, against PostgreSQL's own (PGlite): each expression runs in the
 * engine, goes through the JSON result the SQL endpoint builds, and is printed
 * by `pg-text`; PGlite answers the same statement with raw text output.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { coordinatorDatabase, coordinatorRows } from '../../engine/distributed/coordinator-engine.ts';
import { initParser } from '../../engine/sql/parser.ts';
import { coordinatorResult } from '../data-plane/coordinator-result.ts';
import { pgFields, pgTextRows } from './pg-text.ts';

const EXPRESSIONS = [
  'true',
  'false',
  '1::smallint',
  '(-2147483648)::integer',
  '9223372036854775807::bigint',
  '-9007199254740993::bigint',
  '1.5::real',
  '123456789::real',
  '1234567::real',
  '123456::real',
  '0.00001234::real',
  '0.1::double precision',
  '1e-7::double precision',
  '1e300::double precision',
  "'NaN'::double precision",
  "'-Infinity'::double precision",
  '123456789012345678.120::numeric',
  "'NaN'::numeric",
  '\'héllo, "w"\'::text',
  "'2024-02-29'::date",
  "'2024-02-29 12:34:56.789'::timestamp",
  "'2024-02-29 12:34:56.000001+00'::timestamptz",
  "'1999-12-31 23:59:59+00'::timestamptz",
  "'infinity'::timestamptz",
  "'0044-03-15 12:00:00+00 BC'::timestamptz",
  "'1 year 2 mons 3 days 04:05:06.5'::interval",
  "'-1 day +02:00'::interval",
  "'\\xdeadbeef'::bytea",
  "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid",
  // jsonb normalization (key order) is the engine's, not this module's: a normalized value.
  '\'{"a": [1, 2.50], "b": 1}\'::jsonb',
  'ARRAY[1, NULL, 3]',
  'ARRAY[9223372036854775807]::bigint[]',
  "ARRAY['a b', '', 'NULL', NULL, 'c\"d']",
  'ARRAY[true, false]',
  "ARRAY[1.5, 'NaN']::double precision[]",
  "ARRAY['2020-01-02 03:04:05+00']::timestamptz[]",
  "ARRAY['2020-01-02']::date[]",
  'ARRAY[1.10]::numeric[]',
  'NULL::integer',
  'NULL',
];

let pg: PGlite;
beforeAll(async () => {
  await initParser();
  pg = await PGlite.create();
  await pg.exec("SET TimeZone = 'UTC'");
});
afterAll(() => pg.close());

test('values print as PostgreSQL prints them, with its type OIDs', async () => {
  const sql = `SELECT ${EXPRESSIONS.map((e, i) => `${e} AS c${i}`).join(', ')}`;
  const db = await coordinatorDatabase([]);
  const result = coordinatorResult(coordinatorRows(await db.query(sql)));
  const fields = pgFields(result);
  const texts = pgTextRows(result)[0];

  const oids = (await pg.query(sql)).fields.map((f) => f.dataTypeID);
  // Every built-in type's parser replaced by the identity: PGlite hands back PostgreSQL's text.
  const raw = Object.fromEntries(Array.from({ length: 4000 }, (_, oid) => [oid, (text: string) => text]));
  const expected = (await pg.query<Record<string, string | null>>(sql, [], { parsers: raw })).rows[0];
  const mismatches: string[] = [];
  EXPRESSIONS.forEach((e, i) => {
    const want = expected[`c${i}`];
    if (texts[i] !== want || fields[i].dataTypeID !== oids[i])
      mismatches.push(
        `${e}: got ${texts[i]} (oid ${fields[i].dataTypeID}), PostgreSQL ${want} (oid ${oids[i]})`,
      );
  });
  expect(mismatches).toEqual([]);
});
