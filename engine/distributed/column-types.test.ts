/**
 * Declared column types: columns from catalogs older than declared types keep their meaning,
 * the representation of every storable type, and the invariant behind `coerceToColumn`'s
 * fast paths — a value already of the representation's type stores exactly as the engine's
 * assignment would store it (property over seeded random values, seed printed on failure).
 */
import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors.ts';
import { Prng } from '../testing/prng.ts';
import type { ColumnType } from '../vector.ts';
import {
  assignToColumn,
  CoercionError,
  coerceToColumn,
  declaredType,
  readsAsStored,
  storageTypeOf,
} from './column-types.ts';
import type { DistColumn, DistType } from './table-schema.ts';

const col = (type: DistType, extra: Partial<DistColumn> = {}): DistColumn => ({
  id: 0,
  name: 'v',
  type,
  notNull: false,
  ...extra,
});

describe('declared column types', () => {
  it('reads a column of an older catalog (representation only) as the type of the same name', () => {
    for (const t of ['bool', 'int32', 'int64', 'float64', 'text', 'timestamptz'] as const) {
      expect(declaredType(col(t))).toBe(t);
      expect(readsAsStored(col(t))).toBe(true);
    }
    expect(readsAsStored(col('int32', { sqlType: 'int16' }))).toBe(false);
  });

  it('derives the stored representation and refuses types shards cannot store (0A000)', () => {
    const want: [ColumnType, DistType][] = [
      ['int16', 'int32'],
      ['float32', 'float64'],
      ['numeric', 'text'],
      ['date', 'int32'],
      ['timestamp', 'timestamptz'],
    ];
    for (const [t, s] of want) expect(storageTypeOf(t)).toBe(s);
    for (const t of ['interval', 'bytea', 'uuid', 'json'] as const) {
      expect(() => storageTypeOf(t)).toThrow(SqlError);
      try {
        storageTypeOf(t);
      } catch (e) {
        expect((e as SqlError).code).toBe('0A000');
      }
    }
  });

  it('refuses with the engine code and PostgreSQL wording, without the column prefix in pgMessage', () => {
    const cases: [DistColumn, unknown, string, string][] = [
      [
        col('int32', { sqlType: 'int16' }),
        100000,
        '22003',
        'value "100000" is out of range for type smallint',
      ],
      [
        col('text', { typmod: { kind: 'varchar', length: 4 } }),
        'abcde',
        '22001',
        'value too long for type character varying(4)',
      ],
      [
        col('text', { sqlType: 'numeric', typmod: { kind: 'numeric', precision: 6, scale: 2 } }),
        '99999.5',
        '22003',
        'numeric field overflow',
      ],
    ];
    for (const [c, v, code, message] of cases) {
      let got: unknown;
      try {
        coerceToColumn(v, c);
      } catch (e) {
        got = e;
      }
      expect(got).toBeInstanceOf(CoercionError);
      expect((got as CoercionError).code).toBe(code);
      expect((got as CoercionError).pgMessage).toBe(message);
    }
  });

  it('stores values already of the representation type exactly as the engine assigns them', () => {
    const seed = Number(process.env.SEED ?? Date.now() % 100000);
    const rng = new Prng(seed);
    const gen: Record<string, () => unknown> = {
      float64: () => (rng.float() - 0.5) * 10 ** Math.floor(rng.float() * 40 - 20),
      int32: () => Math.floor((rng.float() - 0.5) * 2 ** 33), // half of them out of range
      int64: () => Math.floor((rng.float() - 0.5) * 2 ** 53), // within ±2^52: beyond ±2^53 a number is refused as inexact
      text: () =>
        String.fromCodePoint(
          ...Array.from({ length: Math.floor(rng.float() * 6) }, () => 32 + Math.floor(rng.float() * 2000)),
        ),
      bool: () => rng.float() < 0.5,
      timestamptz: () => Math.floor((rng.float() - 0.5) * 2 ** 52),
    };
    for (let i = 0; i < 3000; i++) {
      for (const [t, g] of Object.entries(gen)) {
        const c = col(t as DistType);
        const v = g();
        const outcome = (f: () => unknown) => {
          try {
            return { v: f() };
          } catch (e) {
            return { code: (e as { code?: string }).code ?? 'refused' };
          }
        };
        const fast = outcome(() => coerceToColumn(v, c));
        // The engine's own path: a fresh column object with the same type, through the input function.
        const engine = outcome(() => assignToColumn({ ...c }, v));
        if (
          JSON.stringify(fast, (_, x) => (typeof x === 'bigint' ? `${x}n` : x)) !==
          JSON.stringify(engine, (_, x) => (typeof x === 'bigint' ? `${x}n` : x))
        )
          throw new Error(
            `seed ${seed}: ${t} ${String(v)} → fast ${JSON.stringify(fast)}, engine ${JSON.stringify(engine)}`,
          );
      }
    }
  });
});
