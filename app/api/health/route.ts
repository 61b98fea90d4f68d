import { getDatabase } from '@/lib/db/connection';

export const dynamic = 'force-dynamic';

/** Liveness and database reachability; the only route that needs no session. */
export async function GET() {
  try {
    await getDatabase().sql`select 1`;
    return Response.json({ status: 'ok', database: 'reachable' });
  } catch {
    return Response.json({ status: 'degraded', database: 'unreachable' }, { status: 503 });
  }
}
