import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per environment; package.json's exports conditions choose between them.
  entry: ['src/node.ts', 'src/browser.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
});
