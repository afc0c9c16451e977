import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@dl4ts/source'] },
  ssr: { resolve: { conditions: ['@dl4ts/source'] } },
  test: {
    name: 'core',
    include: ['src/**/*.test.ts'],
    setupFiles: ['./vitest.setup.ts'],
    testTimeout: 30_000,
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.typetest.json' },
  },
});
