import type { ReactNode } from 'react';

/** A white bordered box with its heading, named for assistive technology by `label` (the heading by default). */
export function Panel({ label, heading, children }: { label: string; heading?: ReactNode; children: ReactNode }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4" aria-label={label}>
      <h2 className="font-semibold">{heading ?? label}</h2>
      {children}
    </section>
  );
}
