import { defineConfig } from 'tsup';

export default defineConfig({
  // The worker entry sits beside the Node entry in dist/node, where the transport looks for it.
  entry: ['src/index.ts', 'src/node/index.ts', 'src/node/worker.ts'],
  format: ['esm'],
  // Class names survive bundling (esbuild would rename a class that refers to itself to _Name).
  keepNames: true,
  dts: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  external: ['node:worker_threads', 'node:os', 'node:module', 'node:url', 'node:path', 'node:fs/promises'],
});
