import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file gets its own module graph and process: handlers read their config once, at import.
    pool: 'forks',
    testTimeout: 30_000,
    // The handlers' structured logs would drown the report; POWERTOOLS_LOG_LEVEL=DEBUG npm test shows them.
    env: { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT' },
    hookTimeout: 60_000,
  },
});
