/**
 * `orochi load` opens gzip by its magic bytes whatever the file is called,
 * and picks the format from `--format`, the name, or the first bytes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { formatFromName, openLoadInput, sniffFormat } from '../../../cli/load-input.ts';

const dir = mkdtempSync(join(tmpdir(), 'orochi-load-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function text(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString('utf8');
}

describe('openLoadInput', () => {
  const csv = `id,name\n${Array.from({ length: 5000 }, (_, i) => `${i},n${i}`).join('\n')}\n`;

  it('gunzips by magic bytes, not by name, and counts the compressed bytes read', async () => {
    const path = join(dir, 'rows.data');
    const gz = gzipSync(csv);
    writeFileSync(path, gz);
    const input = await openLoadInput(path);
    expect(input.gzip).toBe(true);
    expect(input.format).toBe('csv');
    expect(await text(input.chunks)).toBe(csv);
    expect(input.bytesRead()).toBe(gz.length);
    expect(input.totalBytes).toBe(gz.length);
  });

  it('reads a plain file as is; --format wins over the name', async () => {
    const path = join(dir, 'rows.ndjson');
    writeFileSync(path, csv);
    const input = await openLoadInput(path, 'csv');
    expect(input.gzip).toBe(false);
    expect(input.format).toBe('csv');
    expect(await text(input.chunks)).toBe(csv);
  });

  it('refuses gzip-compressed Parquet (it needs random access)', async () => {
    const path = join(dir, 'x.parquet.gz');
    writeFileSync(path, gzipSync('PAR1'));
    await expect(openLoadInput(path)).rejects.toThrow(/Parquet is read from an uncompressed file/);
  });
});

describe('format detection', () => {
  it('by name, ignoring .gz', () => {
    expect(formatFromName('a/b.csv.gz')).toBe('csv');
    expect(formatFromName('x.jsonl')).toBe('ndjson');
    expect(formatFromName('x.NDJSON')).toBe('ndjson');
    expect(formatFromName('x.lp')).toBe('lp');
    expect(formatFromName('x.parquet')).toBe('parquet');
    expect(formatFromName('x.txt')).toBeUndefined();
  });

  it('by the first bytes', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(sniffFormat(enc('PAR1\0\0'))).toBe('parquet');
    expect(sniffFormat(enc('\uFEFF  {"a":1}\n'))).toBe('ndjson');
    expect(sniffFormat(enc('cpu,host=a usage=1.5 1700000000000000000\n'))).toBe('lp');
    expect(sniffFormat(enc('cpu usage=1i\n'))).toBe('lp');
    expect(sniffFormat(enc('time,host,usage\n2024-01-01,a,1\n'))).toBe('csv');
    expect(sniffFormat(enc('a b\n'))).toBe('csv');
  });
});
