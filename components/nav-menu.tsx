'use client';

import { type ReactNode, useState } from 'react';

/**
 * The nav's links and the signed-in user: a row from 768 px, a menu behind one button below that,
 * so that a phone shows the page and not a nav running off its edge. A followed link closes it.
 */
export function NavMenu({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className="ml-auto rounded border border-slate-300 px-3 py-1 text-sm md:hidden"
        aria-expanded={open}
        aria-controls="console-menu"
        onClick={() => setOpen((value) => !value)}
      >
        {open ? 'Close menu' : 'Menu'}
      </button>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the click only closes the menu after a link inside was followed */}
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: links are followed by keyboard too, and the click that follows closes it */}
      <div
        id="console-menu"
        className={`${open ? 'flex' : 'hidden'} w-full flex-col gap-3 border-t border-slate-200 pt-3 md:flex md:w-auto md:flex-1 md:flex-row md:items-center md:gap-6 md:border-0 md:pt-0`}
        onClick={(event) => {
          if (event.target instanceof Element && event.target.closest('a')) setOpen(false);
        }}
      >
        {children}
      </div>
    </>
  );
}
