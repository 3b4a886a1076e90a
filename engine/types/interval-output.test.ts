/** formatInterval in every IntervalStyle against PGlite's output of the same values. */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseInterval } from './datetime.ts';
import { readInterval } from './interval-input.ts';
import { formatInterval, type IntervalStyle } from './interval-output.ts';

const VALUES = [
  '0',
  '1-2',
  '-1-2',
  '1 2:03:04',
  '2:03:04.45679',
  '-00:00:00.1',
  '1 day -1 hours',
  '-1 days +1 hours',
  '1 years 2 months -3 days 4 hours 5 minutes 6.789 seconds',
  '-1 years -2 months 3 days -4 hours -5 minutes -6.789 seconds',
  '-23 hours 45 min 12.34 sec',
  '-10 mons -3 days +03:55:06.70',
  '1 year 2 mons 3 days 04:05:06.699999',
  '@ 0.70 secs',
  '-0.5 sec',
  '1 sec',
  '-1 sec',
  '7 days',
  '-1 mon',
  '100000000y 10mon -1000000000d -100000h -10min -10.000001s ago',
  '-2147483648 months -2147483648 days',
  'infinity',
  '-infinity',
];
const STYLES: IntervalStyle[] = ['postgres', 'postgres_verbose', 'sql_standard', 'iso_8601'];

describe('interval output styles vs PGlite', () => {
  let pg: PGlite;
  beforeAll(async () => {
    pg = new PGlite();
  });
  afterAll(async () => {
    await pg.close();
  });
  test.each(STYLES)('%s', async (style) => {
    // Values read in the postgres style (sql_standard input would sign every field alike).
    await pg.exec(
      'SET IntervalStyle = postgres; DROP TABLE IF EXISTS iv; CREATE TABLE iv (i int, x interval)',
    );
    for (const [i, v] of VALUES.entries()) await pg.query('INSERT INTO iv VALUES ($1, $2::interval)', [i, v]);
    await pg.exec(`SET IntervalStyle = ${style}`);
    const r = await pg.query<{ t: string }>('SELECT x::text AS t FROM iv ORDER BY i');
    const ours = VALUES.map((v) => `${v} → ${formatInterval(parseInterval(v), style)}`);
    expect(ours).toEqual(VALUES.map((v, i) => `${v} → ${r.rows[i].t}`));
  });
  test('sql_standard input: a lone leading minus signs every field', async () => {
    const inputs = [
      '-1 2:03:04',
      '-1 -2:03:04',
      '-23 hours 45 min 12.34 sec',
      '-1-2 3',
      '-1 day +2:00',
      '-1.5',
      '-1 2:03',
    ];
    await pg.exec(
      'SET IntervalStyle = sql_standard; DROP TABLE IF EXISTS si; CREATE TABLE si (i int, x interval)',
    );
    for (const [i, v] of inputs.entries()) await pg.query('INSERT INTO si VALUES ($1, $2::interval)', [i, v]);
    await pg.exec('SET IntervalStyle = postgres');
    const r = await pg.query<{ t: string }>('SELECT x::text AS t FROM si ORDER BY i');
    const ours = inputs.map((v) => `${v} → ${formatInterval(readInterval(v, undefined, 'sql_standard'))}`);
    expect(ours).toEqual(inputs.map((v, i) => `${v} → ${r.rows[i].t}`));
  });
});
