/** generate_series over numeric (bounds, steps, NaN/Infinity refusals, lateral uses) against PGlite. */
import { expect, test } from 'vitest';
import { diff, makePair } from '../sql/differential-harness.ts';

const Q = `select * from generate_series(0.0::numeric, 4.0::numeric);
select * from generate_series(0.1::numeric, 4.0::numeric, 1.3::numeric);
select * from generate_series(4.0::numeric, -1.5::numeric, -2.2::numeric);
select * from generate_series(-100::numeric, 100::numeric, 0::numeric);
select * from generate_series(-100::numeric, 100::numeric, 'nan'::numeric);
select * from generate_series('nan'::numeric, 100::numeric, 10::numeric);
select * from generate_series(0::numeric, 'nan'::numeric, 10::numeric);
select * from generate_series('inf'::numeric, 'inf'::numeric, 10::numeric);
select * from generate_series(0::numeric, 'inf'::numeric, 10::numeric);
select * from generate_series(0::numeric, '42'::numeric, '-inf'::numeric);
select * from generate_series(1::numeric, 3::numeric) i, generate_series(i,3) j;
select * from generate_series(1::numeric, 3::numeric) i, generate_series(1,i) j;
select * from generate_series(1::numeric, 3::numeric) i, generate_series(1,5,i) j;
select generate_series(1, 2.5, 0.5);
select generate_series(1.5, 3);
select * from generate_series(1, 10.5::numeric, 3)`.split(';\n');
test('generate_series over numeric matches PostgreSQL', async () => {
  const p = await makePair('');
  for (const q of Q) expect(await diff(p, q), q).toBeUndefined();
});
