import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@dl4ts/source'] },
  ssr: { resolve: { conditions: ['@dl4ts/source'] } },
  test: {
    name: 'ui',
    include: ['src/**/*.test.ts'],
    setupFiles: ['./vitest.setup.ts'],
    testTimeout: 60_000,
    // One module graph per worker: loading tfjs and registering gradients again for every file
    // cost about half of the suite's time. Tests must not depend on fresh module state.
    isolate: false,
  },
});
