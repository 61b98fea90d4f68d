import { describe, expect, it } from 'vitest';
import { servedOverHttps } from './public-url';

describe('servedOverHttps', () => {
  it('follows CUTOVER_PUBLIC_URL only', () => {
    expect(servedOverHttps({ CUTOVER_PUBLIC_URL: 'https://cutover.example.com' })).toBe(true);
    expect(servedOverHttps({ CUTOVER_PUBLIC_URL: 'HTTPS://cutover.example.com' })).toBe(true);
    expect(servedOverHttps({ CUTOVER_PUBLIC_URL: 'http://cutover.example.com' })).toBe(false);
    expect(servedOverHttps({})).toBe(false);
  });

  it('refuses a value that is not an http(s) URL', () => {
    expect(() => servedOverHttps({ CUTOVER_PUBLIC_URL: 'ftp://cutover.example.com' })).toThrow(/CUTOVER_PUBLIC_URL/);
  });
});
