export type { WasmBackend, WasmBackendOptions, WasmFeatures } from './wasm-backend';
export { WASM_BINARY_NAMES, wasmBackend } from './wasm-backend';
