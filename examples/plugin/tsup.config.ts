import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/train-and-save.ts', 'src/load-and-predict.ts'],
  format: ['esm'],
  // Class names survive bundling (esbuild would rename a class that refers to itself to _Name).
  keepNames: true,
  // Types for the plugin's public face only; the two scripts are programs, not modules.
  dts: { entry: 'src/index.ts' },
  clean: true,
  target: 'node20',
  platform: 'node',
  // Every @dl4ts package and tfjs stay imports, so the scripts share one tfjs engine with them.
  external: [/^@dl4ts\//, /^@tensorflow\//],
});
