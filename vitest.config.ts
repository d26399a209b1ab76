import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Two workers on the 2-core CI machine: the e2e files mostly wait on child processes and sockets. Worker threads
    // rather than processes: the suite is CPU-bound on two cores (about 340 s of CPU), and threads cost less to start
    // and to load the sources into (185 against 198 s, one full run each).
    pool: 'threads',
    maxWorkers: 2,
    // Generous bounds: the e2e files start dozens of CLI processes, and a busy machine must slow them, not fail them.
    // A hang still fails, just later.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
