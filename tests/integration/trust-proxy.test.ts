/**
 * Issue 17 (lows): the address the sign-in limits count against comes from
 * X-Forwarded-For only when TRUST_PROXY names the proxy; by default, even from
 * loopback, the header is ignored. Real HTTP through Express, set up as server.ts does.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { applyTrustProxy, clientIpOf, parseTrustProxy } from '~/utils/client-ip.server';
import { parseEnv } from '~/utils/env.server';

const servers: Array<{ close(): void }> = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

/** The address the app would see, for a request from 127.0.0.1 carrying X-Forwarded-For. */
async function seenAddress(env: Record<string, string>, forwardedFor?: string): Promise<string> {
  const app = express();
  applyTrustProxy(app, parseEnv({ NODE_ENV: 'test', ...env }).TRUST_PROXY);
  app.get('/', (req, res) => {
    res.send(clientIpOf(req));
  });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  const res = await fetch(`http://127.0.0.1:${port}/`, {
    headers: forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {},
  });
  return res.text();
}

describe('TRUST_PROXY', () => {
  it('ignores X-Forwarded-For when TRUST_PROXY is not set, even from loopback', async () => {
    expect(await seenAddress({}, '198.51.100.23')).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    expect(await seenAddress({ TRUST_PROXY: '' }, '198.51.100.23')).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  it('believes X-Forwarded-For from the proxies TRUST_PROXY names', async () => {
    expect(await seenAddress({ TRUST_PROXY: 'loopback' }, '198.51.100.23')).toBe('198.51.100.23');
    expect(await seenAddress({ TRUST_PROXY: '1' }, '203.0.113.9, 198.51.100.23')).toBe('198.51.100.23');
    // A proxy that is not the one named: the header is not believed.
    expect(await seenAddress({ TRUST_PROXY: '10.0.0.0/8' }, '198.51.100.23')).toMatch(/127\.0\.0\.1$/);
  });

  it('parses the setting and refuses to trust every hop', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('0')).toBe(false);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('loopback, 10.0.0.0/8')).toBe('loopback, 10.0.0.0/8');
    expect(() => parseEnv({ NODE_ENV: 'test', TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
  });
});
