import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  // Class names survive bundling (esbuild would rename a class that refers to itself to _Name).
  keepNames: true,
  dts: true,
  clean: true,
  target: 'es2022',
  // Node only: files (the stats file) and a web server.
  platform: 'node',
  removeNodeProtocol: false, // keep `node:fs` etc. as written
});
