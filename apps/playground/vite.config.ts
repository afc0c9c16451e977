import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';

const require = createRequire(import.meta.url);
const WASM_BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** Emits tfjs-backend-wasm's binaries as tfjs-wasm/*.wasm beside the page (the wasm backend's `wasmPaths`). */
function tfjsWasmBinaries(): Plugin {
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  return {
    name: 'dl4ts-tfjs-wasm-binaries',
    generateBundle() {
      for (const name of WASM_BINARIES) this.emitFile({ type: 'asset', fileName: `tfjs-wasm/${name}`, source: readFileSync(join(dist, name)) });
    },
  };
}

// A static page: relative asset paths, so dist/ can be served from any folder.
export default defineConfig({
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
  plugins: [tfjsWasmBinaries()],
});
