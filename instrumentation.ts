/**
 * Starts the runner inside the Next.js server (docs/architecture.md "The runner"). Node-only code is imported
 * dynamically so the edge bundle never sees it; `next build` never calls register().
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  // The server started directly (not through npm start) validates its settings too.
  const { checkSettingsAtStart, readSetting } = await import('./lib/settings');
  checkSettingsAtStart('next');
  // No audit chain key, no start (docs/operations.md "The audit log").
  const { checkAuditKeyAtStart } = await import('./lib/auth/audit-key');
  checkAuditKeyAtStart('next');
  if (readSetting('CUTOVER_RUNNER') === 'off' || !readSetting('DATABASE_URL')) return;
  const { startRunnerInServer } = await import('./lib/runbook/start-runner-in-server');
  await startRunnerInServer();
}
