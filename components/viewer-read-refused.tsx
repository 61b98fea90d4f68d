/**
 * A page whose read was refused (lib/db/read-refusal.ts: the readers were busy, or the read ran past
 * the read pool's statement timeout) shows why in place of its data; nothing ran on for it.
 */
export function ViewerReadRefused({ title, message }: { title?: string; message: string }) {
  return (
    <div className="space-y-2">
      {title ? <h1 className="text-2xl font-semibold">{title}</h1> : null}
      <p
        role="alert"
        className="rounded bg-amber-50 px-3 py-2 text-sm text-amber-900"
        data-testid="viewer-read-refused"
      >
        {message}
      </p>
    </div>
  );
}
