import { formatUtc } from '@/lib/format';
import { abortRecordOf } from '@/lib/runbook/engine/abort-rules';

/**
 * After an abort (docs/phases.md "Abort"): who aborted the phase's latest run and when, what the
 * abort left (the step in flight and the committed work) and what the operator can do next.
 */
export function AbortedBanner({
  run,
}: {
  run: { id: number; status: string; result: Record<string, unknown>; finishedAt: string | Date | null };
}) {
  if (run.status !== 'aborted') return null;
  const record = abortRecordOf(run);
  return (
    <section
      role="status"
      aria-label="Aborted"
      data-testid="aborted-banner"
      className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950"
    >
      <h2 className="font-semibold">
        Aborted — run #{run.id}
        {record ? ` by ${record.by}` : ''}
        {run.finishedAt ? `, ${formatUtc(run.finishedAt)}` : ''}
      </h2>
      {record?.reason ? <p className="mt-1">Reason: {record.reason}</p> : null}
      {record ? (
        <div className="mt-2 grid gap-3 md:grid-cols-2">
          <div>
            <h3 className="font-medium">What the abort left</h3>
            <ul className="mt-1 list-disc space-y-1 pl-5" data-testid="abort-left">
              <li>{record.inFlight}</li>
              {record.completed.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </div>
          <div>
            <h3 className="font-medium">Next steps</h3>
            <ul className="mt-1 list-disc space-y-1 pl-5" data-testid="abort-next-steps">
              {record.nextSteps.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </div>
        </div>
      ) : null}
    </section>
  );
}
