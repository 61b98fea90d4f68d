import Link from 'next/link';
import { signOutAction } from '@/app/login/actions';
import type { Role } from '@/lib/auth/roles';

const LINKS = [
  { href: '/', label: 'Overview' },
  { href: '/phases/1', label: 'Phases' },
  { href: '/monitor', label: 'Monitor' },
  { href: '/compare', label: 'Compare' },
  { href: '/rollback', label: 'Rollback' },
  { href: '/approvals', label: 'Approvals' },
  { href: '/audit', label: 'Audit' },
];

export function NavBar({ username, roles }: { username: string; roles: Role[] }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-7xl items-center gap-6 px-6 py-3">
        <span className="font-semibold">dxy-cutover</span>
        <nav className="flex gap-4 text-sm">
          {LINKS.map((link) => (
            <Link key={link.href} href={link.href} className="text-slate-600 hover:text-slate-900">
              {link.label}
            </Link>
          ))}
        </nav>
        <div className="ml-auto flex items-center gap-3 text-sm">
          <span data-testid="signed-in-user">
            <span className="font-medium">{username}</span> <span className="text-slate-500">({roles.join(', ')})</span>
          </span>
          <form action={signOutAction}>
            <button type="submit" className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-100">
              Sign out
            </button>
          </form>
        </div>
      </div>
    </header>
  );
}
