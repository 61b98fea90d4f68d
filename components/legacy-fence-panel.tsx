import { formatCount, formatUtc } from '@/lib/format';
import type { LegacyFencePanelData } from '@/lib/runbook/phases/shared/legacy-fence-state';
import { Panel } from './panel';

/**
 * Phase 9's fence on legacy DXY writes (docs/phases.md "The fence on legacy writes"): when it went
 * up (and came down with the rollback), whether it still holds, and each write it refused — the
 * trail to a writer the deployment does not control.
 */
export function LegacyFencePanel({ fence }: { fence: LegacyFencePanelData }) {
  const state = fence.present
    ? fence.problems.length === 0
      ? 'in place'
      : `NOT HOLDING: ${fence.problems.join('; ')}`
    : fence.removedAt
      ? `removed by the rollback at ${formatUtc(fence.removedAt, 'second')}`
      : 'NOT PRESENT';
  return (
    <Panel label="Fence on legacy writes">
      <p className="mt-1 text-sm text-slate-700" data-testid="legacy-fence-state">
        Fence on derived_data_bars: installed at {formatUtc(fence.installedAt, 'second')}; {state};{' '}
        <strong>{formatCount(fence.total)}</strong> write{fence.total === 1 ? '' : 's'} refused.
      </p>
      {fence.refusals.length > 0 ? (
        <div className="mt-2 overflow-x-auto">
          <table className="text-sm" aria-label="Writes the fence refused">
            <thead>
              <tr className="text-left text-xs text-slate-500">
                <th className="pr-4 font-medium">refused at (UTC)</th>
                <th className="pr-4 font-medium">role</th>
                <th className="pr-4 font-medium">application</th>
                <th className="pr-4 font-medium">client</th>
                <th className="pr-4 font-medium">write</th>
                <th className="font-medium">minute</th>
              </tr>
            </thead>
            <tbody>
              {fence.refusals.map((r) => (
                <tr key={`${r.refusedAt}-${r.minute}-${r.op}`} className="border-t border-slate-100">
                  <td className="pr-4 font-mono whitespace-nowrap">{formatUtc(r.refusedAt, 'second')}</td>
                  <td className="pr-4 font-mono">
                    {r.role}
                    {r.session !== r.role ? ` (via ${r.session})` : ''}
                  </td>
                  <td className="pr-4 font-mono">{r.application ?? '—'}</td>
                  <td className="pr-4 font-mono">{r.client ?? 'local'}</td>
                  <td className="pr-4">{r.op}</td>
                  <td className="font-mono whitespace-nowrap">{formatUtc(r.minute)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {fence.total > fence.refusals.length ? (
            <p className="mt-1 text-xs text-slate-500">
              The latest {fence.refusals.length} of {formatCount(fence.total)} (cutover.legacy_fence_refusals holds them
              all).
            </p>
          ) : null}
        </div>
      ) : null}
    </Panel>
  );
}
