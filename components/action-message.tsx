import type { ActionFeedback } from '@/lib/client/action-feedback';

/** What became of an action: its refusal or failure in the server's words, or a confirmation. */
export function ActionMessage({ message }: { message: ActionFeedback | null }) {
  if (!message) return null;
  return (
    <p
      role="status"
      className={`mt-3 rounded px-3 py-2 text-sm ${message.tone === 'ok' ? 'bg-emerald-50 text-emerald-900' : 'bg-red-50 text-red-800'}`}
      data-testid="action-message"
    >
      {message.text}
    </p>
  );
}
