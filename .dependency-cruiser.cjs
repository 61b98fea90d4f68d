/**
 * `npm run lint`'s import check (dependency-cruiser): the layers of docs/architecture.md ("The parts and which may use
 * which") as data, one rule per part, plus no circle between files. A wrong arrow or a circle fails lint with the
 * files involved. scripts/dependency-rules.test.ts proves both rules fire.
 */

/**
 * Each part, by the paths it holds. Files directly in lib/ are the shared leaves (settings, formatting, JSON), with
 * lib/settings/ (the settings' declarations by group, which lib/settings.ts reads).
 */
const PARTS = {
  app: '^app/',
  components: '^components/',
  'lib/server-actions': '^lib/server-actions/',
  'lib/client': '^lib/client/',
  'lib/cli-api': '^lib/cli-api/',
  'lib/runbook': '^lib/runbook/',
  'lib/monitor': '^lib/monitor/',
  'lib/market': '^lib/market/',
  'lib/auth': '^lib/auth/',
  'lib/db': '^lib/db/',
  'lib/server': '^lib/server/',
  'lib/http': '^lib/http/',
  'lib/shared': '^lib/([^/]+|settings/.+)$',
};

/**
 * Each part and the parts it may import (its own part is always allowed). Entry points and harnesses (scripts/,
 * bench/, test-support/, e2e/, the root files) and tests (`*.test.ts`, `*.spec.ts`) compose whole worlds: they may
 * import anything, and no part may import them.
 */
const ALLOWED_IMPORTS = {
  app: [
    'components',
    'lib/server-actions',
    'lib/cli-api',
    'lib/client',
    'lib/runbook',
    'lib/monitor',
    'lib/market',
    'lib/auth',
    'lib/db',
    'lib/http',
    'lib/shared',
  ],
  components: [
    'lib/server-actions',
    'lib/client',
    'lib/runbook',
    'lib/monitor',
    'lib/market',
    'lib/auth',
    'lib/http',
    'lib/shared',
  ],
  // The server actions the client components call: thin adapters from a form to an action spec.
  'lib/server-actions': ['lib/runbook', 'lib/monitor', 'lib/market', 'lib/auth', 'lib/db', 'lib/http', 'lib/shared'],
  // The browser's data layer: fetchers, query options, mutation feedback (types from the read models).
  'lib/client': ['lib/runbook', 'lib/monitor', 'lib/market', 'lib/auth', 'lib/http', 'lib/shared'],
  // The CLI's HTTP API: request handlers over the same actions and read models as the pages.
  'lib/cli-api': ['lib/runbook', 'lib/monitor', 'lib/market', 'lib/auth', 'lib/db', 'lib/http', 'lib/shared'],
  'lib/runbook': ['lib/monitor', 'lib/market', 'lib/auth', 'lib/db', 'lib/http', 'lib/shared'],
  'lib/monitor': ['lib/market', 'lib/auth', 'lib/db', 'lib/http', 'lib/shared'],
  'lib/market': ['lib/db', 'lib/http', 'lib/shared'],
  'lib/auth': ['lib/db', 'lib/http', 'lib/shared'],
  'lib/db': ['lib/shared'],
  // The front server in front of Next.js (client address); only the launcher uses it.
  'lib/server': ['lib/auth', 'lib/http', 'lib/shared'],
  // HTTP facts every part may need (the public URL, security headers): a leaf over settings.
  'lib/http': ['lib/shared'],
  'lib/shared': [],
};

const TESTS = '\\.(test|spec)\\.tsx?$';
const REPOSITORY_FILES = '^(app|components|lib|scripts|bench|test-support|e2e)/|^[^/]+\\.(ts|tsx|js|mjs|cjs)$';

const layerRules = Object.entries(ALLOWED_IMPORTS).map(([part, allowed]) => ({
  name: `layers: ${part}`,
  comment: `${part} may import only ${allowed.length > 0 ? allowed.join(', ') : 'itself'} (docs/architecture.md "The parts").`,
  severity: 'error',
  from: { path: PARTS[part], pathNot: TESTS },
  // Every file of the repository (a part, a harness, a root file) that is neither this part nor one it may use.
  // Packages and Node's modules resolve outside these paths, so they stay free.
  to: { path: REPOSITORY_FILES, pathNot: [PARTS[part], ...allowed.map((other) => PARTS[other])] },
}));

/**
 * The rooms of lib/runbook (docs/architecture.md "The runbook's rooms") and which other rooms each may use. The
 * engine knows no phase: the registry and the world's tick are handed to it (lib/runbook/runbook-runner.ts, the
 * one file that wires them, with the server's and the CLI's entry points at lib/runbook's top level).
 */
const ROOMS = {
  engine: ['worker-control'],
  'worker-control': [],
  // Phase 1 needs validate's GO from the last 24 hours (validate/gate.ts).
  phases: ['engine', 'worker-control', 'validate'],
  'tick-jobs': ['engine', 'phases'],
  read: ['engine', 'phases', 'tick-jobs', 'worker-control', 'validate'],
  validate: ['engine', 'phases', 'worker-control'],
  actions: ['engine', 'phases', 'read', 'validate', 'worker-control'],
};
const roomPath = (room) => `^lib/runbook/${room}/`;

const roomRules = Object.entries(ROOMS).map(([room, allowed]) => ({
  name: `rooms: lib/runbook/${room}`,
  comment: `lib/runbook/${room} may import only ${allowed.length > 0 ? allowed.join(', ') : 'itself'} of lib/runbook (docs/architecture.md "The runbook's rooms").`,
  severity: 'error',
  from: { path: roomPath(room), pathNot: TESTS },
  to: { path: '^lib/runbook/', pathNot: [roomPath(room), ...allowed.map(roomPath)] },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'A circle between files makes load order decide what a module sees (an import is undefined halfway round) and ' +
        'ties the files into one unit; hand the dependency in as a parameter, or move the shared type to its owner.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    ...roomRules,
  ],
  options: {
    // The repository's own sources; packages are resolved (to tell them apart) but never walked into.
    includeOnly: '^(?!node_modules/)',
    exclude: {
      path: '^(\\.git|\\.next|\\.data[^/]*|drizzle|patches|public|test-results|playwright-report|bench/out)/',
    },
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are arrows too: a circle or a wrong-way arrow made of types still ties the files together.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
