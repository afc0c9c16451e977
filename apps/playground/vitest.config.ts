import { defineProject } from 'vitest/config';

// The test drives the built page (dist/) in Chromium: `pnpm build` first (turbo does).
export default defineProject({
  test: { name: 'playground', include: ['src/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 60_000 },
});
