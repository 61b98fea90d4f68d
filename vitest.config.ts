import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@': resolve(import.meta.dirname) } },
  test: {
    include: ['lib/**/*.test.ts', 'scripts/**/*.test.ts'],
    globalSetup: ['test-support/global-setup.ts'],
    // Every process a test starts writes audit rows with this key (lib/auth/audit-key.ts) and anchors its chain in
    // a file of this run, never in the checkout's .data/ (docs/operations.md "The audit log").
    env: {
      CUTOVER_AUDIT_KEY: 'test-audit-key-0123456789abcdef',
      CUTOVER_AUDIT_ANCHOR_FILE: join(tmpdir(), `dxy-cutover-test-anchors-${process.pid}.jsonl`),
    },
    pool: 'forks',
    // Two cores: one test process at a time leaves the other to PostgreSQL.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
