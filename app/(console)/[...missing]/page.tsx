import { notFound } from 'next/navigation';

/** Any other URL: the console's own not-found page, with its nav, rather than Next's bare one. */
export default function Missing(): never {
  notFound();
}
