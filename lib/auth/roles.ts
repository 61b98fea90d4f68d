import { ROLES, type Role } from '../db/console-schema';

export { ROLES, type Role };

export function hasAnyRole(userRoles: readonly Role[], allowed: readonly Role[]): boolean {
  return allowed.some((role) => userRoles.includes(role));
}

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: 'watches progress, comparisons and monitoring; changes nothing',
  operator: 'runs phases, applies fixes, pauses and resumes, requests Reconcile, starts rollback',
  approver: 'confirms the soft-delete, a Reconcile and destructive rollback choices (never their own request)',
  admin: 'manages users',
};
