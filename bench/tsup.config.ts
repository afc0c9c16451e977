import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/mnist.ts'],
  format: ['esm'],
  dts: false,
  clean: true,
  target: 'node20',
  platform: 'node',
});
