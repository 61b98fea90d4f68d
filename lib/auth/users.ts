import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/connection';
import { users } from '../db/console-schema';
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password';
import { ROLES, type Role } from './roles';

export const usernameSchema = z
  .string()
  .trim()
  .min(2, 'Username must have at least 2 characters')
  .max(64, 'Username must have at most 64 characters')
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'Username may contain lower-case letters, digits, dot, dash and underscore');

export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Password must have at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `Password must have at most ${PASSWORD_MAX_LENGTH} characters`);

export const newUserSchema = z.object({
  username: usernameSchema,
  password: passwordSchema,
  roles: z.array(z.enum(ROLES)).min(1, 'Give the user at least one role'),
});

export interface UserSummary {
  id: number;
  username: string;
  roles: Role[];
  createdAt: Date;
  disabledAt: Date | null;
}

export async function createUser(db: DbOrTx, input: z.input<typeof newUserSchema>): Promise<UserSummary> {
  const parsed = newUserSchema.parse(input);
  const existing = await findUserByUsername(db, { username: parsed.username });
  if (existing) throw new Error(`User "${parsed.username}" already exists`);
  const [row] = await db
    .insert(users)
    .values({ username: parsed.username, passwordHash: await hashPassword(parsed.password), roles: parsed.roles })
    .returning();
  if (!row) throw new Error('User was not created');
  return summarize(row);
}

export async function findUserByUsername(db: DbOrTx, params: { username: string }) {
  const [row] = await db.select().from(users).where(eq(users.username, params.username));
  return row ?? null;
}

export async function listUsers(db: DbOrTx): Promise<UserSummary[]> {
  const rows = await db.select().from(users).orderBy(asc(users.username));
  return rows.map(summarize);
}

export async function disableUser(db: DbOrTx, params: { username: string; at: Date }): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({ disabledAt: params.at })
    .where(eq(users.username, params.username))
    .returning({ id: users.id });
  return rows.length > 0;
}

function summarize(row: typeof users.$inferSelect): UserSummary {
  return {
    id: row.id,
    username: row.username,
    roles: row.roles,
    createdAt: row.createdAt,
    disabledAt: row.disabledAt,
  };
}
