import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/quick-start.ts', 'src/mnist-mlp.ts', 'src/char-rnn.ts', 'src/dbn-mnist.ts', 'src/lenet-mnist.ts', 'src/graph-residual-mnist.ts', 'src/graph-multitask-mnist.ts', 'src/transfer-mnist.ts'],
  format: ['esm'],
  dts: false,
  clean: true,
  target: 'node20',
  platform: 'node',
});
