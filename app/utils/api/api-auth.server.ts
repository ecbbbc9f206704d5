/**
 * Bearer tokens of the JSON API: creating, listing and revoking them (admin page
 * `/admin/tokens`), and `requireApiToken`, the first line of every `/api/v1/` loader.
 *
 * The secret is 32 random bytes (base64url, 43 characters) shown once; the database
 * holds only its SHA-256. A fast hash is enough here, unlike passwords: the secret
 * has 256 bits of entropy, so there is nothing to guess from a leaked hash, and a
 * lookup by hash on every request must stay cheap (docs/decisions/012-json-api.md).
 *
 * Rate limit: a fixed one-minute window per token, in memory (the sign-in limits in
 * rate-limit.server.ts are kept in MongoDB and keyed by account and address, so they do
 * not fit): one process serves the app; several would need a shared store.
 */
import { createHash, randomBytes } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import { ApiToken } from '../../../models/api-token';
import { Unit } from '../../../models/unit';
import { User } from '../../../models/user';
import { DAY_MS, VN_OFFSET_MS, vietnamDay } from '~/domain/calendar';
import { compareVietnamese } from '~/domain/text';
import { apiError, apiResponse } from './api-responses.server';
import { appendAudit } from '../audit/audit.server';
import type { AuthUser } from '../auth/auth.server';
import { inTransaction } from '../transaction.server';

/** Requests per token per window. Mutable so tests can lower it. */
export const API_RATE_LIMIT = { limit: 120, windowMs: 60_000 };
/** lastUsedAt is written at most this often per token (one write a minute, not one per request). */
const LAST_USED_EVERY_MS = 60_000;
/** Units a token may be scoped to. Members' `ancestors` hold these kinds. */
export const TOKEN_SCOPE_KINDS = ['province', 'school', 'faculty'] as const;

export interface ApiPrincipal {
  id: Types.ObjectId;
  name: string;
  unitId: Types.ObjectId;
}

export const hashSecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

// The header's shape: the Bearer scheme and one credential. Only a header that is not
// this shape is "malformed"; a credential of the wrong length or alphabet is simply not
// one of our tokens, and answers "invalid" like any other unknown token.
const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;
// 43 base64url characters for our own secrets; a little slack, never unbounded input to hash.
const SECRET = /^[A-Za-z0-9_-]{16,128}$/;

const INVALID_TOKEN = 'Invalid, revoked or expired token.';

function unauthorized(message: string): Response {
  return apiError(401, 'unauthorized', message, { headers: { 'WWW-Authenticate': 'Bearer realm="api"' } });
}

const windows = new Map<string, { start: number; count: number }>();

/** Seconds to wait, or 0 when this request is within the token's budget (and counted). */
function rateLimitRetryAfter(key: string, now: number): number {
  const { limit, windowMs } = API_RATE_LIMIT;
  let w = windows.get(key);
  if (!w || now - w.start >= windowMs) {
    w = { start: now, count: 0 };
    windows.set(key, w);
  }
  if (w.count >= limit) return Math.max(1, Math.ceil((w.start + windowMs - now) / 1000));
  w.count++;
  // One entry per token that was used in the last window: bounded by the number of tokens.
  if (windows.size > 10_000) {
    for (const [k, v] of windows) if (now - v.start >= windowMs) windows.delete(k);
  }
  return 0;
}

/** For tests. */
export function resetApiRateLimit() {
  windows.clear();
}

/**
 * The token behind `Authorization: Bearer <secret>`, or a thrown JSON 401
 * (missing, malformed, unknown, revoked, expired) or 429 (over the rate limit).
 */
export async function requireApiToken(request: Request, now = new Date()): Promise<ApiPrincipal> {
  const header = request.headers.get('Authorization');
  if (!header) throw unauthorized('Missing bearer token: send "Authorization: Bearer <token>".');
  const match = BEARER.exec(header);
  if (!match) throw unauthorized('Malformed Authorization header: expected "Bearer <token>".');
  if (!SECRET.test(match[1])) throw unauthorized(INVALID_TOKEN);
  const token = await ApiToken.findOne({ hash: hashSecret(match[1]) })
    .select({ name: 1, unitId: 1, revokedAt: 1, expiresAt: 1, lastUsedAt: 1 })
    .lean();
  // One message for every failure: a caller learns nothing about which tokens exist.
  if (!token || token.revokedAt || (token.expiresAt && token.expiresAt <= now)) {
    throw unauthorized(INVALID_TOKEN);
  }
  const retryAfter = rateLimitRetryAfter(String(token._id), now.getTime());
  if (retryAfter > 0) {
    throw apiError(
      429,
      'rate_limited',
      `Too many requests: at most ${API_RATE_LIMIT.limit} per ${API_RATE_LIMIT.windowMs / 1000} s per token.`,
      { headers: { 'Retry-After': String(retryAfter) } },
    );
  }
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() >= LAST_USED_EVERY_MS) {
    await ApiToken.updateOne({ _id: token._id }, { $set: { lastUsedAt: now } });
  }
  return { id: token._id, name: token.name, unitId: token.unitId };
}

/** A `/api/v1/` loader body behind the token check, with every failure as JSON. */
export function withApiToken(request: Request, run: (token: ApiPrincipal) => Promise<Response>) {
  return apiResponse(async () => run(await requireApiToken(request)));
}

// ---------------------------------------------------------------- admin page

export type TokenStatus = 'active' | 'revoked' | 'expired';

export interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  unit: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** Last day (Vietnam) the token works, YYYY-MM-DD, or null for no expiry. */
  validThrough: string | null;
  revokedAt: string | null;
  status: TokenStatus;
}

/** Today's date in Vietnam, YYYY-MM-DD. */
export function vietnamToday(now = new Date()): string {
  return vietnamDay(now);
}

