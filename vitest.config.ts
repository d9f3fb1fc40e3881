import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two test files at a time (vitest's default on a 2-core machine is one): most files wait on
    // Redis, PostgreSQL, HTTP, Chromium or timers, and each file has its own Redis prefix,
    // PostgreSQL schema (the ledger lock is per schema), PGlite directory, ports (0) and
    // screenshot names. `npx vitest run --maxWorkers=1` runs them one by one.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
