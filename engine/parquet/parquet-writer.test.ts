/**
 * The Parquet writer checked by an independent reader: files written here are
 * read back with DuckDB (`read_parquet`), which must see the same schema types
 * and the same values (NULLs included), for random columns of every supported
 * type, both codecs, and for a real encoded chunk's decoded columns.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DuckDBInstance,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeChunks, openChunk, serializeChunk } from '../columnar/index.ts';
import { SqlError } from '../errors.ts';
import { vectorFromValues } from '../storage/chunk-builder.ts';
import { Prng } from '../testing/prng.ts';
import type { ColumnType } from '../vector.ts';
import { decodeColumnPage } from './parquet-pages.ts';
import { type ParquetCodec, writeParquet, writeParquetFile } from './parquet-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'orochi-parquet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

async function duck(bytes: Uint8Array): Promise<{ types: string[]; rows: unknown[][] }> {
  const path = join(dir, `f${files++}.parquet`);
  writeFileSync(path, bytes);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`SET TimeZone = 'UTC'`);
  const desc = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
  const types = desc.getRows().map((r) => String(r[1]));
  const data = await conn.runAndReadAll(`SELECT * FROM read_parquet('${path}')`);
  const rows = data.getRows().map((r) => r.map(plainValue));
  conn.closeSync();
  return { types, rows };
}

function plainValue(v: DuckDBValue): unknown {
  if (v instanceof DuckDBTimestampTZValue || v instanceof DuckDBTimestampValue) return Number(v.micros);
  if (typeof v === 'bigint') return Number(v);
  return v;
}

/** Values as the engine stores them, turned into what DuckDB returns. */
function expected(type: ColumnType, v: unknown): unknown {
  if (v === null) return null;
  if (type === 'int64') return Number(v);
  if (type === 'float32') return Math.fround(v as number);
  return v;
}

const TYPES: { type: ColumnType; duck: string; gen: (r: Prng) => unknown }[] = [
  { type: 'bool', duck: 'BOOLEAN', gen: (r) => r.nextU32() % 2 === 0 },
  { type: 'int16', duck: 'SMALLINT', gen: (r) => (r.nextU32() % 65536) - 32768 },
  { type: 'int32', duck: 'INTEGER', gen: (r) => r.nextU32() | 0 },
  { type: 'int64', duck: 'BIGINT', gen: (r) => BigInt(r.nextU32()) * 1_000_003n - 2_000_000_000_000n },
  {
    type: 'float32',
    duck: 'FLOAT',
    gen: (r) => Math.fround((r.nextU32() / 1e5) * (r.nextU32() % 2 ? 1 : -1)),
  },
  { type: 'float64', duck: 'DOUBLE', gen: (r) => r.nextU32() / 7919 - 100_000 },
  { type: 'text', duck: 'VARCHAR', gen: (r) => `host_${r.nextU32() % 50}_é✓` },
  { type: 'date', duck: 'DATE', gen: (r) => (r.nextU32() % 40_000) - 10_000 },
  { type: 'timestamp', duck: 'TIMESTAMP', gen: (r) => 1_600_000_000_000_000 + (r.nextU32() % 1e9) * 1000 },
  { type: 'timestamptz', duck: 'TIMESTAMP WITH TIME ZONE', gen: (r) => 1_700_000_000_000_000 + r.nextU32() },
];

function randomColumns(seed: number, rowCount: number, nullRate: number) {
  const r = new Prng(seed);
  return TYPES.map(({ type, gen }) => {
    const values = Array.from({ length: rowCount }, () =>
      (r.nextU32() % 100) / 100 < nullRate ? null : gen(r),
    );
    return { name: `c_${type}`, type, values, vector: vectorFromValues(type, values) };
  });
}

describe('Parquet writer, read by DuckDB', () => {
  for (const codec of ['gzip', 'none'] as ParquetCodec[]) {
    for (const [seed, rows, nullRate] of [
      [1, 1, 0],
      [2, 1000, 0.2],
      [3, 5000, 0],
      [4, 300, 1],
    ] as const) {
      it(`${codec}: ${rows} rows, ${nullRate * 100}% NULL`, async () => {
        const cols = randomColumns(seed, rows, nullRate);
        const bytes = await writeParquet(cols, rows, codec);
        const { types, rows: got } = await duck(bytes);
        expect(types).toEqual(TYPES.map((t) => t.duck));
        expect(got.length).toBe(rows);
        for (let i = 0; i < rows; i++) {
          const want = cols.map((c) => expected(c.type, c.values[i]));
          const row = got[i].map((v, j) =>
            cols[j].type === 'date' && v !== null ? (v as { days: number }).days : v,
          );
          expect(row, `row ${i}`).toEqual(want);
        }
      });
    }
  }

  it('writes a real chunk (decoded blocks: dictionary text, RLE, deltas) that DuckDB reads back identically', async () => {
    const n = 4000;
    const time = Array.from({ length: n }, (_, i) => 1_700_000_000_000_000 + i * 10_000_000);
    const host = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : `h${i % 5}`));
    const cpu = Array.from({ length: n }, (_, i) => (i % 3) * 0.25 + i / 100);
    const schema = [
      { name: 'time', type: 'timestamptz' as const },
      { name: 'host', type: 'text' as const },
      { name: 'cpu', type: 'float64' as const },
    ];
    const [chunk] = encodeChunks(
      schema,
      [
        vectorFromValues('timestamptz', time),
        vectorFromValues('text', host),
        vectorFromValues('float64', cpu),
      ],
      n,
    );
    const reader = openChunk(serializeChunk(chunk));
    const cols = schema.map((s, i) => ({ ...s, vector: reader.column(i) }));
    const { rows } = await duck(await writeParquet(cols, n));
    expect(rows.map((r) => r[0])).toEqual(time);
    expect(rows.map((r) => r[1])).toEqual(host);
    expect(rows.map((r) => r[2])).toEqual(cpu);
  });

  it('pages decode back to the written values through the returned layout', async () => {
    for (const codec of ['gzip', 'none'] as ParquetCodec[]) {
      const cols = randomColumns(7, 777, 0.3);
      const file = await writeParquetFile(cols, 777, codec);
      for (const [j, c] of cols.entries()) {
        const l = file.columns[j];
        const body = file.bytes.subarray(l.offset + l.headerLength, l.offset + l.headerLength + l.bodyLength);
        const got = await decodeColumnPage(body, c.type, 777, codec);
        const want = c.values.map((v) =>
          v === null
            ? null
            : c.type === 'int64'
              ? BigInt(v as bigint)
              : c.type === 'float32'
                ? Math.fround(v as number)
                : v,
        );
        expect(got, `${codec} ${c.type}`).toEqual(want);
      }
    }
  });

  it('refuses types it cannot represent', async () => {
    const v = vectorFromValues('interval', [{ months: 1, days: 0, micros: 0 }]);
    await expect(writeParquet([{ name: 'i', type: 'interval', vector: v }], 1)).rejects.toThrow(SqlError);
  });
});
