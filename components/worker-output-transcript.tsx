/**
 * A worker command's redacted command line and output under its log line. The server attaches the
 * text (`data.output.runnerLog`) for admins only (lib/runbook/worker-control/reveal-worker-output.ts);
 * for everyone else there is nothing here to render.
 */
interface Transcript {
  command: string;
  stdout: string;
  stderr: string;
}

function transcriptOf(data: Record<string, unknown>): Transcript | string | null {
  const output = data.output;
  if (!output || typeof output !== 'object' || !('runnerLog' in output)) return null;
  const log = output.runnerLog;
  if (typeof log === 'string') return log;
  if (log && typeof log === 'object' && 'command' in log && 'stdout' in log && 'stderr' in log)
    return { command: String(log.command), stdout: String(log.stdout), stderr: String(log.stderr) };
  return null;
}

export function WorkerOutputTranscript({ data }: { data: Record<string, unknown> }) {
  const transcript = transcriptOf(data);
  if (transcript === null) return null;
  return (
    <details className="ml-4 mt-0.5" data-testid="worker-output">
      <summary className="cursor-pointer text-slate-500">command line and output (admins; redacted)</summary>
      {typeof transcript === 'string' ? (
        <p className="text-slate-600">{transcript}</p>
      ) : (
        <pre className="whitespace-pre-wrap rounded bg-slate-50 p-2 text-slate-800">
          {`$ ${transcript.command}\n${transcript.stdout}${transcript.stderr ? `\n[stderr]\n${transcript.stderr}` : ''}`}
        </pre>
      )}
    </details>
  );
}
