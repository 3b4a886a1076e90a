/**
 * The TSBS generator is deterministic and reproduces TSBS's value domains; the
 * text encoders produce parseable rows; result comparison catches differences.
 */
import { describe, expect, it } from 'vitest';
import { csvBatches, lineProtocolBatches } from '../../bench/tsbs/formats.ts';
import { CPU_FIELDS, generateCpuOnly, TSBS_START_MICROS } from '../../bench/tsbs/generate.ts';
import { formatPgTimestamptz, parsePgTimestamp } from '../../engine/testing/pg-time.ts';
import { diffResults, normalizeDecimal } from '../../engine/testing/result-compare.ts';

describe('generateCpuOnly', () => {
  const data = generateCpuOnly({ hosts: 7, hours: 1, seed: 5 });

  it('is deterministic per seed', () => {
    const again = generateCpuOnly({ hosts: 7, hours: 1, seed: 5 });
    const other = generateCpuOnly({ hosts: 7, hours: 1, seed: 6 });
    expect(again.fields.usage_user).toEqual(data.fields.usage_user);
    expect(again.hosts).toEqual(data.hosts);
    expect(other.fields.usage_user).not.toEqual(data.fields.usage_user);
  });

  it('emits one row per host every 10 s, time-major, from 2016-01-01', () => {
    expect(data.rowCount).toBe(7 * 360);
    expect(data.time[0]).toBe(TSBS_START_MICROS);
    expect(data.time[7]).toBe(TSBS_START_MICROS + 10e6);
    expect(Array.from(data.hostIndex.slice(0, 8))).toEqual([0, 1, 2, 3, 4, 5, 6, 0]);
    expect(data.endMicros).toBe(TSBS_START_MICROS + 3600e6);
  });

  it('emits whole numbers in [0, 100] that move like a random walk', () => {
    for (const f of CPU_FIELDS) {
      const v = data.fields[f];
      for (let r = 0; r < v.length; r++) {
        expect(Number.isInteger(v[r]) && v[r] >= 0 && v[r] <= 100).toBe(true);
        // Successive values of one host differ by a N(0,1) step (plus truncation).
        if (r >= 7) expect(Math.abs(v[r] - v[r - 7])).toBeLessThan(8);
      }
    }
  });

  it('draws tags from TSBS choices', () => {
    for (const [i, h] of data.hosts.entries()) {
      expect(h.hostname).toBe(`host_${i}`);
      expect(h.datacenter.startsWith(h.region)).toBe(true);
      expect(Number(h.rack)).toBeLessThan(100);
      expect(['Ubuntu16.10', 'Ubuntu16.04LTS', 'Ubuntu15.10']).toContain(h.os);
      expect(['production', 'staging', 'test']).toContain(h.service_environment);
    }
  });
});

describe('text formats', () => {
  const data = generateCpuOnly({ hosts: 2, hours: 1, seed: 1 });

  it('writes InfluxDB line protocol like tsbs_generate_data', () => {
    const lines = [...lineProtocolBatches(data, { batchRows: 100 })].join('').trimEnd().split('\n');
    expect(lines.length).toBe(data.rowCount);
    expect(lines[0]).toMatch(
      /^cpu,hostname=host_0,region=[\w-]+,datacenter=[\w-]+,rack=\d+,os=[\w.]+,arch=x(64|86),team=\w+,service=\d+,service_version=[01],service_environment=\w+ usage_user=\d+i,.*usage_guest_nice=\d+i 1451606400000000000$/,
    );
  });

  it('writes CSV with PostgreSQL timestamps', () => {
    const csv = [...csvBatches(data)].join('').trimEnd().split('\n');
    expect(csv.length).toBe(data.rowCount + 1);
    expect(csv[1].startsWith('2016-01-01 00:00:00+00,host_0,')).toBe(true);
  });
});

describe('result comparison', () => {
  it('round-trips PostgreSQL timestamp text', () => {
    expect(formatPgTimestamptz(TSBS_START_MICROS + 1_500_000)).toBe('2016-01-01 00:00:01.5+00');
    expect(parsePgTimestamp('2016-01-01 01:00:00 +0100')).toBe(TSBS_START_MICROS);
    expect(parsePgTimestamp('2016-01-01 00:00:01.5+00')).toBe(TSBS_START_MICROS + 1_500_000);
  });

  it('normalizes decimals', () => {
    expect(normalizeDecimal('002.5000')).toBe('2.5');
    expect(normalizeDecimal('-0.000')).toBe('0');
    expect(normalizeDecimal('10')).toBe('10');
  });

  it('accepts float noise and order differences only where allowed', () => {
    expect(diffResults([[1, 0.1 + 0.2]], [[1n, 0.3]], true)).toBeUndefined();
    expect(diffResults([[1, 0.3]], [[1, 0.3000001]], true)).toMatch(/row 0 col 1/);
    expect(diffResults([[1], [2]], [[2], [1]], false)).toBeUndefined();
    expect(diffResults([[1], [2]], [[2], [1]], true)).toMatch(/row 0/);
    expect(diffResults([[1], [1]], [[1]], false)).toMatch(/row count/);
    expect(diffResults([[null]], [['']], false)).toMatch(/row 0/);
    // Multiset order must not depend on rounding: these two agree to 9 digits.
    expect(
      diffResults([[9999999996.25], [10000000007.6875]], [[10000000007.6875], [9999999996.25]], false),
    ).toBe(undefined);
    expect(diffResults([[Number.NaN], [1n], [null]], [[null], [Number.NaN], [1]], false)).toBeUndefined();
  });
});
