/**
 * @module engine/sql/libpg-query-glue
 * Types for libpg-query's emscripten factory, imported directly so the engine can
 * pass an `instantiateWasm` hook (workerd forbids compiling wasm from bytes).
 */
declare module 'libpg-query/wasm/libpg-query.js' {
  /** The emscripten module instance: heap helpers plus the exported C functions. */
  export interface PgQueryWasm {
    _malloc(n: number): number;
    _free(p: number): void;
    _wasm_parse_query_raw(p: number): number;
    _wasm_free_parse_result(p: number): void;
    getValue(p: number, type: 'i32'): number;
    UTF8ToString(p: number): string;
    lengthBytesUTF8(s: string): number;
    stringToUTF8(s: string, p: number, max: number): void;
  }
  const factory: (moduleArg?: Record<string, unknown>) => Promise<PgQueryWasm>;
  export default factory;
}
