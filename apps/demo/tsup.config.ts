import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/main.ts', 'src/softmax-regression.ts'],
  format: ['esm'],
  // Class names survive bundling (esbuild would rename a class that refers to itself to _Name).
  keepNames: true,
  dts: false,
  clean: true,
  target: 'node20',
  platform: 'node',
});