/** A token "valid through" `day` stops working at the next midnight in Vietnam. */
export function expiryOf(day: string): Date {
  return new Date(new Date(`${day}T00:00:00Z`).getTime() + DAY_MS - VN_OFFSET_MS);
}

const validThroughOf = (expiresAt: Date) => vietnamToday(new Date(expiresAt.getTime() - 1));

/** Every token, newest first, with unit and creator names (a few dozen at most). */
export async function listApiTokens(now = new Date()): Promise<TokenRow[]> {
  const tokens = await ApiToken.find({})
    .select({ hash: 0 })
    .sort({ createdAt: -1, _id: -1 })
    .limit(500)
    .lean();
  const unitIds = [...new Set(tokens.map((t) => String(t.unitId)))].map((id) => new Types.ObjectId(id));
  const userIds = [...new Set(tokens.flatMap((t) => (t.createdBy ? [String(t.createdBy)] : [])))].map(
    (id) => new Types.ObjectId(id),
  );
  const [units, users] = await Promise.all([
    Unit.find({ _id: mongoose.trusted({ $in: unitIds }) })
      .select({ name: 1 })
      .lean(),
    User.find({ _id: mongoose.trusted({ $in: userIds }) })
      .select({ name: 1 })
      .lean(),
  ]);
  const unitName = new Map(units.map((u) => [String(u._id), u.name]));
  const userName = new Map(users.map((u) => [String(u._id), u.name]));
  return tokens.map((t) => ({
    id: String(t._id),
    name: t.name,
    prefix: t.prefix,
    unit: unitName.get(String(t.unitId)) ?? '',
    createdBy: t.createdBy ? (userName.get(String(t.createdBy)) ?? '') : '',
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt ? t.lastUsedAt.toISOString() : null,
    validThrough: t.expiresAt ? validThroughOf(t.expiresAt) : null,
    revokedAt: t.revokedAt ? t.revokedAt.toISOString() : null,
    status: t.revokedAt ? 'revoked' : t.expiresAt && t.expiresAt <= now ? 'expired' : 'active',
  }));
}

export interface ScopeUnitOption {
  id: string;
  label: string;
}

/** Active units a token may be scoped to: the province first, then schools and faculties by name. */
export async function tokenScopeOptions(): Promise<ScopeUnitOption[]> {
  const units = await Unit.find({ kind: mongoose.trusted({ $in: [...TOKEN_SCOPE_KINDS] }), active: true })
    .select({ name: 1, code: 1, kind: 1 })
    .lean();
  const rank = (kind: string) => TOKEN_SCOPE_KINDS.indexOf(kind as (typeof TOKEN_SCOPE_KINDS)[number]);
  return units
    .sort((a, b) => rank(a.kind) - rank(b.kind) || compareVietnamese(a.name, b.name))
    .map((u) => ({ id: String(u._id), label: `${u.name} (${u.code})` }));
}

/** Null when the unit may not scope a token (unknown, inactive or the wrong kind). */
export async function scopeUnitOf(id: string) {
  return Unit.findOne({
    _id: new Types.ObjectId(id),
    kind: mongoose.trusted({ $in: [...TOKEN_SCOPE_KINDS] }),
    active: true,
  })
    .select({ name: 1 })
    .lean();
}

/**
 * Creates a token and returns its secret, the only time it exists outside the
 * caller's hands. The audit event names the token, never the secret or its hash.
 */
export async function createApiToken(
  user: Pick<AuthUser, 'id'>,
  input: { name: string; unitId: string; expiresOn?: string | null },
): Promise<{ id: string; secret: string; prefix: string }> {
  await ApiToken.init();
  const secret = randomBytes(32).toString('base64url');
  const prefix = secret.slice(0, 8);
  const _id = new Types.ObjectId();
  const unitId = new Types.ObjectId(input.unitId);
  // The grant and its event commit together (decision 018): no token can work without a
  // trace of who made it, and no event names a token that was never made.
  const created = await inTransaction(async () => {
    const token = await ApiToken.create({
      _id,
      name: input.name,
      unitId,
      prefix,
      hash: hashSecret(secret),
      createdBy: new Types.ObjectId(user.id),
      expiresAt: input.expiresOn ? expiryOf(input.expiresOn) : null,
    });
    await appendAudit({
      actorId: user.id,
      action: 'apitoken.create',
      entity: 'ApiToken',
      entityId: _id,
      unitId,
      details: {
        after: { name: input.name, prefix, unitId: input.unitId, validThrough: input.expiresOn ?? null },
      },
    });
    return token;
  });
  return { id: String(created._id), secret, prefix };
}

/** Revokes a token (idempotent); false when there is no such token. */
export async function revokeApiToken(user: Pick<AuthUser, 'id'>, id: string, now = new Date()) {
  // The revocation and its event commit together: a revoked grant always says who and when.
  const before = await inTransaction(async () => {
    const found = await ApiToken.findOneAndUpdate(
      { _id: new Types.ObjectId(id), revokedAt: null },
      { $set: { revokedAt: now, revokedBy: new Types.ObjectId(user.id) } },
      { returnDocument: 'before' },
    )
      .select({ name: 1, prefix: 1, unitId: 1 })
      .lean();
    if (found) {
      await appendAudit({
        actorId: user.id,
        action: 'apitoken.revoke',
        entity: 'ApiToken',
        entityId: found._id,
        unitId: found.unitId,
        details: { name: found.name, prefix: found.prefix },
      });
    }
    return found;
  });
  if (!before) return (await ApiToken.exists({ _id: new Types.ObjectId(id) })) !== null;
  // The rate-limit window goes too, so memory follows the grants.
  windows.delete(String(before._id));
  return true;
}
