/** A unified diff of a function definition (phase 5's aggregator): removed lines red, added green. */
export function FunctionDiff({ title, text }: { title: string; text: string }) {
  const lines = text.split('\n');
  return (
    <details className="mt-3" open>
      <summary className="cursor-pointer text-sm font-medium text-slate-700">{title}</summary>
      {text === '' ? (
        <p className="mt-2 text-sm text-slate-600">No difference.</p>
      ) : (
        <pre className="mt-2 overflow-x-auto rounded bg-slate-900 p-3 font-mono text-xs leading-relaxed text-slate-100">
          {lines.map((line, index) => (
            <span
              // Lines repeat (blank context lines): the position is their identity.
              // biome-ignore lint/suspicious/noArrayIndexKey: a diff's lines have no other key
              key={index}
              className={
                line.startsWith('-') && !line.startsWith('---')
                  ? 'block bg-red-950 text-red-200'
                  : line.startsWith('+') && !line.startsWith('+++')
                    ? 'block bg-emerald-950 text-emerald-200'
                    : line.startsWith('@@')
                      ? 'block text-sky-300'
                      : 'block'
              }
            >
              {line || ' '}
            </span>
          ))}
        </pre>
      )}
    </details>
  );
}
