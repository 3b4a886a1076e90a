/**
 * A fault inside the wasm parser (its stack overflowing on input the lexical
 * depth check let through) is 54001, and the faulted instance is never reused:
 * a fresh one is loaded and later statements parse normally.
 */
import { describe, expect, it, vi } from 'vitest';
import { initParser, parserReady, parseSql } from './parser.ts';

const loads = vi.hoisted(() => ({ count: 0 }));

vi.mock('libpg-query/wasm/libpg-query.js', async (importOriginal) => {
  const real = (await importOriginal()) as { default: (a?: unknown) => Promise<Record<string, unknown>> };
  return {
    default: async (args?: unknown) => {
      const m = await real.default(args);
      loads.count++;
      const raw = m._wasm_parse_query_raw as (p: number) => number;
      const text = m.UTF8ToString as (p: number) => string;
      m._wasm_parse_query_raw = (p: number) => {
        if (text(p).includes('/* overflow */')) throw new RangeError('Maximum call stack size exceeded');
        return raw(p);
      };
      return m;
    },
  };
});

describe('wasm parser faults', () => {
  it('become 54001 and a fresh parser instance', async () => {
    await initParser();
    expect(loads.count).toBe(1);
    let err: unknown;
    try {
      parseSql('SELECT 1 /* overflow */');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: '54001', message: 'stack depth limit exceeded' });
    await parserReady();
    expect(loads.count).toBe(2);
    expect(parseSql('SELECT 1')).toHaveLength(1);
  });
});
