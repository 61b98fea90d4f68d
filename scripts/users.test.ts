import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../lib/auth/login';
import { runScript } from '../test-support/run-script';
import { createTestDatabase, type TestDatabase } from '../test-support/test-database';

function users(args: string[], env: Record<string, string>, stdin = '') {
  return runScript('scripts/users.ts', args, { env, stdin });
}

describe('npm run users', () => {
  let test: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    test = await createTestDatabase();
    env = { DATABASE_URL: test.url };
  });
  afterAll(async () => {
    await test.drop();
  });

  it('adds a user with the password from standard input, who can then sign in', async () => {
    const added = await users(['add', 'nina', '--role', 'operator', '--role', 'approver'], env, 'nina-long-password\n');
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('Added nina (operator, approver)');
    const result = await signIn(test.database, { username: 'nina', password: 'nina-long-password', ip: 'test' });
    expect(result.status).toBe('ok');
  });

  it('refuses an unknown role, a short password and a duplicate name, changing nothing', async () => {
    expect((await users(['add', 'omar', '--role', 'superuser'], env, 'omar-long-password\n')).code).toBe(2);
    const short = await users(['add', 'omar', '--role', 'viewer'], env, 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('at least 10 characters');
    expect((await users(['add', 'nina', '--role', 'viewer'], env, 'another-long-password\n')).code).toBe(1);
    const listed = await users(['list'], env);
    expect(listed.stdout).toContain('nina');
    expect(listed.stdout).not.toContain('omar');
  });

  it('disables a user, whose sign-in then fails', async () => {
    const disabled = await users(['disable', 'nina'], env);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect((await users(['list'], env)).stdout).toMatch(/nina\s+operator,approver\s+disabled/);
    const result = await signIn(test.database, { username: 'nina', password: 'nina-long-password', ip: 'test2' });
    expect(result.status).toBe('failed');
  });
});
