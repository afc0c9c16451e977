import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per environment; package.json's exports conditions choose between them.
  entry: ['src/node.ts', 'src/browser.ts'],
  format: ['esm'],
  // Class names survive bundling (esbuild would rename a class that refers to itself to _Name).
  keepNames: true,
  dts: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
});
