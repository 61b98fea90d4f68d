/**
 * Viewers cannot load the primary (issue 20): no page, layout or API route takes a pool of its own
 * — each reads through lib/db/read-refusal.ts / read-limit.ts (the read pool, its statement timeout,
 * the viewer read limit) — and in lib only the actions, sign-in and the session lookup take the
 * actions' pool. The few surfaces that keep a pool say why below.
 */
import { type Dirent, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { ViewerReadRefused } from '../../components/viewer-read-refused';
import { READ_TIMEOUT_MESSAGE } from './read-refusal';

/** The pool getters of lib/db/connection.ts. */
const POOL_GETTERS = /\b(getDatabase|getDb|getReadDatabase)\s*\(/;

/** Surfaces that keep a pool of their own, and why. */
const KEEPS_A_POOL: Record<string, string> = {
  'app/api/health/route.ts': 'the liveness probe answers for the actions’ pool itself (`select 1`)',
  'app/api/cli/[...path]/route.ts':
    'hands both pools to lib/cli-api/handle-request.ts, whose reads go through withViewerRead (read-routes.test.ts)',
  'app/(console)/users/page.tsx': 'admins only (user administration), not a viewer’s page',
  'lib/auth/current-user.ts': 'the session lookup every request makes',
  'lib/auth/run-server-action.ts': 'actions run on the actions’ pool',
  'lib/server-actions/users.ts': 'actions (invitation acceptance)',
  'lib/server-actions/sign-in.ts': 'signing in and out',
};

function filesUnder(root: string, directory: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(join(root, directory), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : filesUnder(root, path);
    return /\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Every page, layout, route and lib module that takes a pool without going through the viewer read limit. */
function findPoolTakers(root: string): string[] {
  const surfaces = [...filesUnder(root, 'app'), ...filesUnder(root, 'components'), ...filesUnder(root, 'lib')]
    .map((path) => relative(root, join(root, path)).split('\\').join('/'))
    // The pools' own module and the viewer read limit are where the pools are taken on purpose.
    .filter((path) => !['lib/db/connection.ts', 'lib/db/read-limit.ts'].includes(path));
  return surfaces
    .filter((path) => POOL_GETTERS.test(readFileSync(join(root, path), 'utf8')))
    .filter((path) => !(path in KEEPS_A_POOL))
    .sort();
}

describe('what viewers read goes through the viewer read limit', () => {
  let root: string | null = null;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = null;
  });

  function tree(files: Record<string, string>): string {
    root = mkdtempSync(join(tmpdir(), 'read-surfaces-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  it('names a page, a route or a lib module that takes a pool itself', () => {
    const found = findPoolTakers(
      tree({
        'app/(console)/page.tsx': 'const status = await readConsoleStatus(getDatabase());',
        'app/(console)/monitor/page.tsx': 'const read = await readForViewer(({ sql }) => readMonitorState(sql));',
        'app/api/status/route.ts': 'return Response.json(await readConsoleStatus(getReadDatabase()));',
        'app/api/health/route.ts': 'await getDatabase().sql`select 1`;',
        'lib/runbook/read-thing.ts': 'const db = getDb ();',
        'lib/runbook/read-thing.test.ts': 'getDatabase()',
        'lib/db/read-limit.ts': 'work(getReadDatabase())',
      }),
    );
    expect(found).toEqual(['app/(console)/page.tsx', 'app/api/status/route.ts', 'lib/runbook/read-thing.ts']);
  });

  it('finds none in this repository', () => {
    expect(findPoolTakers(process.cwd())).toEqual([]);
  });

  it('a refused page says why, in place of its data', () => {
    const html = renderToStaticMarkup(
      createElement(ViewerReadRefused, { title: 'Overview', message: READ_TIMEOUT_MESSAGE }),
    );
    expect(html).toContain('role="alert"');
    expect(html).toContain('<h1');
    expect(html).toContain('CUTOVER_READ_STATEMENT_TIMEOUT_MS');
    expect(html).toContain('was cancelled');
  });
});
