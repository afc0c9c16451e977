import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/mnist.ts', 'src/rbm.ts', 'src/dbn.ts', 'src/parallel.ts', 'src/charnn.ts'],
  format: ['esm'],
  dts: false,
  clean: true,
  target: 'node20',
  platform: 'node',
  // tfjs-layers is a dev dependency; bundling its ESM sources would pull tfjs-core internals in.
  external: ['@tensorflow/tfjs-layers'],
});
