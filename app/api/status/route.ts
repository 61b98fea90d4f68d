import { getCurrentUser } from '@/lib/auth/current-user';
import { getReadDatabase } from '@/lib/db/connection';
import { readConsoleStatus } from '@/lib/monitor/read-console-status';

export const dynamic = 'force-dynamic';

/** The overview's data as JSON (polled by the overview, usable by scripts with a session). */
export async function GET() {
  if (!(await getCurrentUser())) return Response.json({ error: 'Sign in required.' }, { status: 401 });
  return Response.json(await readConsoleStatus(getReadDatabase()), { headers: { 'cache-control': 'no-store' } });
}
