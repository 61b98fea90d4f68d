import { requireApiUser } from '@/lib/auth/require-api-user';
import { respondForViewer } from '@/lib/db/read-refusal';
import { isPhaseId } from '@/lib/runbook/phases';
import { readPhaseLive } from '@/lib/runbook/read/read-phase-detail';
import { canSeeWorkerOutput } from '@/lib/runbook/worker-control/hide-worker-output';

export const dynamic = 'force-dynamic';

/** A phase's attempts, latest run (progress, verification) and log, polled by its page. */
export async function GET(_request: Request, { params }: { params: Promise<{ phase: string }> }) {
  const user = await requireApiUser();
  if (user instanceof Response) return user;
  const { phase } = await params;
  if (!isPhaseId(phase)) return Response.json({ error: `Unknown phase "${phase}"` }, { status: 404 });
  return respondForViewer(async (database) =>
    Response.json(await readPhaseLive(database, { phaseId: phase, showWorkerOutput: canSeeWorkerOutput(user.roles) }), {
      headers: { 'cache-control': 'no-store' },
    }),
  );
}
