/**
 * @module engine/columnar/format-compat.data
 * The deterministic table behind the stored format-compatibility fixtures
 * (`fixtures/chunk-v<N>.b64`): every format version's bytes of this table must
 * keep decoding to these values. Used only by tests and by the script that
 * writes a fixture when a format version is retired.
 */
import type { ColumnSchema } from './chunk-format.ts';
import type { JsValue } from './test-vectors.ts';

/** Rows in the fixture table (more than two 1024-value mini-blocks). */
export const COMPAT_ROWS = 2500;

export const COMPAT_SCHEMA: readonly ColumnSchema[] = [
  { name: 'time', type: 'timestamptz' },
  { name: 'host', type: 'text' },
  { name: 'n', type: 'int32' },
  { name: 'walk', type: 'float64' },
  { name: 'ratio', type: 'float64' },
  { name: 'big', type: 'int64' },
  { name: 'flag', type: 'bool' },
  { name: 'day', type: 'date' },
];

/** Column values (null = NULL) of the fixture table. */
export function compatColumns(): JsValue[][] {
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const cols: JsValue[][] = COMPAT_SCHEMA.map(() => []);
  let walk = 50;
  let n = 1000;
  for (let i = 0; i < COMPAT_ROWS; i++) {
    walk = Math.max(0, Math.min(100, walk + Math.round((rand() - 0.5) * 4)));
    n += Math.floor(rand() * 7) - 2;
    cols[0].push(1451606400000000 + Math.floor(i / 10) * 10_000_000 + (i % 10));
    cols[1].push(i % 97 === 0 ? null : `host_${i % 10}`);
    cols[2].push(n);
    cols[3].push(walk);
    cols[4].push(i % 50 === 0 ? Number.NaN : Math.round(rand() * 1e6) / 1e3);
    cols[5].push(i % 13 === 0 ? null : BigInt(i) * 1_000_003n - 7n);
    cols[6].push(rand() < 0.5);
    cols[7].push(16000 + Math.floor(i / 100));
  }
  return cols;
}
