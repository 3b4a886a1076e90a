import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildHashRanges,
  canonicalBytes,
  hashValue,
  murmur3,
  rangeForHash,
  shardForValue,
} from './hash-ranges.ts';

describe('hash ranges', () => {
  it('murmur3 matches the reference vectors', () => {
    const enc = new TextEncoder();
    expect(murmur3(new Uint8Array(0))).toBe(0);
    expect(murmur3(enc.encode('hello')) >>> 0).toBe(0x248bfa47);
    expect(murmur3(enc.encode('The quick brown fox jumps over the lazy dog')) >>> 0).toBe(0x2e4ff723);
  });

  it('hashes every safe integer exactly as murmur3 of its canonical bytes (the integer fast path)', () => {
    const edges = [
      0,
      1,
      -1,
      2 ** 31,
      -(2 ** 31),
      2 ** 32 - 1,
      2 ** 32,
      -(2 ** 32),
      2 ** 53 - 1,
      -(2 ** 53 - 1),
    ];
    for (const v of edges) expect(hashValue(v), String(v)).toBe(murmur3(canonicalBytes(v)));
    fc.assert(
      fc.property(fc.maxSafeInteger(), (v) => hashValue(v) === murmur3(canonicalBytes(v))),
      { numRuns: 5000 },
    );
    // int and bigint keys of one value colocate.
    expect(hashValue(123456789012n)).toBe(hashValue(123456789012));
  });

  it.each([1, 2, 3, 8, 32, 1000])('%i ranges tile int32 without gaps', (n) => {
    const r = buildHashRanges(n);
    expect(r).toHaveLength(n);
    expect(r[0].min).toBe(-(2 ** 31));
    expect(r[n - 1].max).toBe(2 ** 31 - 1);
    for (let i = 1; i < n; i++) expect(r[i].min).toBe(r[i - 1].max + 1);
  });

  it('routes every hash to the range containing it', () => {
    const r = buildHashRanges(7);
    for (let i = 0; i < 2000; i++) {
      const h = hashValue(`k${i}`);
      const got = rangeForHash(r, h);
      expect(h >= got.min && h <= got.max).toBe(true);
    }
  });

  it('spreads keys roughly evenly and colocates int widths', () => {
    const r = buildHashRanges(8);
    const counts = new Array(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[shardForValue(r, i)]++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
    expect(hashValue(42)).toBe(hashValue(42n));
    expect(hashValue('42')).not.toBe(hashValue(42));
  });

  it('rejects bad shard counts', () => {
    expect(() => buildHashRanges(0)).toThrow(RangeError);
    expect(() => buildHashRanges(1.5)).toThrow(RangeError);
  });
});
