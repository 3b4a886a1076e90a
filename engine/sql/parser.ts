/**
 * @module engine/sql/parser
 * Loads libpg-query (the real PostgreSQL grammar, compiled to wasm) and parses
 * SQL into its JSON AST. In Node the emscripten glue loads the .wasm itself; in
 * workerd the Worker imports the .wasm as a `WebAssembly.Module` and passes it
 * to `initParser`, which instantiates it through emscripten's `instantiateWasm`
 * hook (workerd forbids `WebAssembly.compile` from bytes).
 */
import factory, { type PgQueryWasm } from 'libpg-query/wasm/libpg-query.js';
import { isSqlError, SqlError, SqlState } from '../errors.ts';
import {
  checkLexicalDepth,
  checkParams,
  checkParseDepth,
  checkSqlText,
  stackDepthExceeded,
} from './input-limits.ts';

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
/** The options of the first `initParser`, to load a fresh instance after a wasm fault. */
let initOpts: ParserInit | undefined;

/** Options for `initParser`; pass `wasmModule` in workerd. */
export interface ParserInit {
  readonly wasmModule?: WebAssembly.Module;
}

/** Loads the parser once; later calls return the same promise. */
export function initParser(given: ParserInit = {}): Promise<void> {
  if (loading) return loading;
  initOpts ??= given;
  // A reload after a fault needs the module the host first gave (workerd cannot compile bytes).
  const opts = given.wasmModule ? given : initOpts;
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

/**
 * Resolves when the parser can be used: after `initParser`, and again after a
 * fault made `parseSql` discard its wasm instance and load a fresh one.
 */
export function parserReady(): Promise<void> {
  return loading ?? initParser();
}

/**
 * Parses SQL text into statements; throws SqlError 42601 with a 1-based position on bad syntax.
 * This is the front door of every route: text and `params` PostgreSQL could not receive (NUL,
 * lone surrogates) are refused with 22021, statements nested too deeply with 54001, before
 * the wasm parser or any recursive code sees them.
 */
export function parseSql(sql: string, params?: readonly unknown[]): ParsedStatement[] {
  checkSqlText(sql);
  if (params) checkParams(params);
  checkLexicalDepth(sql);
  if (!wasm) throw new SqlError(SqlState.internalError, 'parser not initialized: await initParser() first');
  const stmts = parseWasm(wasm, sql);
  for (const s of stmts) checkParseDepth(s.stmt, sql);
  return stmts;
}

function parseWasm(m: PgQueryWasm, sql: string): ParsedStatement[] {
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
      throw new SqlError(grammarErrorCode(message), message, cursor > 0 ? cursor : undefined);
    }
    const tree = JSON.parse(m.UTF8ToString(treePtr)) as {
      stmts?: { stmt: PgNode; stmt_location?: number; stmt_len?: number }[];
    };
    return (tree.stmts ?? []).map((s) => ({
      stmt: s.stmt,
      location: s.stmt_location ?? 0,
      length: s.stmt_len ?? 0,
    }));
  } catch (e) {
    if (isSqlError(e)) throw e;
    // A fault inside the wasm (its stack overflowed on input the lexical check let through)
    // leaves the C parser's state (memory contexts, error stack) unknown: never reuse it.
    discardInstance(m);
    if (e instanceof RangeError) throw stackDepthExceeded();
    throw e;
  } finally {
    if (wasm === m) {
      m._free(ptr);
      if (res) m._wasm_free_parse_result(res);
    }
  }
}

/**
 * The SQLSTATE of an error PostgreSQL's grammar raises: most are syntax errors, but the
 * frame-clause checks of gram.y raise windowing errors (42P20). libpg_query reports only
 * the message, so the code is recovered from it.
 */
function grammarErrorCode(message: string): string {
  return /^frame (start|end|starting from)\b/.test(message) ? '42P20' : SqlState.syntaxError;
}

/** Drops a faulted instance and starts loading a fresh one (see `parserReady`). */
function discardInstance(m: PgQueryWasm): void {
  if (wasm !== m) return;
  wasm = undefined;
  loading = undefined;
  initParser(initOpts ?? {}).catch(() => {
    loading = undefined;
  });
}
