/**
 * Starts the runner inside the Next.js server (DESIGN §3.1). Node-only code is imported
 * dynamically so the edge bundle never sees it; `next build` never calls register().
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  if (process.env.CUTOVER_RUNNER === 'off' || !process.env.DATABASE_URL) return;
  const { startRunnerInServer } = await import('./lib/runbook/start-runner-in-server');
  await startRunnerInServer();
}
