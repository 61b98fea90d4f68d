import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { QueryProvider } from '@/components/query-provider';
import './globals.css';

export const metadata: Metadata = {
  title: { template: '%s — dxy-cutover', default: 'dxy-cutover' },
  description: 'Console for moving DXY 1m bars from derived_data_bars to data_bars',
  icons: {
    icon: [
      { url: '/favicon.ico', sizes: '32x32' },
      { url: '/icon.svg', type: 'image/svg+xml' },
    ],
    apple: '/apple-touch-icon.png',
  },
};

// Rendered per request, every page: the CSP nonce (proxy.ts) is per response, and a page
// prerendered at build time (Next's not-found and error pages) would carry none, so its scripts
// would be refused (docs/architecture.md "Security").
export const dynamic = 'force-dynamic';

// Phones: the console is read on call at 3 a.m.; the layout is made for 390 px and up.
export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#0f172a' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <QueryProvider>{children}</QueryProvider>
      </body>
    </html>
  );
}
