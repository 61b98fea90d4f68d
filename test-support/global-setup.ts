/**
 * One PostgreSQL server for the whole test run: TEST_DATABASE_URL when given (e.g. a
 * PostgreSQL 15 cluster for the compatibility run), else an embedded server in a fresh data
 * directory. Each test file then creates a database of its own (test-support/test-database.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedDatabase } from '../lib/db/embedded';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('adminDatabaseUrl', process.env.TEST_DATABASE_URL);
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'dxy-cutover-test-'));
  const server = await startEmbeddedDatabase({ dataDir });
  project.provide('adminDatabaseUrl', server.url);
  return async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
