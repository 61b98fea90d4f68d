'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS = [
  { href: '/', label: 'Overview', section: '/' },
  // The dry run before the night: phase 1 needs its GO (docs/phases.md "Validate — before the night").
  { href: '/validate', label: 'Validate', section: '/validate' },
  { href: '/phases/1', label: 'Phases', section: '/phases' },
  { href: '/monitor', label: 'Monitor', section: '/monitor' },
  { href: '/compare', label: 'Compare', section: '/compare' },
  { href: '/reconcile', label: 'Reconcile', section: '/reconcile' },
  { href: '/rollback', label: 'Rollback', section: '/rollback' },
  { href: '/approvals', label: 'Approvals', section: '/approvals' },
  { href: '/audit', label: 'Audit', section: '/audit' },
  { href: '/tokens', label: 'Tokens', section: '/tokens' },
  // Only admins manage users; anyone else opening /users is told so.
  { href: '/users', label: 'Users', section: '/users', adminOnly: true },
];

function isCurrent(pathname: string, section: string): boolean {
  return section === '/' ? pathname === '/' : pathname === section || pathname.startsWith(`${section}/`);
}

/** The console's sections; the one being shown is marked for the eye and for screen readers (aria-current). */
export function NavLinks({ isAdmin = false }: { isAdmin?: boolean }) {
  const pathname = usePathname() ?? '';
  return (
    <nav aria-label="Console" className="flex flex-col gap-1 text-sm md:flex-row md:gap-4">
      {LINKS.filter((link) => isAdmin || !('adminOnly' in link)).map((link) => {
        const current = isCurrent(pathname, link.section);
        return (
          <Link
            key={link.href}
            href={link.href}
            aria-current={current ? 'page' : undefined}
            className={
              current
                ? 'rounded bg-slate-100 px-2 py-1 font-semibold text-slate-900 md:bg-transparent md:px-0 md:underline md:decoration-2 md:underline-offset-8'
                : 'rounded px-2 py-1 text-slate-600 hover:text-slate-900 md:px-0'
            }
          >
            {link.label}
          </Link>
        );
      })}
    </nav>
  );
}
