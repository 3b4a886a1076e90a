/**
 * LIKE / ILIKE: the linear matcher against PostgreSQL (PGlite) on fixed and
 * generated patterns, and a pattern that made the old RegExp translation run
 * for minutes.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';
import { compileLike, likeEscape, likeMatches } from './like-match.ts';

let pair: Pair;
beforeAll(async () => {
  pair = await makePair(
    "CREATE TABLE s (t text); INSERT INTO s VALUES ('abc'), ('aXc'), ('a%c'), ('a_c'), ('a\\c'), (''), ('ÄbC'), ('😀x'), ('x😀y'), (NULL)",
  );
}, 60_000);
afterAll(async () => {
  await pair?.pg.close();
});

describe('LIKE against PostgreSQL', () => {
  const patterns = [
    'a%',
    '%c',
    'a_c',
    '%b%',
    '%',
    '',
    '_',
    '__',
    'a\\%c',
    'a\\_c',
    'a\\\\c',
    '%%c',
    'a%%',
    '_😀_',
    '😀_',
    '%😀%',
    'a%b%c',
    'abc%',
    '%abc',
  ];
  for (const p of patterns) {
    const lit = p.replace(/'/g, "''");
    test(`LIKE / ILIKE / NOT LIKE '${p}'`, async () => {
      expect(
        await diff(pair, `SELECT t, t LIKE '${lit}', t ILIKE '${lit}', t NOT LIKE '${lit}' FROM s`),
      ).toBeUndefined();
    });
  }
  test('ESCAPE clauses and the errors of bad escapes', async () => {
    for (const sql of [
      "SELECT t FROM s WHERE t LIKE 'a#%c' ESCAPE '#'",
      "SELECT t FROM s WHERE t LIKE 'a\\c' ESCAPE ''",
      "SELECT t FROM s WHERE t LIKE 'a##c' ESCAPE '#'",
      "SELECT t FROM s WHERE t ILIKE 'A#_C' ESCAPE '#'",
      "SELECT 'a' LIKE 'a\\'",
      "SELECT 'ab' LIKE 'a\\'",
      "SELECT 'x' LIKE '\\'",
      "SELECT '' LIKE '\\'",
      "SELECT 'a' LIKE '%\\'",
      "SELECT 'ab' LIKE 'a#' ESCAPE '#'",
      "SELECT like_escape('a#b\\c#%', '#'), like_escape('a##b', '#'), like_escape('a#', '#')",
      "SELECT 'a' LIKE 'a#' ESCAPE '#'",
      "SELECT 'a' LIKE 'a' ESCAPE '##'",
    ])
      expect(await diff(pair, sql), sql).toBeUndefined();
  });
});

/** The obvious reference: a RegExp on short inputs, where backtracking is harmless. */
function reference(s: string, p: string): boolean {
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const ch = p[i];
    if (ch === '\\') re += p[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (ch === '%') re += '.*';
    else if (ch === '_') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'su').test(s);
}

test('agrees with a RegExp reference on generated strings and patterns', () => {
  const alphabet = fc.constantFrom('a', 'b', '😀');
  const pchar = fc.constantFrom('a', 'b', '😀', '%', '_', '\\a', '\\%');
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 12 }), fc.array(pchar, { maxLength: 8 }), (cs, ps) => {
      const s = cs.join('');
      const p = ps.join('');
      expect(likeMatches(s, compileLike(p, false))).toBe(reference(s, p));
    }),
    { numRuns: 3000 },
  );
});

test('a pattern with many % over a long near-miss string answers at once', () => {
  const s = 'a'.repeat(200_000);
  const p = compileLike(`${'%a'.repeat(40)}%c`, false);
  const t0 = performance.now();
  expect(likeMatches(s, p)).toBe(false);
  expect(likeMatches(`${s}c`, p)).toBe(true);
  // The RegExp translation did not finish within minutes on 2,000 characters and 3 `%a`.
  expect(performance.now() - t0).toBeLessThan(2_000);
});

test('like_escape rewrites a custom escape to backslashes', () => {
  expect(likeEscape('a#%b\\c', '#')).toBe('a\\%b\\\\c');
  expect(likeEscape('a#x', '#')).toBe('a\\x');
  expect(likeEscape('a\\b', '')).toBe('a\\\\b');
});
