export function MissingTablesBanner({ missing }: { missing: string[] }) {
  if (missing.length === 0) return null;
  return (
    <div role="alert" className="rounded border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900">
      <p className="font-semibold">This database lacks pipeline tables the migration needs: {missing.join(', ')}.</p>
      <p className="mt-1">
        Check that DATABASE_URL points at the market-data database. The console never creates these tables outside a
        rehearsal world; run <code className="font-mono">npm run rehearsal:reset</code> to build one in an empty
        database.
      </p>
    </div>
  );
}
