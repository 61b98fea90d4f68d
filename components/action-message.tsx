import type { ActionFeedback } from '@/lib/client/action-feedback';

/**
 * What became of an action: its refusal or failure in the server's words, or a confirmation. With
 * `testId` or `className` it stands in a wrapper that carries them: a page with several messages
 * tells them apart by the wrapper, and every message keeps its own `action-message` test id.
 */
export function ActionMessage({
  message,
  testId,
  className,
}: {
  message: ActionFeedback | null;
  testId?: string;
  className?: string;
}) {
  if (!message) return null;
  const text = (
    <p
      role="status"
      className={`mt-3 rounded px-3 py-2 text-sm ${message.tone === 'ok' ? 'bg-emerald-50 text-emerald-900' : 'bg-red-50 text-red-800'}`}
      data-testid="action-message"
    >
      {message.text}
    </p>
  );
  return testId || className ? (
    <div data-testid={testId} className={className}>
      {text}
    </div>
  ) : (
    text
  );
}
