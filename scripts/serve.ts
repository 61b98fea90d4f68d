/**
 * The console's server process: Next.js behind our own front server (lib/server/front-server.ts),
 * which hands the app the client's real address. `npm start` / `npm run dev` run this (through
 * scripts/start.ts), and so do the benchmark and the system tests; `next start` alone would
 * leave every client address "unknown".
 *
 *   tsx scripts/serve.ts [--dev] [--port N] [--hostname H] [--dir D]     (defaults: PORT, HOST, the project)
 *
 * The launcher and the harnesses run it compiled, with plain `node` (scripts/next-server.ts serverArgs): the
 * compiled file lives elsewhere, so they name the project directory with --dir.
 *
 * SIGTERM / SIGINT: stop accepting, finish requests in flight (up to 5 s), exit. The runner that
 * instrumentation.ts starts in this process stops on the same signals.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readTrustedProxiesOrExit, startFrontServer } from '../lib/server/front-server';
import { checkSettingsAtStart, readSetting } from '../lib/settings';

const TOOL = 'dxy-cutover-server';
checkSettingsAtStart(TOOL);
const trust = readTrustedProxiesOrExit(TOOL);
const { values } = parseArgs({
  options: {
    dev: { type: 'boolean', default: false },
    port: { type: 'string' },
    hostname: { type: 'string' },
    dir: { type: 'string' },
  },
});
const port = values.port === undefined ? readSetting('PORT') : Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65_535) {
  console.error(`[${TOOL}] --port must be a whole number 1–65535, not "${values.port}".`);
  process.exit(2);
}
const hostname = values.hostname ?? readSetting('HOST');
const log = (line: string) => console.log(`[${TOOL}] ${line}`);

async function main(): Promise<void> {
  const dir = values.dir ?? fileURLToPath(new URL('..', import.meta.url));
  const front = await startFrontServer({ dir, dev: values.dev ?? false, hostname, port, trust, log });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`Received ${signal}; closing.`);
    front.close(5_000).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`[${TOOL}] ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(`[${TOOL}] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
