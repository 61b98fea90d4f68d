/**
 * Whether people reach the console over https, decided by CUTOVER_PUBLIC_URL alone
 * (docs/architecture.md "Security"). Never by the Host header or X-Forwarded-Proto: those come
 * from the client (or whatever proxy is in front), and a cookie's `Secure` flag or HSTS must not
 * be switched off by a crafted request.
 */
import { readSetting } from '../settings';

export function servedOverHttps(env: Record<string, string | undefined> = process.env): boolean {
  const url = readSetting('CUTOVER_PUBLIC_URL', env);
  return url !== undefined && new URL(url).protocol === 'https:';
}
