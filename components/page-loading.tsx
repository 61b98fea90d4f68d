/**
 * Shown inside the console's layout while a slow page's server render waits for the database.
 * Each slow route's loading.tsx uses it; there is none at the layout's root, because a loading
 * boundary above every page makes Next send 200 before a page can answer "not found" (404).
 */
export function PageLoading() {
  return (
    <div role="status" aria-live="polite" className="space-y-3" data-testid="page-loading">
      <p className="text-sm text-slate-600">Loading…</p>
      <div className="h-8 w-1/3 animate-pulse rounded bg-slate-200" />
      <div className="h-32 animate-pulse rounded-lg bg-slate-200" />
    </div>
  );
}
