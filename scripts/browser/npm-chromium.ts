/**
 * A Chromium shipped inside an npm package (@sparticuz/chromium), installed on demand into a cache
 * directory rather than as a dependency: most machines never need its 60 MB, and the project's
 * lock file stays as it is. Used where neither Playwright's download nor a package manager works.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Environment, errorLine, lastLine, runCommand } from './run-command';

/**
 * 143.x declares `engines: node >=20.11` (the 147.0.1+ releases need Node 22), and Playwright drives
 * its headless Chromium over CDP like its own build.
 */
export const NPM_CHROMIUM_PACKAGE = '@sparticuz/chromium@143.0.4';

function packageDir(cacheDir: string): string {
  return join(resolve(cacheDir), 'sparticuz-chromium-143.0.4');
}

/** Where the unpacked executable lives once installed. */
export function npmChromiumExecutable(cacheDir: string): string {
  return join(packageDir(cacheDir), 'unpacked', 'chromium');
}

/**
 * What the install needs of a source's context (./browser-sources.ts SourceContext), declared here:
 * that module calls this one, so importing its type back would close a circle.
 */
interface InstallContext {
  env: Environment;
  cacheDir: string;
  installTimeoutMs: number;
  log: (line: string) => void;
}

export async function installNpmChromium(
  context: InstallContext,
): Promise<{ executablePath: string; detail: string } | { missing: string }> {
  const dir = packageDir(context.cacheDir);
  const unpacked = join(dir, 'unpacked');
  mkdirSync(unpacked, { recursive: true });
  // Its own package.json, so that npm treats the cache directory as the project and never the repository.
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  context.log(`installing ${NPM_CHROMIUM_PACKAGE} into ${dir}`);
  const npm = await runCommand(
    'npm',
    ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', NPM_CHROMIUM_PACKAGE],
    { timeoutMs: context.installTimeoutMs, env: context.env },
  );
  if (npm.code !== 0)
    return {
      missing: npm.timedOut
        ? `npm install ${NPM_CHROMIUM_PACKAGE} did not finish in time`
        : `npm install ${NPM_CHROMIUM_PACKAGE} failed: ${errorLine(npm.output)}`,
    };
  const entry = join(dir, 'node_modules', '@sparticuz', 'chromium', 'build', 'esm', 'index.js');
  if (!existsSync(entry)) return { missing: `npm installed ${NPM_CHROMIUM_PACKAGE} but ${entry} is missing` };
  // The package unpacks its brotli archives into os.tmpdir(); pointing TMPDIR at the cache keeps the
  // 190 MB executable out of /tmp and lets the next run find it without unpacking again.
  const script = `const { default: chromium } = await import(${JSON.stringify(pathToFileURL(entry).href)});
console.log(await chromium.executablePath());`;
  const unpack = await runCommand(process.execPath, ['--input-type=module', '-e', script], {
    timeoutMs: context.installTimeoutMs,
    env: { ...context.env, TMPDIR: unpacked },
  });
  const executablePath = lastLine(unpack.output);
  if (unpack.code !== 0 || !existsSync(executablePath))
    return { missing: `unpacking ${NPM_CHROMIUM_PACKAGE} failed: ${errorLine(unpack.output)}` };
  return { executablePath, detail: `npm package ${NPM_CHROMIUM_PACKAGE}, unpacked in ${unpacked}` };
}
