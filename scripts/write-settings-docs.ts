/**
 * `npx tsx scripts/write-settings-docs.ts`: rewrites `.env.example` and the README's settings
 * table from the settings' declarations (lib/settings/), so the documentation cannot drift from what the code accepts
 * (lib/settings.test.ts fails when they differ).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  README_SETTINGS_BEGIN,
  README_SETTINGS_END,
  renderEnvExample,
  renderSettingsTable,
} from '../lib/settings/settings-docs';

writeFileSync('.env.example', renderEnvExample());
const readme = readFileSync('README.md', 'utf8');
const begin = readme.indexOf(README_SETTINGS_BEGIN);
const end = readme.indexOf(README_SETTINGS_END);
if (begin < 0 || end < begin)
  throw new Error(`README.md lacks the ${README_SETTINGS_BEGIN} … ${README_SETTINGS_END} markers`);
writeFileSync(
  'README.md',
  `${readme.slice(0, begin + README_SETTINGS_BEGIN.length)}\n${renderSettingsTable()}\n${readme.slice(end)}`,
);
console.log('wrote .env.example and the settings table of README.md');
