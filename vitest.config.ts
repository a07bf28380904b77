import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file runs in its own process (dynalite, fake servers and sockets stay per file).
    pool: 'forks',
    // Tests must not depend on order: every run shuffles files and tests (vitest prints the seed;
    // `npx vitest run --sequence.seed=<n>` replays an order).
    sequence: { shuffle: true },
    testTimeout: 30_000,
    // The handlers' structured logs would drown the report; POWERTOOLS_LOG_LEVEL=DEBUG npm test shows them.
    env: { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT' },
    hookTimeout: 60_000,
  },
});
