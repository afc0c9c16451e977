import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@dl4ts/source'] },
  ssr: { resolve: { conditions: ['@dl4ts/source'] } },
  test: { name: 'demo', include: ['src/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 600_000 },
});
