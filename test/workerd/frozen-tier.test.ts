/**
 * Frozen tier in workerd: freeze_chunk and a tiering policy with freeze_after
 * turn chunks (warm or cold) into Parquet objects in the FROZEN bucket; the
 * shard keeps answering from them (one Parquet column page per range read),
 * DML on frozen rows matches a warm twin, and dropped frozen chunks lose their
 * objects. (The Parquet bytes themselves are checked with DuckDB in
 * engine/parquet/parquet-writer.test.ts.)
 */
import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { decodeColumnPage } from '../../engine/parquet/parquet-pages.ts';
import { ok, sql } from './data-plane-client.ts';
import { ago, answers, DAY_MS, DB_ID, loadMetrics, r2Read, shard, shardChunks } from './tier-fixtures.ts';

const chunkTiers = async (table: string) =>
  (await ok(`SELECT show_chunks('${table}')`)).rows.map((c) => ({
    name: c[0] as string,
    end: Date.parse(c[4] as string),
    tier: c[7] as string,
  }));

async function frozenChunks(table: string) {
  return (await Promise.all([0, 1].map((i) => shardChunks(i, table))))
    .flat()
    .filter((c) => c.tier === 'frozen');
}

describe('freeze_chunk', () => {
  it('turns a warm and a cold chunk into Parquet objects; answers and column reads stay exact', async () => {
    await loadMetrics('fz');
    const before = await answers('fz');
    const names = [...new Set((await chunkTiers('fz')).map((c) => c.name))].sort();
    await ok(`SELECT tier_chunk('${names[1]}')`);
    const coldKeys = (await Promise.all([0, 1].map((i) => shardChunks(i, 'fz'))))
      .flat()
      .filter((c) => c.tier === 'cold')
      .map((c) => c.cold!);
    expect(coldKeys.length).toBeGreaterThan(0);

    for (const n of names.slice(0, 2))
      expect((await ok(`SELECT freeze_chunk('${n}')`)).rows[0][0]).toBeGreaterThan(0);
    const tiers = await chunkTiers('fz');
    for (const c of tiers) expect(c.tier, c.name).toBe(names.indexOf(c.name) < 2 ? 'frozen' : 'warm');
    expect((await ok(`SELECT show_shards('fz')`)).rows.some((s) => s[8] === 'warm+frozen')).toBe(true);

    // Blocks left SQLite; the cold objects of re-tiered chunks are gone; Parquet objects exist.
    const frozen = await frozenChunks('fz');
    let cpuSum = 0;
    for (const c of frozen) {
      expect(c.blocks).toBe(0);
      expect(c.cold!.startsWith(`${DB_ID}/frozen/`)).toBe(true);
      const obj = await env.FROZEN.get(c.cold!);
      const bytes = new Uint8Array(await obj!.arrayBuffer());
      const magic = (b: Uint8Array) => new TextDecoder().decode(b);
      expect(magic(bytes.subarray(0, 4))).toBe('PAR1');
      expect(magic(bytes.subarray(bytes.length - 4))).toBe('PAR1');
      expect(magic(bytes)).toContain('device'); // the table's column names, not c0, c1, …
      // The cpu page (column c2) decodes on its own (summed below against a query).
      const [off, hl, bl] = c.layout[2];
      const cpu = await decodeColumnPage(bytes.subarray(off + hl, off + hl + bl), 'float64', c.rows, 'gzip');
      expect(cpu.length).toBe(c.rows);
      cpuSum += cpu.reduce((a: number, v) => a + (v as number), 0);
    }
    for (const k of coldKeys) expect(await env.COLD.head(k)).toBeNull();

    // Only the pages of the columns read (time for the filter, cpu) are fetched: exactly their bodies.
    const cpuBytes = frozen.reduce((a, c) => a + c.layout[0][2] + c.layout[2][2], 0);
    const one = await ok(`SELECT sum(cpu) FROM fz WHERE time < ${ago(8)}`);
    expect(r2Read(one)).toBe(cpuBytes);
    expect(one.rows[0][0] as number).toBeCloseTo(cpuSum, 9);
    expect(await answers('fz')).toEqual(before);
  });
});

describe('tiering policy with freeze_after', () => {
  it('moves old chunks to cold, older ones to frozen, by alarm', async () => {
    await loadMetrics('fzp');
    await loadMetrics('fzp_warm');
    const before = await answers('fzp');
    expect(
      (
        await sql(
          `SELECT add_tiering_policy('fzp', move_after => interval '3 days', freeze_after => interval '1 day')`,
        )
      ).error?.code,
    ).toBe('22023');
    await ok(
      `SELECT add_tiering_policy('fzp', move_after => interval '3 days', freeze_after => interval '8 days')`,
    );
    for (let i = 0; i < 2; i++) await runDurableObjectAlarm(shard(i));
    const now = Date.now();
    for (const c of await chunkTiers('fzp')) {
      const want = c.end <= now - 8 * DAY_MS ? 'frozen' : c.end <= now - 3 * DAY_MS ? 'cold' : 'warm';
      expect(c.tier, c.name).toBe(want);
    }
    expect(await answers('fzp')).toEqual(before);

    // DML on frozen rows: delete bitmap and re-insert, same as on a warm twin.
    for (const s of [
      `DELETE FROM {t} WHERE cpu < 10 AND time < ${ago(9)}`,
      `UPDATE {t} SET mem = mem + 1 WHERE device = 'c' AND time < ${ago(8)}`,
    ]) {
      const a = await ok(s.replaceAll('{t}', 'fzp'));
      const b = await ok(s.replaceAll('{t}', 'fzp_warm'));
      expect(a.rowCount).toBe(b.rowCount);
      expect(a.rowCount).toBeGreaterThan(0);
    }
    expect(await answers('fzp')).toEqual(await answers('fzp_warm'));

    // Retention drops frozen chunks and their objects.
    const keys = (await frozenChunks('fzp')).map((c) => c.cold!);
    expect(keys.length).toBeGreaterThan(0);
    await ok(`SELECT drop_chunks('fzp', older_than => interval '8 days')`);
    for (const k of keys) expect(await env.FROZEN.head(k)).toBeNull();
    expect((await chunkTiers('fzp')).some((c) => c.tier === 'frozen')).toBe(false);
  });
});
