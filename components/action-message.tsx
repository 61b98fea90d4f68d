/** Why an action was refused or failed, in the server's words. */
export function ActionMessage({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p role="status" className="mt-3 rounded bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="action-message">
      {message}
    </p>
  );
}
