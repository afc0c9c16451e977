import { defineConfig } from 'tsup';

export default defineConfig({
  // Every file under src/cases is a case the suite runs in its own process (dist/cases/<name>.js).
  entry: ['src/mnist.ts', 'src/rbm.ts', 'src/dbn.ts', 'src/suite.ts', 'src/matmul.ts', 'src/parallel.ts', 'src/distributed.ts', 'src/distributed-rounds.ts', 'src/cases/*.ts', 'src/ui-screenshots.ts', 'src/quality/dbn.ts', 'src/quality/mlp.ts', 'src/quality/charnn.ts', 'src/quality/dbn-all.ts', 'src/quality/dbn-cg.ts', 'src/quality/dbn-dropout.ts', 'src/quality/dbn-random.ts', 'src/csv/load-child.ts'],
  format: ['esm'],
  dts: false,
  clean: true,
  target: 'node20',
  platform: 'node',
  // tfjs-layers is a dev dependency; bundling its ESM sources would pull tfjs-core internals in.
  // onnxruntime-node loads its native binding at run time: it must stay a package, not be bundled.
  external: ['@tensorflow/tfjs-layers', 'onnxruntime-node', 'playwright-core'],
});
