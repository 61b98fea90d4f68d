import type { PhaseStage } from '@/lib/runbook/engine/phase-registry';
import { Panel } from './panel';

/**
 * A phase's stages in order (docs/phases.md "Statements and stages"), with where its latest run
 * is: stages before it are done, the one it is in is marked (the preview below names the point of no return).
 */
export function PhaseStageList({
  stages,
  current,
  runStatus,
}: {
  stages: readonly PhaseStage[];
  /** The latest run's checkpoint stage (null: not started, or a phase of one stage). */
  current: string | null;
  runStatus: string | null;
}) {
  const at = current === null ? (runStatus ? 0 : -1) : stages.findIndex((s) => s.id === current);
  const finished = runStatus === 'succeeded';
  return (
    <Panel label="Stages">
      <ol className="mt-2 space-y-1 text-sm">
        {stages.map((stage, index) => {
          const state = finished || index < at ? 'done' : index === at ? runStatus : null;
          return (
            <li key={stage.id} className="flex items-baseline gap-2" data-testid={`stage-${stage.id}`}>
              <span className="w-5 text-right font-mono text-slate-500">{index + 1}.</span>
              <span className={index === at && !finished ? 'font-semibold text-slate-900' : 'text-slate-700'}>
                {stage.title}
              </span>
              {state ? <span className="text-xs text-slate-500">({state})</span> : null}
            </li>
          );
        })}
      </ol>
    </Panel>
  );
}
