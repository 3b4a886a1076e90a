/** Wrangler bundles `.wasm` imports as compiled `WebAssembly.Module`s (the CompiledWasm rule). */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
