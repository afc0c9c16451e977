import { defineConfig } from 'tsup';

export default defineConfig({
  // node-threads is reached through the package's own "imports" (#node-threads): the Node loader
  // in Node, a stub elsewhere, so browser bundles never meet a node: module.
  entry: ['src/index.ts', 'src/node-threads.ts', 'src/node-threads-browser.ts'],
  external: ['#node-threads'],
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
});
