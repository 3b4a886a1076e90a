/**
 * The parser loader: the Node path, and the workerd path where the caller
 * supplies a compiled WebAssembly.Module through emscripten's instantiateWasm.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, test, vi } from 'vitest';
import { isSqlError } from '../errors.ts';

describe('parser', () => {
  test('instantiates from a supplied WebAssembly.Module (the workerd path)', async () => {
    // A fresh module instance, so initParser runs its hook path.
    vi.resetModules();
    const mod = await import('./parser.ts');
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve('libpg-query/wasm/libpg-query.wasm');
    // The ES lib has no WebAssembly.compile declaration; workerd would import the module instead.
    const wa = (
      globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<WebAssembly.Module> } }
    ).WebAssembly;
    const wasmModule = await wa.compile(readFileSync(wasmPath));
    await mod.initParser({ wasmModule });
    const stmts = mod.parseSql('SELECT 1; SELECT 2');
    expect(stmts).toHaveLength(2);
    expect((globalThis as { process?: { type?: string } }).process?.type).toBeUndefined();
  });

  test('syntax errors carry 42601 and a 1-based character position', async () => {
    const { initParser, parseSql } = await import('./parser.ts');
    await initParser();
    let e: unknown;
    try {
      parseSql("SELECT 'é' FRO t");
    } catch (x) {
      e = x;
    }
    expect(isSqlError(e)).toBe(true);
    // 'é' is two UTF-8 bytes; PostgreSQL counts characters.
    expect(e).toMatchObject({ code: '42601', position: 16 });
  });
});
