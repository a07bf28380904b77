import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file gets its own module graph and process: handlers read their config once, at import.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
