/**
 * The shape of one setting's declaration (its group, schema, default, what is allowed and what it means) and the
 * groups the settings table and `.env.example` are ordered by.
 */
import type { z } from 'zod';

export type SettingGroup = 'console' | 'rehearsal' | 'runbook' | 'workers' | 'monitoring' | 'cli';

export const SETTING_GROUP_TITLES: Record<SettingGroup, string> = {
  console: 'Console and database',
  rehearsal: 'Rehearsal world',
  runbook: 'Runbook',
  workers: 'Worker control (real deployments)',
  monitoring: 'Monitoring and alerting',
  cli: 'Command line',
};

export interface SettingDeclaration<S extends z.ZodType> {
  group: SettingGroup;
  /** Parses the raw value; receives `undefined` when the variable is unset (or empty) and has no default. */
  schema: S;
  /** The raw default, or null when unset means "off" or is computed (see `meaning`). */
  default: string | null;
  /** What is allowed, in words: printed when a value is refused. */
  allowed: string;
  meaning: string;
  /** Never echoed back in an error (credentials, tokens, webhook URLs that carry a key). */
  secret?: boolean;
  /** A value to show (commented out) in .env.example. */
  example?: string;
}

/** Keeps each declaration's own schema type, so a setting reads as exactly what its schema outputs. */
export function declare<S extends z.ZodType>(declaration: SettingDeclaration<S>): SettingDeclaration<S> {
  return declaration;
}
