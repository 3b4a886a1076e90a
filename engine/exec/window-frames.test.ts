/**
 * Window frames against PGlite (real PostgreSQL): ROWS / GROUPS / RANGE frames
 * with every bound kind and EXCLUDE CURRENT ROW / GROUP / TIES, generated from
 * a seed over a table with ties and NULL order keys, for aggregates,
 * first_value / last_value / nth_value; named windows (`WINDOW w AS …`) and
 * PostgreSQL's errors for frames and window references.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';
import { Prng } from '../testing/prng.ts';

const SETUP = `
CREATE TABLE w (id int, g int, o int, v int, s text);
INSERT INTO w VALUES (1, 1, 1, 10, 'a'), (2, 1, 1, NULL, 'b'), (3, 1, 2, 30, 'c'), (4, 1, 3, 40, NULL),
  (5, 1, 3, 50, 'e'), (6, 1, NULL, 60, 'f'), (7, 2, 5, 70, 'g'), (8, 2, 5, 80, 'h'), (9, 2, 6, 90, 'i'),
  (10, 2, 8, -5, 'j'), (11, 3, 1, 7, 'k'), (12, 1, 4, 12, 'l'), (13, 1, 4, 13, 'm');
`;

const BOUNDS_START = [
  'UNBOUNDED PRECEDING',
  'CURRENT ROW',
  '0 PRECEDING',
  '1 PRECEDING',
  '2 PRECEDING',
  '1 FOLLOWING',
  '3 FOLLOWING',
];
const BOUNDS_END = [
  'UNBOUNDED FOLLOWING',
  'CURRENT ROW',
  '0 FOLLOWING',
  '1 FOLLOWING',
  '2 FOLLOWING',
  '1 PRECEDING',
  '3 PRECEDING',
];
const EXCLUDES = ['', ' EXCLUDE NO OTHERS', ' EXCLUDE CURRENT ROW', ' EXCLUDE GROUP', ' EXCLUDE TIES'];
/** Calls whose value does not depend on how PostgreSQL orders peer rows when the frame holds whole peer groups. */
const SET_CALLS = ['sum(v)', 'count(*)', 'count(v)', 'max(s)', 'min(v)', 'avg(v)'];
/** Calls over the ORDER BY key itself: the same whatever the order among peers, for every frame. */
const keyCalls = (k: string) => [
  `sum(${k})`,
  `count(${k})`,
  `first_value(${k})`,
  `last_value(${k})`,
  `nth_value(${k}, 2)`,
  `string_agg((${k})::text, ',')`,
];
const ANY_CALLS = [
  ...SET_CALLS,
  "string_agg(s, ',')",
  'first_value(id)',
  'last_value(id)',
  'nth_value(id, 3)',
];
/** ORDER BY lists with the expression that identifies a row's peer group (none: no ties). */
const ORDERS: [string, string | undefined][] = [
  ['o', 'o'],
  ['o DESC', 'o'],
  ['o NULLS FIRST', 'o'],
  ['g, o DESC NULLS LAST', 'g * 100 + o'],
  ['o, id', undefined],
];

/**
 * `n` seeded window queries: one random frame per query. Calls are chosen so that the
 * answer does not depend on the order of peer rows, which PostgreSQL leaves open.
 */
function frameQueries(seed: number, n: number): string[] {
  const r = new Prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[r.int(xs.length)];
  const out: string[] = [];
  while (out.length < n) {
    const mode = pick(['ROWS', 'GROUPS', 'RANGE']);
    const start = pick(BOUNDS_START);
    const end = pick(BOUNDS_END);
    // RANGE offsets are values of the key's type, not row counts: see window-range.test.ts.
    if (mode === 'RANGE' && (/\d/.test(start) || /\d/.test(end))) continue;
    const [order, key] = pick(ORDERS);
    const exclude = pick(EXCLUDES);
    const calls =
      key === undefined ? ANY_CALLS : mode === 'ROWS' ? keyCalls(key) : [...SET_CALLS, ...keyCalls(key)];
    const part = pick(['', 'PARTITION BY g ']);
    const over = `(${part}ORDER BY ${order} ${mode} BETWEEN ${start} AND ${end}${exclude})`;
    // A ROWS frame over ties depends on where a row lands among its peers: identify rows by their key then.
    const head = mode === 'ROWS' && key !== undefined ? `${part ? 'g, ' : ''}${key}` : 'id';
    out.push(`SELECT ${head}, ${pick(calls)} OVER ${over}, ${pick(calls)} OVER ${over} FROM w`);
  }
  return out;
}

const ERRORS = [
  // Frames.
  'SELECT sum(v) OVER (GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM w',
  'SELECT sum(v) OVER (ORDER BY o ROWS BETWEEN -1 PRECEDING AND CURRENT ROW) FROM w',
  'SELECT sum(v) OVER (ORDER BY o GROUPS BETWEEN CURRENT ROW AND -2 FOLLOWING) FROM w',
  'SELECT nth_value(id, 0) OVER (ORDER BY o) FROM w',
  'SELECT nth_value(id, NULL) OVER (ORDER BY o) FROM w',
  "SELECT nth_value(id, 'x') OVER (ORDER BY o) FROM w",
  // Named windows.
  'SELECT sum(v) OVER w FROM w WINDOW v AS ()',
  'SELECT sum(v) OVER (x ORDER BY id) FROM w WINDOW x AS (ORDER BY o)',
  'SELECT sum(v) OVER (x PARTITION BY g) FROM w WINDOW x AS (ORDER BY o)',
  'SELECT sum(v) OVER (x) FROM w WINDOW x AS (ORDER BY o ROWS UNBOUNDED PRECEDING)',
  'SELECT sum(v) OVER x FROM w WINDOW x AS (), x AS (ORDER BY o)',
];

/** Frames that are empty for some rows (past the partition's end): first/last/nth_value are NULL there. */
const EMPTY_FRAMES = [
  'SELECT id, last_value(id) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) FROM w',
  'SELECT id, first_value(id) OVER (PARTITION BY g ORDER BY id ROWS BETWEEN 2 FOLLOWING AND 3 FOLLOWING) FROM w',
  'SELECT id, nth_value(id, 1) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) FROM w',
  'SELECT id, last_value(id) OVER (ORDER BY o, id GROUPS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) FROM w',
];

const NAMED = [
  'SELECT id, sum(v) OVER x, rank() OVER (x ORDER BY o DESC, id) FROM w WINDOW x AS (PARTITION BY g)',
  'SELECT id, sum(v) OVER y FROM w WINDOW x AS (PARTITION BY g), y AS (x ORDER BY id ROWS 1 PRECEDING)',
  'SELECT id, first_value(id) OVER x FROM w WINDOW x AS (ORDER BY o, id GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE TIES)',
  'SELECT id, last_value(id) OVER x FROM w WINDOW x AS (ORDER BY o, id) ORDER BY sum(v) OVER x, id',
  'SELECT g, (SELECT sum(u) OVER x FROM generate_series(1, g) u WINDOW x AS (ORDER BY u DESC) ORDER BY u LIMIT 1) FROM w WINDOW x AS (PARTITION BY g)',
];

describe('window frames vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair(SETUP);
  });
  test.each(frameQueries(20261207, 120))('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
  test.each([...EMPTY_FRAMES, ...NAMED, ...ERRORS])('%s', async (sql) => {
    expect(await diff(pair, sql)).toBeUndefined();
  });
});
