/**
 * Which address a request comes from. `X-Forwarded-For` is believed only when the
 * operator says which proxies to trust (TRUST_PROXY, docs/operations.md); without it
 * the address is the TCP peer's. Trusting loopback by default let anything on the
 * machine (or a proxy that passes the header through) pick the address the sign-in
 * limits count against.
 */
import type { Express, Request } from 'express';

/** Express's `trust proxy` setting: false (trust none), a hop count, or addresses/subnets. */
export type TrustProxy = false | number | string;

/**
 * TRUST_PROXY as written: unset or empty → trust no proxy; a whole number → that many
 * hops; otherwise Express's list of addresses, subnets or names (`loopback`,
 * `10.0.0.0/8, 192.168.1.5`). `true` (trust every hop) is refused: it would let any
 * client choose its address.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const v = (value ?? '').trim();
  if (!v || v === 'false' || v === '0') return false;
  if (/^\d+$/.test(v)) return Number(v);
  if (v === 'true') throw new Error('TRUST_PROXY=true would trust any client: give a hop count or addresses');
  return v;
}

export function applyTrustProxy(app: Express, setting: TrustProxy) {
  app.set('trust proxy', setting);
}

export function clientIpOf(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? '';
}
