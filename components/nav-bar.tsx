import Link from 'next/link';
import type { Role } from '@/lib/auth/roles';
import { signOutAction } from '@/lib/server-actions/sign-in';
import { NavLinks } from './nav-links';
import { NavMenu } from './nav-menu';

export function NavBar({ username, roles }: { username: string; roles: Role[] }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-3 py-3 sm:px-6">
        <Link href="/" className="flex items-center gap-2 font-semibold">
          {/* biome-ignore lint/performance/noImgElement: a 20 px static SVG needs no image optimisation */}
          <img src="/icon.svg" alt="" width={20} height={20} />
          dxy-cutover
        </Link>
        <NavMenu>
          <NavLinks isAdmin={roles.includes('admin')} />
          <div className="flex items-center gap-3 text-sm md:ml-auto">
            <span data-testid="signed-in-user">
              <span className="font-medium">{username}</span>{' '}
              <span className="text-slate-500">({roles.join(', ')})</span>
            </span>
            <form action={signOutAction}>
              <button type="submit" className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-100">
                Sign out
              </button>
            </form>
          </div>
        </NavMenu>
      </div>
    </header>
  );
}
