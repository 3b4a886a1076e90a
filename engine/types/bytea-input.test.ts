/** bytea input (hex with whitespace, escape format with octal bytes, their errors) against PGlite. */
import { beforeAll, describe, expect, test } from 'vitest';
import { diff, makePair, type Pair } from '../sql/differential-harness.ts';

const LITERALS = [
  String.raw`\xDeAdBeEf`,
  String.raw`\x De Ad Be Ef `,
  String.raw`\xDe00BeEf`,
  String.raw`\xDeAdBeEf1`,
  String.raw`\xDeAdBeEg`,
  String.raw`\Xab`,
  'DeAdBeEf',
  String.raw`De\000dBeEf`,
  String.raw`De\123dBeEf`,
  String.raw`De\\x`,
  String.raw`De\9`,
  String.raw`De\400`,
  String.raw`ab\ `,
  'é',
];

describe('bytea input vs PGlite', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await makePair('');
  });
  test.each(LITERALS)('%s', async (text) => {
    const sql = `SELECT '${text.replaceAll("'", "''")}'::bytea::text, length('${text.replaceAll("'", "''")}'::bytea)`;
    expect(await diff(pair, sql)).toBeUndefined();
  });
});
