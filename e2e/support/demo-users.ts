import { DEMO_USERS } from '../../lib/auth/demo-users';

export function demoUser(username: string) {
  const user = DEMO_USERS.find((u) => u.username === username);
  if (!user) throw new Error(`No demo user ${username}`);
  return user;
}
