import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/data.ts', 'src/testing.ts', 'src/cli/worker.ts'],
  format: ['esm'],
  keepNames: true,
  dts: true,
  clean: true,
  target: 'es2022',
  platform: 'node',
});
