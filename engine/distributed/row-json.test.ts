/** Property test: `parsePlaneJson(planeJson(v))` gives back every plane value, those plain JSON loses included. */
import { describe, expect, it } from 'vitest';
import { Prng } from '../testing/prng.ts';
import { parsePlaneJson, planeJson } from './row-json.ts';

const SPECIAL: unknown[] = [
  -0,
  0,
  Number.NaN,
  Infinity,
  -Infinity,
  2n ** 63n - 1n,
  -(2n ** 63n),
  'x',
  null,
  true,
];

/** A random row of plane values: doubles (special ones often), ints, bigints, text, booleans, nulls. */
function randomRow(rng: Prng): unknown[] {
  return Array.from({ length: 1 + Math.floor(rng.float() * 6) }, () => {
    const r = rng.float();
    if (r < 0.4) return SPECIAL[Math.floor(rng.float() * SPECIAL.length)];
    if (r < 0.6) return (rng.float() - 0.5) * 1e6;
    if (r < 0.8) return `s${Math.floor(rng.float() * 100)}"$f"`;
    return BigInt(Math.floor(rng.float() * 1e9)) * 10n ** 12n;
  });
}

describe('planeJson round trip', () => {
  it('keeps -0, NaN, ±Infinity and bigints of random rows (Object.is per value)', () => {
    const rng = new Prng(11);
    for (let i = 0; i < 2000; i++) {
      const row = randomRow(rng);
      const back = parsePlaneJson<unknown[]>(planeJson(row));
      expect(back.length).toBe(row.length);
      for (const [j, v] of row.entries()) expect(Object.is(back[j], v), `${String(v)} at ${j}`).toBe(true);
    }
  });

  it('keeps -0 nested in a logged operation', () => {
    const op = { rows: [[1, -0]], set: { d: -0 } };
    const back = parsePlaneJson<typeof op>(planeJson(op));
    expect(Object.is(back.rows[0][1], -0)).toBe(true);
    expect(Object.is(back.set.d, -0)).toBe(true);
  });
});
