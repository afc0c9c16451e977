import { defineConfig } from 'tsup';

export default defineConfig({
  // node-threads is reached through the package's own "imports" (#node-threads): the Node loader
  // in Node, a stub elsewhere, so browser bundles never meet a node: module.
  entry: ['src/index.ts', 'src/node-threads.ts', 'src/node-threads-browser.ts'],
  external: ['#node-threads'],
  format: ['esm'],
  // Class names survive bundling (esbuild would rename a class that refers to itself to _Name).
  keepNames: true,
  dts: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
});
