/**
 * What `npm run cutover` needs to talk to a console: its address and a personal token (group `cli` of the
 * settings table).
 */
import { declare } from './setting-declaration';
import { httpUrl, optionalText } from './value-schemas';

export const CLI_SETTINGS = {
  CUTOVER_URL: declare({
    group: 'cli',
    schema: httpUrl,
    default: null,
    allowed: 'an http:// or https:// URL',
    meaning: 'The console `npm run cutover` talks to (over HTTP; the CLI never connects to the database).',
    example: 'https://cutover.example.com',
  }),
  CUTOVER_TOKEN: declare({
    group: 'cli',
    schema: optionalText,
    default: null,
    allowed: 'a personal API token from the console’s Tokens page',
    meaning: '`npm run cutover` acts as the token’s owner, with their roles (never printed or audited).',
    secret: true,
  }),
} as const;
