import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScript } from '../test-support/run-script';
import { findSettingProblems, findUnknownSettings, readSetting, readSettings, SETTING_NAMES } from './settings';
import {
  README_SETTINGS_BEGIN,
  README_SETTINGS_END,
  renderEnvExample,
  renderSettingsTable,
} from './settings/settings-docs';

describe('the settings module', () => {
  it('has a default for everything: an empty environment is valid', () => {
    const settings = readSettings({});
    expect(settings.PORT).toBe(3000);
    expect(settings.REHEARSAL_LEFTOVERS).toBe(false);
    expect(settings.CUTOVER_WINDOW_MIN_OPEN_HOURS).toBe(20);
    expect(settings.ALERT_WEBHOOK_URL).toBeUndefined();
  });

  it('treats an empty variable as unset', () => {
    expect(readSetting('DATABASE_URL', { DATABASE_URL: '' })).toBeUndefined();
    expect(readSetting('CUTOVER_COPY_BATCH_ROWS', { CUTOVER_COPY_BATCH_ROWS: '' })).toBe(20_000);
  });

  it('refuses bad values with the name and what is allowed, and never echoes a secret', () => {
    const problems = findSettingProblems({
      ALERT_WEBHOOK_URL: 'ftp://hooks.example.com/secret-key',
      CUTOVER_METRICS_TOKEN: 'changeme',
      REHEARSAL_DAYS: '0',
      REHEARSAL_LEFTOVERS: 'yes',
      PORT: '3000x',
    });
    expect(problems.map((p) => p.name).sort()).toEqual([
      'ALERT_WEBHOOK_URL',
      'CUTOVER_METRICS_TOKEN',
      'PORT',
      'REHEARSAL_DAYS',
      'REHEARSAL_LEFTOVERS',
    ]);
    const text = problems.map((p) => p.message).join('\n');
    expect(text).toContain('ALERT_WEBHOOK_URL must be an http:// or https:// URL (value not shown)');
    expect(text).toContain('REHEARSAL_DAYS must be a whole number of days between 1 and 4000 (got "0")');
    expect(text).not.toContain('secret-key');
    expect(text).not.toContain('changeme');
  });

  it('accepts an http(s) webhook and a varied token, and refuses trivial tokens', () => {
    expect(readSetting('ALERT_WEBHOOK_URL', { ALERT_WEBHOOK_URL: 'https://alerts.example.com/x' })).toBe(
      'https://alerts.example.com/x',
    );
    const good = '3f9a1c07be52d48e6a0b91c7';
    expect(readSetting('CUTOVER_METRICS_TOKEN', { CUTOVER_METRICS_TOKEN: good })).toBe(good);
    expect(() => readSetting('CUTOVER_METRICS_TOKEN', { CUTOVER_METRICS_TOKEN: 'a'.repeat(40) })).toThrow(
      /CUTOVER_METRICS_TOKEN must be at least 20 characters/,
    );
  });

  it('names look-alike variables that are not settings', () => {
    expect(findUnknownSettings({ CUTOVER_COPY_BATCH_ROW: '5', CUTOVER_TOKEN: 'x', PATH: '/bin' })).toEqual([
      'CUTOVER_COPY_BATCH_ROW',
    ]);
  });

  it('.env.example lists exactly the declared variables, and is the generated text', () => {
    const text = readFileSync('.env.example', 'utf8');
    const listed = [...text.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    const hint = 'regenerate with: npx tsx scripts/write-settings-docs.ts';
    expect(listed, hint).toEqual(SETTING_NAMES);
    expect(text, hint).toBe(renderEnvExample());
  });

  it("the README's settings table is the generated one", () => {
    const readme = readFileSync('README.md', 'utf8');
    const begin = readme.indexOf(README_SETTINGS_BEGIN);
    const end = readme.indexOf(README_SETTINGS_END);
    expect(begin).toBeGreaterThan(0);
    expect(
      readme.slice(begin + README_SETTINGS_BEGIN.length, end).trim(),
      'regenerate with: npx tsx scripts/write-settings-docs.ts',
    ).toBe(renderSettingsTable());
  });
});

describe('a bad setting refuses the start, naming the variable', () => {
  const bad = (entry: string, env: Record<string, string>, args: string[] = []) =>
    runScript(entry, args, { env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', ...env } });

  it('the console launcher (npm start)', async () => {
    const result = await bad('scripts/start.ts', { REHEARSAL_DAYS: 'fourteen' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'REHEARSAL_DAYS must be a whole number of days between 1 and 4000 (got "fourteen")',
    );
    expect(result.stdout).not.toContain('Console ready');
  });

  it('the runner', async () => {
    const result = await bad('scripts/runner.ts', { CUTOVER_METRICS_TOKEN: 'token' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('CUTOVER_METRICS_TOKEN must be at least 20 characters');
    expect(result.stderr).not.toContain('token"');
  });

  it('the CLI', async () => {
    const result = await bad('scripts/cutover.ts', { ALERT_WEBHOOK_URL: 'hooks.example.com/alert' }, ['status']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ALERT_WEBHOOK_URL must be an http:// or https:// URL');
  });
});
