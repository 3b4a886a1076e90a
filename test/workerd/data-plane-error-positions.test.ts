/**
 * Error positions are 1-based offsets into the whole text the client sent, as
 * PostgreSQL reports them, also inside INSERT … SELECT and later statements of
 * a multi-statement call.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ok, sql } from './data-plane-client.ts';

const at = (text: string, needle: string) => text.indexOf(needle) + 1;

describe('error positions', () => {
  beforeAll(async () => {
    await ok('CREATE TABLE pos_t (id int, v text)');
    await ok('CREATE TABLE pos_u (id int, v text)');
  });

  it.each([
    ['INSERT INTO pos_t SELECT nosuch, v FROM pos_u', 'nosuch', '42703'],
    ['INSERT INTO pos_t (id, v) SELECT id, v + 1 FROM pos_u', '+', '42883'],
    ['INSERT INTO pos_t SELECT id, v FROM pos_nosuch', 'pos_nosuch', '42P01'],
    ['SELECT 1; INSERT INTO pos_t SELECT nosuch FROM pos_u', 'nosuch', '42703'],
    ['UPDATE pos_t SET v = nosuch WHERE id = 1', 'nosuch', '42703'],
    ["DELETE FROM pos_t WHERE v = 1", '=', '42883'],
  ])('%s', async (q, needle, code) => {
    const r = await sql(q);
    expect(r.error?.code, JSON.stringify(r.error)).toBe(code);
    expect(r.error?.position, JSON.stringify(r.error)).toBe(at(q, needle));
  });
});
