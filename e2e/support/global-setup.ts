/**
 * Before any spec: a fresh embedded PostgreSQL cluster under .data-e2e/ (the run's only one; every
 * spec's world is a database in it), the console built when its sources changed (as `npm start`
 * would), and the default world's template, so that the first spec does not pay for building it.
 * Returns the teardown Playwright runs after the last spec: the cluster stops.
 */
import { rmSync } from 'node:fs';
import postgres from 'postgres';
import { startEmbeddedDatabase } from '../../lib/db/embedded';
import { buildIfNeeded } from '../../scripts/next-server';
import { DEFAULT_WORLD } from './world-options';
import { E2E_DATA_DIR, ensureTemplate } from './world-templates';

const say = (line: string) => console.log(`[e2e] ${line}`);

/**
 * Durability the run's throwaway cluster does not need (no e2e spec restarts PostgreSQL, let alone
 * the machine): on two cores shared with other work, the flushes of the worlds' copies, the
 * simulated workers' writes and the phases' made copying a world take seconds instead of a fraction.
 */
const NO_DURABILITY = ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off'];

async function withoutDurability(url: string): Promise<void> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    for (const setting of NO_DURABILITY) await admin.unsafe(`ALTER SYSTEM SET ${setting}`);
    await admin`select pg_reload_conf()`;
  } finally {
    await admin.end();
  }
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  rmSync(E2E_DATA_DIR, { recursive: true, force: true });
  const cluster = await startEmbeddedDatabase({ dataDir: E2E_DATA_DIR, log: say });
  try {
    await withoutDurability(cluster.url);
    buildIfNeeded(say);
    await ensureTemplate(DEFAULT_WORLD, say);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return () => cluster.stop();
}
