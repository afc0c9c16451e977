import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@dl4ts/source'] },
  ssr: { resolve: { conditions: ['@dl4ts/source'] } },
  test: { name: 'bad-input', include: ['src/**/*.test.ts'], testTimeout: 30_000 },
});
