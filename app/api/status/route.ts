import { requireApiUser } from '@/lib/auth/require-api-user';
import { respondForViewer } from '@/lib/db/read-refusal';
import { readConsoleStatus } from '@/lib/runbook/read/read-console-status';

export const dynamic = 'force-dynamic';

/** The overview's data as JSON (polled by the overview, usable by scripts with a session). */
export async function GET() {
  const user = await requireApiUser();
  if (user instanceof Response) return user;
  return respondForViewer(async (database) =>
    Response.json(await readConsoleStatus(database), { headers: { 'cache-control': 'no-store' } }),
  );
}
