import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@dl4ts/source'] },
  ssr: { resolve: { conditions: ['@dl4ts/source'] } },
  test: { name: 'rnn', include: ['src/**/*.test.ts'], setupFiles: ['./vitest.setup.ts'], testTimeout: 60_000 },
});
