import type { Preview } from '@/lib/runbook/types';
import { FunctionDiff } from './function-diff';
import { Panel } from './panel';

/** What a phase will do, before it does it: steps in words, numbers, and the exact SQL. */
export function SqlPreview({ preview, title }: { preview: Preview; title: string }) {
  const estimates = Object.entries(preview.estimates);
  return (
    <Panel label={title}>
      <ol className="mt-2 list-decimal space-y-0.5 pl-5 text-sm text-slate-800">
        {preview.summary.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ol>
      {estimates.length > 0 ? (
        <dl className="mt-3 flex flex-wrap gap-x-6 gap-y-1 text-sm">
          {estimates.map(([key, value]) => (
            <div key={key} className="flex gap-2">
              <dt className="text-slate-500">{key}</dt>
              <dd className="font-mono">{typeof value === 'number' ? value.toLocaleString('en-US') : value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {preview.diff ? <FunctionDiff title={preview.diff.title} text={preview.diff.text} /> : null}
      {preview.sql.length > 0 ? (
        <details className="mt-3" open={preview.sql.join('').length < 1500}>
          <summary className="cursor-pointer text-sm font-medium text-slate-700">
            SQL ({preview.sql.length} {preview.sql.length === 1 ? 'statement' : 'statements'})
          </summary>
          {preview.sql.map((statement) => (
            <pre
              key={statement}
              className="mt-2 overflow-x-auto rounded bg-slate-900 p-3 font-mono text-xs leading-relaxed text-slate-100"
            >
              {statement}
            </pre>
          ))}
        </details>
      ) : null}
    </Panel>
  );
}
