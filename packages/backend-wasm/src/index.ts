export type { WasmBackend, WasmBackendOptions, WasmFeatures } from './wasm-backend';
export { WASM_BINARY_NAMES, wasmBackend } from './wasm-backend';
export { WASM_ADDED_KERNELS, WASM_KERNEL_FIXES, installWasmKernelFixes, wasmKernelFixesInstalled } from './kernel-fixes';
