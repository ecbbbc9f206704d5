/**
 * One-click unsubscribe tokens (RFC 8058 links in every mail): `<userId>.<kinds>.<signature>`,
 * where kinds are the notification kinds the link stops mailing, joined by `+`, and the
 * signature is an HMAC-SHA256 of both with the session secret. Nothing is stored: the link
 * works without signing in, and only someone holding the mail (or the secret) can make one.
 * It does not expire: an old mail's link must still work (RFC 8058 asks for that).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isObjectId } from '../ids';
import { isNotificationKind, type NotificationKind } from './kinds';

export interface UnsubscribeClaim {
  userId: string;
  kinds: NotificationKind[];
}

function signature(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(`unsubscribe:${payload}`).digest('base64url');
}

export function signUnsubscribe(claim: UnsubscribeClaim, secret: string): string {
  const kinds = [...new Set(claim.kinds)].sort();
  if (!kinds.length) throw new Error('an unsubscribe token names at least one kind');
  const payload = `${claim.userId}.${kinds.join('+')}`;
  return `${payload}.${signature(secret, payload)}`;
}

/** The claim of a genuine token, or null for anything else (bad shape, kind or signature). */
export function verifyUnsubscribe(token: string, secret: string): UnsubscribeClaim | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [userId, kindList, given] = parts;
  if (!isObjectId(userId)) return null;
  const kinds = kindList.split('+');
  if (!kinds.length || !kinds.every(isNotificationKind)) return null;
  const expected = Buffer.from(signature(secret, `${userId}.${kindList}`));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
  return { userId, kinds };
}
