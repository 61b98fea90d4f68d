import type { Metadata } from 'next';
import { notFound } from 'next/navigation';

// A segment's not-found.tsx metadata is not applied to the page that calls notFound(): say it here.
export const metadata: Metadata = { title: 'Not found' };

/** Any other URL: the console's own not-found page, with its nav, rather than Next's bare one. */
export default function Missing(): never {
  notFound();
}
