import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@dl4ts/source'] },
  ssr: { resolve: { conditions: ['@dl4ts/source'] } },
  test: {
    name: 'rbm',
    include: ['src/**/*.test.ts'],
    setupFiles: ['./vitest.setup.ts'],
    testTimeout: 30_000,
    // One module graph per worker (as in @dl4ts/rnn): loading tfjs once per worker, not per file.
    // Tests must not depend on fresh module state.
    isolate: false,
  },
});
