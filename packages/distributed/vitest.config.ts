import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@dl4ts/source'] },
  ssr: { resolve: { conditions: ['@dl4ts/source'] } },
  test: {
    name: 'distributed',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['./vitest.setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    isolate: false,
  },
});
