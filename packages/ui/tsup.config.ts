import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts', 'src/cli/dl4ts.ts'],
    format: ['esm'],
    // Class names survive bundling (esbuild would rename a class that refers to itself to _Name).
    keepNames: true,
    dts: true,
    clean: ['**/*', '!client/**'], // the client bundle (below) is built beside it, perhaps first
    target: 'es2022',
    // Node only: files (the stats file) and a web server.
    platform: 'node',
    removeNodeProtocol: false, // keep `node:fs` etc. as written
  },
  {
    // The dashboard page's script, one file for the browser (uPlot comes as its own script).
    entry: { dashboard: 'src/client/dashboard.ts' },
    outDir: 'dist/client',
    format: ['iife'],
    platform: 'browser',
    target: 'es2020',
    minify: true,
    sourcemap: false,
    dts: false,
  },
]);
