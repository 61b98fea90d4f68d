import type { Preview } from '@/lib/runbook/engine/types';
import { FunctionDiff } from './function-diff';
import { Panel } from './panel';

interface ShownStatement {
  stage: string | null;
  stageTitle?: string;
  text: string;
  parameters: readonly string[];
}

/** The statements with their stage and parameters where the phase planned them, else the bare texts. */
function shownStatements(preview: Preview): ShownStatement[] {
  if (preview.statements) return preview.statements.map((s) => ({ ...s }));
  return preview.sql.map((text) => ({ stage: null, text, parameters: [] }));
}

/**
 * What a phase will do, before it does it: steps in words, numbers, where it stops being undoable,
 * and the exact statements it writes with — the only texts the runner will execute
 * (docs/phases.md "Statements and stages").
 */
export function SqlPreview({ preview, title }: { preview: Preview; title: string }) {
  const estimates = Object.entries(preview.estimates);
  const statements = shownStatements(preview);
  return (
    <Panel label={title}>
      <ol className="mt-2 list-decimal space-y-0.5 pl-5 text-sm text-slate-800">
        {preview.summary.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ol>
      {preview.pointOfNoReturn ? (
        <p className="mt-3 rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          <span className="font-semibold">Point of no return: </span>
          {preview.pointOfNoReturn}
        </p>
      ) : null}
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
      {statements.length > 0 ? (
        <details className="mt-3" open={preview.sql.join('').length < 1500}>
          <summary className="cursor-pointer text-sm font-medium text-slate-700">
            SQL (
            {statements.length === 1
              ? '1 statement, the only one it will run'
              : `${statements.length} statements, the only ones it will run`}
            )
          </summary>
          {statements.map((statement, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the position is the statement's number in the approved list, never reordered
            <div key={index} className="mt-2">
              {statement.stage ? (
                <div className="text-xs font-medium text-slate-500">
                  {index + 1}. {statement.stageTitle ?? statement.stage}
                </div>
              ) : null}
              <pre className="mt-1 overflow-x-auto rounded bg-slate-900 p-3 font-mono text-xs leading-relaxed text-slate-100">
                {statement.text}
              </pre>
              {statement.parameters.length > 0 ? (
                <ul className="mt-1 space-y-0.5 text-xs text-slate-600">
                  {statement.parameters.map((parameter, n) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: the position is the parameter's $n
                    <li key={n}>
                      <span className="font-mono">${n + 1}</span> = {parameter}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          ))}
        </details>
      ) : (
        <p className="mt-3 text-sm text-slate-600">It writes nothing: no statement to run.</p>
      )}
    </Panel>
  );
}
