import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/main.ts', 'src/softmax-regression.ts'],
  format: ['esm'],
  dts: false,
  clean: true,
  target: 'node20',
  platform: 'node',
});
