/**
 * Every environment variable the console, the runner and the CLI read, declared once (by group, in lib/settings/)
 * and read here: the entry points validate all of them before they start (a bad value stops the start with the
 * variable's name and what is allowed, instead of crashing a page later); readers elsewhere take one typed value
 * with `readSetting`. `.env.example` and the README's settings table are rendered from the declarations
 * (lib/settings/settings-docs.ts; lib/settings.test.ts keeps them equal).
 */
import type { z } from 'zod';
import { CLI_SETTINGS } from './settings/cli-settings';
import { CONSOLE_SETTINGS } from './settings/console-settings';
import { MONITORING_SETTINGS } from './settings/monitoring-settings';
import { REHEARSAL_SETTINGS } from './settings/rehearsal-settings';
import { RUNBOOK_SETTINGS } from './settings/runbook-settings';
import { WORKER_SETTINGS } from './settings/worker-settings';

/** In the order of the settings table: a group's settings keep their declared order. */
export const SETTINGS = {
  ...CONSOLE_SETTINGS,
  ...REHEARSAL_SETTINGS,
  ...RUNBOOK_SETTINGS,
  ...WORKER_SETTINGS,
  ...MONITORING_SETTINGS,
  ...CLI_SETTINGS,
} as const;

export type SettingName = keyof typeof SETTINGS;
export type Settings = { [K in SettingName]: z.output<(typeof SETTINGS)[K]['schema']> };
type Environment = Record<string, string | undefined>;

export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

export interface SettingProblem {
  name: SettingName;
  message: string;
}

function rawValue(name: SettingName, env: Environment): string | undefined {
  const value = env[name];
  // An empty variable (e.g. `DATABASE_URL=`) means unset, as it does for the shell scripts around us.
  return value === undefined || value === '' ? (SETTINGS[name].default ?? undefined) : value;
}

function problemOf(name: SettingName, env: Environment): string {
  const declaration = SETTINGS[name];
  const shown = declaration.secret ? 'value not shown' : `got "${env[name]}"`;
  return `${name} must be ${declaration.allowed} (${shown})`;
}

export class SettingsError extends Error {
  constructor(readonly problems: SettingProblem[]) {
    super(`Invalid settings:\n${problems.map((p) => `  ${p.message}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

/** One setting, parsed; throws with the variable's name and what is allowed. */
export function readSetting<K extends SettingName>(name: K, env: Environment = process.env): Settings[K] {
  const parsed = SETTINGS[name].schema.safeParse(rawValue(name, env));
  if (!parsed.success) throw new SettingsError([{ name, message: problemOf(name, env) }]);
  return parsed.data as Settings[K];
}

/** Every problem in the environment (empty when all settings are valid). */
export function findSettingProblems(env: Environment = process.env): SettingProblem[] {
  return SETTING_NAMES.filter((name) => !SETTINGS[name].schema.safeParse(rawValue(name, env)).success).map((name) => ({
    name,
    message: problemOf(name, env),
  }));
}

/** All settings, parsed; throws a SettingsError listing every invalid one. */
export function readSettings(env: Environment = process.env): Settings {
  const problems = findSettingProblems(env);
  if (problems.length > 0) throw new SettingsError(problems);
  return Object.fromEntries(SETTING_NAMES.map((name) => [name, readSetting(name, env)])) as Settings;
}

/** Variables that look like ours but are not declared: most likely a typo that would be silently ignored. */
export function findUnknownSettings(env: Environment = process.env): string[] {
  return Object.keys(env)
    .filter((name) => /^(CUTOVER|REHEARSAL)_/.test(name) && !(name in SETTINGS))
    .sort();
}

/**
 * Called first by every entry point (console launcher, Next.js server, runner, CLI): a bad value
 * stops the start here, with the variable's name and what is allowed, and exit code 2.
 */
export function checkSettingsAtStart(tool: string, env: Environment = process.env): void {
  const problems = findSettingProblems(env);
  for (const unknown of findUnknownSettings(env)) {
    console.error(`[${tool}] warning: ${unknown} is not a setting of dxy-cutover and is ignored (see .env.example).`);
  }
  if (problems.length === 0) return;
  console.error(`[${tool}] refusing to start: invalid settings.`);
  for (const problem of problems) console.error(`[${tool}]   ${problem.message}`);
  process.exit(2);
}
