/**
 * @module engine/sql/parser
 * Loads libpg-query (the real PostgreSQL grammar, compiled to wasm) and parses
 * SQL into its JSON AST. In Node the emscripten glue loads the .wasm itself; in
 * workerd the Worker imports the .wasm as a `WebAssembly.Module` and passes it
 * to `initParser`, which instantiates it through emscripten's `instantiateWasm`
 * hook (workerd forbids `WebAssembly.compile` from bytes).
 */
import factory, { type PgQueryWasm } from 'libpg-query/wasm/libpg-query.js';
import { SqlError, SqlState } from '../errors.ts';

// biome-ignore lint/suspicious/noExplicitAny: the pg AST is untyped JSON walked by the binder.
export type PgNode = any;

/** One parsed statement: its AST and its span in the source text. */
export interface ParsedStatement {
  readonly stmt: PgNode;
  readonly location: number;
  readonly length: number;
}

let wasm: PgQueryWasm | undefined;
let loading: Promise<void> | undefined;

/** Options for `initParser`; pass `wasmModule` in workerd. */
export interface ParserInit {
  readonly wasmModule?: WebAssembly.Module;
}

/** Loads the parser once; later calls return the same promise. */
export function initParser(opts: ParserInit = {}): Promise<void> {
  if (loading) return loading;
  const args: Record<string, unknown> = {};
  if (opts.wasmModule) {
    const mod = opts.wasmModule;
    // The emscripten glue reads location.href to find its script directory.
    const g = globalThis as { location?: unknown };
    if (g.location === undefined) g.location = { href: 'file:///' };
    // Typed locally: the ES lib has no WebAssembly.instantiate declaration.
    const wa = (
      globalThis as unknown as { WebAssembly: { instantiate(m: unknown, i: unknown): Promise<unknown> } }
    ).WebAssembly;
    args.instantiateWasm = (imports: unknown, done: (inst: unknown, mod?: unknown) => void) => {
      wa.instantiate(mod, imports).then((inst) => done(inst, mod));
      return {};
    };
  }
  // workerd with nodejs_compat defines process.versions.node, which would send the
  // glue down its Node path (require('node:fs')). The glue treats an Electron
  // renderer as non-Node, so say so while the factory reads its environment
  // (synchronously, at call time) when we supply the module ourselves.
  const proc = (globalThis as { process?: { type?: string } }).process;
  const hadType = proc !== undefined && 'type' in proc;
  const prevType = proc?.type;
  if (opts.wasmModule && proc) proc.type = 'renderer';
  try {
    loading = factory(args).then((m) => {
      wasm = m;
    });
  } finally {
    if (opts.wasmModule && proc) {
      if (hadType) proc.type = prevType;
      else delete proc.type;
    }
  }
  return loading;
}

/** Parses SQL text into statements; throws SqlError 42601 with a 1-based position on bad syntax. */
export function parseSql(sql: string): ParsedStatement[] {
  if (!wasm) throw new SqlError(SqlState.internalError, 'parser not initialized: await initParser() first');
  const m = wasm;
  const len = m.lengthBytesUTF8(sql) + 1;
  const ptr = m._malloc(len);
  let res = 0;
  try {
    m.stringToUTF8(sql, ptr, len);
    res = m._wasm_parse_query_raw(ptr);
    const treePtr = m.getValue(res, 'i32');
    const errPtr = m.getValue(res + 8, 'i32');
    if (errPtr) {
      const msgPtr = m.getValue(errPtr, 'i32');
      const cursor = m.getValue(errPtr + 16, 'i32');
      const message = msgPtr ? m.UTF8ToString(msgPtr) : 'syntax error';
      throw new SqlError(SqlState.syntaxError, message, cursor > 0 ? cursor : undefined);
    }
    const tree = JSON.parse(m.UTF8ToString(treePtr)) as {
      stmts?: { stmt: PgNode; stmt_location?: number; stmt_len?: number }[];
    };
    return (tree.stmts ?? []).map((s) => ({
      stmt: s.stmt,
      location: s.stmt_location ?? 0,
      length: s.stmt_len ?? 0,
    }));
  } finally {
    m._free(ptr);
    if (res) m._wasm_free_parse_result(res);
  }
}
