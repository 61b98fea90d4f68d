/**
 * The settings' documentation, rendered from their declarations: the README's settings table and `.env.example`
 * (scripts/write-settings-docs.ts writes both; lib/settings.test.ts keeps them equal to what is rendered here).
 */
import { SETTING_NAMES, SETTINGS, type SettingName } from '../settings';
import { SETTING_GROUP_TITLES, type SettingGroup } from './setting-declaration';

function defaultText(name: SettingName): string {
  const value = SETTINGS[name].default;
  return value === null ? '—' : `\`${value}\``;
}

/** Where the generated settings table sits in README.md. */
export const README_SETTINGS_BEGIN = '<!-- settings:begin (generated from lib/settings.ts) -->';
export const README_SETTINGS_END = '<!-- settings:end -->';

/** The README's settings table (between the markers above). */
export function renderSettingsTable(): string {
  const lines = ['| variable | default | allowed | meaning |', '|---|---|---|---|'];
  for (const group of Object.keys(SETTING_GROUP_TITLES) as SettingGroup[]) {
    lines.push(`| **${SETTING_GROUP_TITLES[group]}** | | | |`);
    for (const name of SETTING_NAMES.filter((n) => SETTINGS[n].group === group)) {
      const s = SETTINGS[name];
      const cell = (text: string) => text.replaceAll('|', '\\|');
      lines.push(`| \`${name}\` | ${cell(defaultText(name))} | ${cell(s.allowed)} | ${cell(s.meaning)} |`);
    }
  }
  return lines.join('\n');
}

/** The contents of `.env.example`: every setting, commented out, with its meaning. */
export function renderEnvExample(): string {
  const out = [
    '# dxy-cutover settings. Generated from lib/settings.ts (npx tsx scripts/write-settings-docs.ts);',
    '# every variable is optional. Unset or empty means the default. Invalid values stop the start.',
  ];
  for (const group of Object.keys(SETTING_GROUP_TITLES) as SettingGroup[]) {
    out.push('', `# --- ${SETTING_GROUP_TITLES[group]} ---`);
    for (const name of SETTING_NAMES.filter((n) => SETTINGS[n].group === group)) {
      const s = SETTINGS[name];
      out.push(`# ${s.meaning}`, `# Allowed: ${s.allowed}.`);
      out.push(`# ${name}=${s.example ?? s.default ?? ''}`);
    }
  }
  return `${out.join('\n')}\n`;
}
