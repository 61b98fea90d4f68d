/**
 * A CLI test's usual setting: a fresh test database, the console's CLI API on it (no runner), and an
 * operator and a viewer, each with a token, whose CLI calls run as the real `scripts/cutover.ts`
 * process (cli-console.ts). Registers its own beforeAll/afterAll; `setUp` runs after them.
 */
import { afterAll, beforeAll } from 'vitest';
import { type CliConsole, cliEnvironment, runCli, startCliConsole } from './cli-console';
import type { ScriptResult } from './run-script';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface OperatorAndViewerCli {
  database(): TestDatabase['database'];
  cli(args: string[], who: 'operator' | 'viewer'): Promise<ScriptResult>;
}

export function useOperatorAndViewerCli(
  setUp?: (database: TestDatabase['database']) => Promise<void>,
): OperatorAndViewerCli {
  let test: TestDatabase | undefined;
  let console_: CliConsole | undefined;
  const env: Partial<Record<'operator' | 'viewer', Record<string, string>>> = {};

  beforeAll(async () => {
    test = await createTestDatabase();
    console_ = await startCliConsole(test.database);
    const started = console_;
    const as = (token: string) => cliEnvironment({ CUTOVER_URL: started.url, CUTOVER_TOKEN: token });
    env.operator = as(await started.userWithToken('cli-operator', ['operator']));
    env.viewer = as(await started.userWithToken('cli-viewer', ['viewer']));
    await setUp?.(test.database);
  });
  afterAll(async () => {
    await console_?.close();
    await test?.drop();
  });

  return {
    database() {
      if (!test) throw new Error('the CLI test database is not set up yet');
      return test.database;
    },
    cli: (args, who) => runCli(args, env[who] as Record<string, string>),
  };
}
