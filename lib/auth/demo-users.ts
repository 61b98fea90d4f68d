/**
 * The rehearsal world's demo users: one of each role, and two approvers so the two-person rule
 * can be rehearsed. Their passwords are printed by `npm start`; they exist only in a rehearsal
 * world the console created, never in a database given by DATABASE_URL.
 */
import type { DbOrTx } from '../db/connection';
import type { Role } from './roles';
import { createUser, findUserByUsername } from './users';

export interface DemoUser {
  username: string;
  password: string;
  roles: Role[];
}

export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'viewer', password: 'viewer-rehearsal', roles: ['viewer'] },
  { username: 'operator', password: 'operator-rehearsal', roles: ['operator'] },
  { username: 'approver', password: 'approver-rehearsal', roles: ['approver'] },
  { username: 'approver2', password: 'approver2-rehearsal', roles: ['approver'] },
  { username: 'admin', password: 'admin-rehearsal', roles: ['admin'] },
];

export async function seedDemoUsers(db: DbOrTx): Promise<void> {
  for (const user of DEMO_USERS) {
    if (!(await findUserByUsername(db, { username: user.username }))) await createUser(db, user);
  }
}
