import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import mongoose, { type Types } from 'mongoose';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiToken } from '../../models/api-token.ts';
import { AuditEvent } from '../../models/audit-event.ts';
import { GENDERS } from '~/domain/member-vocabulary';
import { Member } from '../../models/member.ts';
import { UNIT_KINDS, Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { consentWithdrawn } from '~/domain/consent';
import { ALL_STAGES } from '~/domain/stages';
import { searchKey } from '~/domain/text';
import { action as tokensAction, loader as tokensLoader } from '~/routes/admin.tokens';
import { action as memberAction, loader as memberLoader } from '~/routes/api.v1.members.$id';
import { loader as membersLoader } from '~/routes/api.v1.members';
import { loader as openApiLoader } from '~/routes/api.v1.openapi[.]json';
import { loader as statsLoader } from '~/routes/api.v1.stats';
import { loader as unitLoader } from '~/routes/api.v1.units.$id';
import { action as unitsAction, loader as unitsLoader } from '~/routes/api.v1.units';
import { API_RATE_LIMIT, resetApiRateLimit } from '~/utils/api/api-auth.server';
import { API_GENDERS, API_PATHS, API_UNIT_KINDS } from '~/utils/api/api-openapi';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { todayAsStoredDay } from '~/utils/pipeline/pipeline-board.server';
import { signIn } from '../fixtures/auth.ts';
import { withRefusedAuditEvent } from '../fixtures/refuse-audit.ts';
import { BASE, call, get, post, type RouteResult } from '../fixtures/remix.ts';

type Loader = Parameters<typeof call>[0];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let admin: string;
let province: { _id: Types.ObjectId };
let pvd: { _id: Types.ObjectId };
let other: { _id: Types.ObjectId };
let provinceSecret: string;
let pvdSecret: string;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function createToken(fields: Record<string, string>, cookie = admin) {
  return call(tokensAction, post('/admin/tokens', { intent: 'create', ...fields }, cookie));
}

async function newSecret(name: string, unitId: Types.ObjectId, expiresOn = ''): Promise<string> {
  const res = await createToken({ name, unitId: String(unitId), expiresOn });
  expect(res).toHaveStatus(200);
  return res.data.created.secret as string;
}

function apiGet(loader: Loader, path: string, secret?: string | null, params: Record<string, string> = {}) {
  const headers: Record<string, string> = secret ? { Authorization: `Bearer ${secret}` } : {};
  return call<Json>(loader, new Request(BASE + path, { headers }), params);
}

/**
 * Every page of /api/v1/members through the cursor: the members served, and those left
 * out because their consent is withdrawn (the seed withdraws about 2 %).
 */
async function allPages(secret: string, query = '', size = 50) {
  const rows: Json[] = [];
  const withheld: Json[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const sep = query ? '&' : '';
    const res: RouteResult<Json> = await apiGet(
      membersLoader,
      `/api/v1/members?${query}${sep}size=${size}${cursor ? `&cursor=${cursor}` : ''}`,
      secret,
    );
    expect(res).toHaveStatus(200);
    expect(res.data.data.length + res.data.withheld.length).toBeLessThanOrEqual(size);
    rows.push(...res.data.data);
    withheld.push(...res.data.withheld);
    cursor = res.data.page.next;
    if (!cursor) return { rows, withheld };
  }
  throw new Error('paging did not end');
}

async function allMembers(secret: string, query = '', size = 50) {
  return (await allPages(secret, query, size)).rows;
}

/** Ids of the members matching `filter` whose consent is withdrawn, by the pure rule. */
async function pausedIds(filter: Record<string, unknown> = {}): Promise<string[]> {
  const members = await Member.find(filter).select({ consent: 1 }).sort({ _id: 1 }).lean();
  return members.filter((m) => consentWithdrawn(m.consent)).map((m) => String(m._id));
}

/** Members matching `filter` the API serves: all but the paused ones. */
async function served(filter: Record<string, unknown> = {}): Promise<number> {
  return (await Member.countDocuments(filter)) - (await pausedIds(filter)).length;
}

/** A member the API serves (consent not withdrawn). */
const servedFilter = { 'consent.withdrawnAt': null };

function keysDeep(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keysDeep(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.add(k);
      keysDeep(v, out);
    }
  }
  return out;
}

beforeAll(async () => {
  await seedDatabase({ members: 300, seed: 1, reset: true });
  await ApiToken.deleteMany({});
  admin = await signIn('admin@demo.vn');
  province = (await Unit.findOne({ kind: 'province', active: true }).lean())!;
  pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  // Another school that has members.
  const schoolIds = (await Member.distinct('schoolId')) as Types.ObjectId[];
  other = { _id: schoolIds.find((id) => String(id) !== String(pvd._id))! };
  // Sensitive values present in the data, so their absence from responses means something.
  await Member.collection.updateMany(
    {},
    { $set: { ethnicity: 'Kinh', religion: 'Không', citizenId: '051204000123', phone: '0905123456' } },
  );
  provinceSecret = await newSecret('Sở GD&ĐT', province._id);
  pvdSecret = await newSecret('Hệ thống ĐH Phạm Văn Đồng', pvd._id);
});

afterEach(() => {
  API_RATE_LIMIT.limit = 120;
  resetApiRateLimit();
});

describe('token administration', () => {
  it('shows the secret once and stores only its SHA-256 and prefix', async () => {
    const res = await createToken({ name: 'Báo cáo tỉnh', unitId: String(province._id) });
    expect(res).toHaveStatus(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const { secret, prefix } = res.data.created;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(prefix).toBe(secret.slice(0, 8));
    const stored = (await ApiToken.findOne({ name: 'Báo cáo tỉnh' }).lean())!;
    expect(stored.hash).toBe(sha256(secret));
    expect(stored.prefix).toBe(prefix);
    expect(JSON.stringify(stored)).not.toContain(secret);
    // The list shows the prefix, never the secret or the hash.
    const list = await call(tokensLoader, get('/admin/tokens', admin));
    const text = JSON.stringify(list.data);
    expect(text).toContain(prefix);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(stored.hash);
    // Audited without the secret or the hash.
    const event = (await AuditEvent.findOne({ action: 'apitoken.create', entityId: stored._id }).lean())!;
    expect(event).toBeTruthy();
    expect(JSON.stringify(event)).not.toContain(secret);
    expect(JSON.stringify(event)).not.toContain(stored.hash);
    // It works.
    expect((await apiGet(unitsLoader, '/api/v1/units', secret)).status).toBe(200);
  });

  it('puts errors beside the fields', async () => {
    const bad = await createToken({ name: '', unitId: 'x', expiresOn: '2000-01-01' });
    expect(bad).toHaveStatus(400);
    expect(bad.data.fieldErrors).toEqual({
      name: ['tokens.v.nameRequired'],
      unitId: ['tokens.v.unitRequired'],
      expiresOn: ['tokens.v.expiryPast'],
    });
    // The same as conform's reply, the form's lastResult.
    expect(bad.data.result).toMatchObject({
      status: 'error',
      error: { name: ['tokens.v.nameRequired'], unitId: ['tokens.v.unitRequired'] },
    });
    const long = await createToken({
      name: 'x'.repeat(101),
      unitId: String(pvd._id),
      expiresOn: '2026-02-30',
    });
    expect(long.data.fieldErrors).toEqual({
      name: ['tokens.v.nameTooLong'],
      expiresOn: ['tokens.v.expiryInvalid'],
    });
    const branch = (await Unit.findOne({ kind: 'branch' }).lean())!;
    const misfit = await createToken({ name: 'Chi đoàn', unitId: String(branch._id) });
    expect(misfit).toHaveStatus(400);
    expect(misfit.data.fieldErrors).toEqual({ unitId: ['tokens.v.unitInvalid'] });
    expect(misfit.data.result).toMatchObject({
      status: 'error',
      error: { unitId: ['tokens.v.unitInvalid'] },
    });
    expect(await ApiToken.countDocuments({ name: 'Chi đoàn' })).toBe(0);
  });

  it('is admin-only', async () => {
    for (const email of ['tinhdoan@demo.vn', 'doantruong.pvd@demo.vn']) {
      const cookie = await signIn(email);
      expect((await call(tokensLoader, get('/admin/tokens', cookie))).status).toBe(403);
      expect((await createToken({ name: 'x', unitId: String(province._id) }, cookie)).status).toBe(403);
    }
    const unknown = await call(tokensAction, post('/admin/tokens', { intent: 'nope' }, admin));
    expect(unknown).toHaveStatus(400);
  });
});

describe('authentication', () => {
  const expect401 = (res: RouteResult<Json>) => {
    expect(res).toHaveStatus(401);
    expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
    expect(res.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(res.data.error.code).toBe('unauthorized');
    expect(typeof res.data.error.message).toBe('string');
  };

  it('refuses missing, malformed and unknown tokens', async () => {
    expect401(await apiGet(membersLoader, '/api/v1/members'));
    expect401(await apiGet(statsLoader, '/api/v1/stats', 'not a token!'));
    const basic = await call<Json>(
      unitsLoader,
      new Request(`${BASE}/api/v1/units`, { headers: { Authorization: 'Basic YWRtaW46ZGVtbw==' } }),
    );
    expect401(basic);
    expect401(await apiGet(unitsLoader, '/api/v1/units', 'A'.repeat(43)));
  });

  it('calls a wrong token invalid, and only a header of the wrong shape malformed', async () => {
    const invalid = 'Invalid, revoked or expired token.';
    for (const wrong of ['not-a-real-token', 'abc', 'ghp_' + 'x'.repeat(36), 'a.b.c', 'A'.repeat(43)]) {
      const res = await apiGet(unitsLoader, '/api/v1/units', wrong);
      expect401(res);
      expect(res.data.error.message, wrong).toBe(invalid);
    }
    for (const header of ['Bearer', 'Bearer one two', 'Basic YWRtaW46ZGVtbw==', 'tokenwithoutscheme']) {
      const res = await call<Json>(
        unitsLoader,
        new Request(`${BASE}/api/v1/units`, { headers: { Authorization: header } }),
      );
      expect401(res);
      expect(res.data.error.message, header).toMatch(/^Malformed Authorization header/);
    }
  });

  it('refuses revoked and expired tokens, and records last use', async () => {
    const secret = await newSecret('Tạm thời', pvd._id);
    const token = (await ApiToken.findOne({ hash: sha256(secret) }).lean())!;
    expect(token.lastUsedAt).toBeNull();
    expect((await apiGet(unitsLoader, '/api/v1/units', secret)).status).toBe(200);
    expect((await ApiToken.findById(token._id).lean())!.lastUsedAt).toBeInstanceOf(Date);

    const revoke = await call(
      tokensAction,
      post('/admin/tokens', { intent: 'revoke', id: String(token._id) }, admin),
    );
    expect(revoke).toHaveStatus(200);
    expect((await ApiToken.findById(token._id).lean())!.revokedAt).toBeInstanceOf(Date);
    expect(await AuditEvent.countDocuments({ action: 'apitoken.revoke', entityId: token._id })).toBe(1);
    expect401(await apiGet(unitsLoader, '/api/v1/units', secret));
    const list = await call(tokensLoader, get('/admin/tokens', admin));
    expect(list.data.tokens.find((t: Json) => t.id === String(token._id)).status).toBe('revoked');

    const later = await newSecret('Hết hạn', pvd._id, '2099-12-31');
    expect((await apiGet(unitsLoader, '/api/v1/units', later)).status).toBe(200);
    await ApiToken.updateOne({ hash: sha256(later) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect401(await apiGet(unitsLoader, '/api/v1/units', later));

    const missing = await call(
      tokensAction,
      post('/admin/tokens', { intent: 'revoke', id: '0123456789abcdef01234567' }, admin),
    );
    expect(missing).toHaveStatus(404);
  });

  it('rate-limits per token with 429 and Retry-After', async () => {
    API_RATE_LIMIT.limit = 3;
    for (let i = 0; i < 3; i++)
      expect((await apiGet(unitsLoader, '/api/v1/units', pvdSecret)).status).toBe(200);
    const limited = await apiGet(unitsLoader, '/api/v1/units', pvdSecret);
    expect(limited).toHaveStatus(429);
    expect(limited.data.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
    // Another token has its own budget.
    expect((await apiGet(unitsLoader, '/api/v1/units', provinceSecret)).status).toBe(200);
  });
});

describe('token grants and their events, in one transaction', () => {
  it('makes no token when its creation cannot be recorded, and returns no secret', async () => {
    const tokens = await ApiToken.countDocuments();
    await withRefusedAuditEvent({ action: 'apitoken.create', unitId: pvd._id }, async () => {
      await expect(createToken({ name: 'Không ghi nhật ký', unitId: String(pvd._id) })).rejects.toMatchObject(
        {
          code: 11000,
        },
      );
    });
    expect(await ApiToken.countDocuments()).toBe(tokens);
    expect(await ApiToken.exists({ name: 'Không ghi nhật ký' })).toBeNull();
  });

  it('keeps a token working when its revocation cannot be recorded; revoked, it is in its chain', async () => {
    const secret = await newSecret('Thu hồi thử', pvd._id);
    const token = (await ApiToken.findOne({ hash: sha256(secret) }).lean())!;
    const revoke = () =>
      call(tokensAction, post('/admin/tokens', { intent: 'revoke', id: String(token._id) }, admin));
    await withRefusedAuditEvent({ action: 'apitoken.revoke', entityId: token._id }, async () => {
      await expect(revoke()).rejects.toMatchObject({ code: 11000 });
    });
    expect((await ApiToken.findById(token._id).lean())!.revokedAt).toBeNull();
    expect((await apiGet(unitsLoader, '/api/v1/units', secret)).status).toBe(200);

    expect((await revoke()).status).toBe(200);
    expect(
      (await AuditEvent.find({ entity: 'ApiToken', entityId: token._id }).sort({ seq: 1 }).lean()).map(
        (e) => [e.action, e.seq, e.chain],
      ),
    ).toEqual([
      ['apitoken.create', 1, `ApiToken:${token._id}`],
      ['apitoken.revoke', 2, `ApiToken:${token._id}`],
    ]);
    const report = await verifyAudit();
    expect(report.problem).toBeNull();
    expect(report.gaps).toEqual([]);
    expect(report.unchained).toBe(0);
  });
});

describe('scope', () => {
  it('a school token sees only its school’s members and units', async () => {
    const rows = await allMembers(pvdSecret, '', 200);
    expect(rows.length).toBe(await Member.countDocuments({ ancestors: pvd._id }));
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.schoolId))).toEqual(new Set([String(pvd._id)]));

    const units = await apiGet(unitsLoader, '/api/v1/units?size=200', pvdSecret);
    expect(units.data.page.total).toBe(
      await Unit.countDocuments({ $or: [{ _id: pvd._id }, { ancestors: pvd._id }] }),
    );
    expect(units.data.data).not.toHaveLength(0);
    for (const u of units.data.data)
      expect(u.id === String(pvd._id) || u.schoolId === String(pvd._id)).toBe(true);

    // Another school's records are as unknown as ids that do not exist.
    const foreign = (await Member.findOne({ schoolId: other._id }).lean())!;
    const outside = await apiGet(memberLoader, `/api/v1/members/${foreign._id}`, pvdSecret, {
      id: String(foreign._id),
    });
    const unknown = await apiGet(memberLoader, '/api/v1/members/0123456789abcdef01234567', pvdSecret, {
      id: '0123456789abcdef01234567',
    });
    const malformed = await apiGet(memberLoader, '/api/v1/members/xyz', pvdSecret, { id: 'xyz' });
    expect(outside).toHaveStatus(404);
    expect(outside.data).toEqual(unknown.data);
    expect(malformed).toHaveStatus(404);
    expect(malformed.data).toEqual(unknown.data);
    const otherUnit = await apiGet(unitLoader, `/api/v1/units/${other._id}`, pvdSecret, {
      id: String(other._id),
    });
    expect(otherUnit).toHaveStatus(404);
    expect(otherUnit.data).toEqual(unknown.data);
    // Filtering by another school just matches nothing.
    const filtered = await apiGet(membersLoader, `/api/v1/members?school=${other._id}`, pvdSecret);
    expect(filtered.data.data).toEqual([]);

    const own = (await Member.findOne({ schoolId: pvd._id, ...servedFilter }).lean())!;
    const detail = await apiGet(memberLoader, `/api/v1/members/${own._id}`, pvdSecret, {
      id: String(own._id),
    });
    expect(detail).toHaveStatus(200);
    expect(detail.data.data).toMatchObject({ id: String(own._id), fullName: own.fullName });
    const unit = await apiGet(unitLoader, `/api/v1/units/${pvd._id}`, pvdSecret, { id: String(pvd._id) });
    expect(unit.data.data).toMatchObject({ id: String(pvd._id), kind: 'school', code: 'PVD' });
  });

  it('a province token sees the whole province', async () => {
    const { rows, withheld } = await allPages(provinceSecret, '', 200);
    expect(rows.length).toBe(await served({ ancestors: province._id }));
    expect(rows.length + withheld.length).toBe(await Member.countDocuments({}));
    // The seed's withdrawn consents are left out and named, each with its reason.
    expect(withheld.map((w: Json) => w.id)).toEqual(await pausedIds());
    expect(withheld.length).toBeGreaterThan(0);
    expect(withheld.every((w: Json) => w.reason === 'consent_withdrawn')).toBe(true);
    const foreign = (await Member.findOne({ schoolId: other._id, ...servedFilter }).lean())!;
    const res = await apiGet(memberLoader, `/api/v1/members/${foreign._id}`, provinceSecret, {
      id: String(foreign._id),
    });
    expect(res).toHaveStatus(200);
    const schools = await apiGet(unitsLoader, '/api/v1/units?kind=school&size=200', provinceSecret);
    expect(schools.data.page.total).toBe(
      await Unit.countDocuments({ kind: 'school', ancestors: province._id }),
    );
    expect(schools.data.data.every((u: Json) => u.kind === 'school')).toBe(true);
  });
});

describe('paging and filters', () => {
  it('returns every member exactly once across cursor pages, in id order', async () => {
    const { rows, withheld } = await allPages(provinceSecret, '', 37);
    const ids = rows.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Served or withheld, each member once: paging moves past the withheld ones.
    const every = [...ids, ...withheld.map((w: Json) => w.id)];
    expect(new Set(every).size).toBe(await Member.countDocuments({}));
    expect(every.length).toBe(await Member.countDocuments({}));
    expect([...ids].sort()).toEqual(ids);
    const first = await apiGet(membersLoader, '/api/v1/members', provinceSecret);
    expect(first.data.page.size).toBe(50);
    expect(first.data.data.length + first.data.withheld.length).toBe(50);
  });

  it('pages units by number', async () => {
    const total = await Unit.countDocuments({ $or: [{ _id: province._id }, { ancestors: province._id }] });
    const seen: string[] = [];
    for (let page = 1; page < 100; page++) {
      const res = await apiGet(unitsLoader, `/api/v1/units?size=25&page=${page}`, provinceSecret);
      expect(res.data.page).toMatchObject({ number: page, size: 25, total });
      seen.push(...res.data.data.map((u: Json) => u.id));
      if (res.data.page.next === null) break;
      expect(res.data.page.next).toBe(page + 1);
    }
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
  });

  it('filters by stage, school year, diacritic-free name and update time', async () => {
    const stage = (await Member.findOne({ 'pipeline.stage': 'dossier' }).lean()) ? 'dossier' : 'member';
    const byStage = await allMembers(provinceSecret, `stage=${stage}`, 200);
    expect(byStage.length).toBe(await served({ 'pipeline.stage': stage }));
    expect(byStage.every((r) => r.pipeline.stage === stage)).toBe(true);

    const year = (await Member.findOne({ schoolYear: mongoose.trusted({ $ne: null }) }).lean())!.schoolYear!;
    const byYear = await allMembers(provinceSecret, `schoolYear=${year}&school=${pvd._id}`, 200);
    expect(byYear.length).toBe(await served({ schoolYear: year, schoolId: pvd._id }));

    const someone = (await Member.findOne({ schoolId: pvd._id, fullName: /[À-ỹ]/, ...servedFilter }).lean())!;
    const plain = searchKey(someone.fullName);
    const found = await apiGet(membersLoader, `/api/v1/members?q=${encodeURIComponent(plain)}`, pvdSecret);
    expect(found.data.data.map((r: Json) => r.id)).toContain(String(someone._id));
    const byCode = await apiGet(
      membersLoader,
      `/api/v1/members?q=${someone.studentCode.toLowerCase()}`,
      pvdSecret,
    );
    expect(byCode.data.data.map((r: Json) => r.id)).toContain(String(someone._id));

    const future = await apiGet(membersLoader, '/api/v1/members?updatedSince=2999-01-01', provinceSecret);
    expect(future.data).toEqual({ data: [], withheld: [], page: { size: 50, next: null } });
    const past = await apiGet(
      membersLoader,
      '/api/v1/members?updatedSince=2000-01-01T00:00:00Z&size=1',
      provinceSecret,
    );
    expect(past.data.data.length + past.data.withheld.length).toBe(1);
  });

  it('answers bad parameters with 400 and a detail per parameter', async () => {
    const cases: [Loader, string, string][] = [
      [membersLoader, '/api/v1/members?size=0', 'size'],
      [membersLoader, '/api/v1/members?size=1000', 'size'],
      [membersLoader, '/api/v1/members?size=abc', 'size'],
      [membersLoader, '/api/v1/members?size=5&size=6', 'size'],
      [membersLoader, '/api/v1/members?stage=nope', 'stage'],
      [membersLoader, '/api/v1/members?school=xyz', 'school'],
      [membersLoader, '/api/v1/members?updatedSince=garbage', 'updatedSince'],
      [membersLoader, '/api/v1/members?schoolYear=2025-2027', 'schoolYear'],
      [membersLoader, '/api/v1/members?cursor=123', 'cursor'],
      [membersLoader, `/api/v1/members?q=${'a'.repeat(101)}`, 'q'],
      [unitsLoader, '/api/v1/units?kind=city', 'kind'],
      [unitsLoader, '/api/v1/units?page=0', 'page'],
      [unitsLoader, '/api/v1/units?size=201', 'size'],
      [statsLoader, '/api/v1/stats?school=xyz', 'school'],
    ];
    for (const [loader, path, param] of cases) {
      const res = await apiGet(loader, path, provinceSecret);
      expect(res.status, path).toBe(400);
      expect(res.headers.get('Cache-Control')).toBe('no-store');
      expect(res.data.error.code).toBe('bad_request');
      expect(
        res.data.error.details.map((d: Json) => d.param),
        path,
      ).toEqual([param]);
      expect(typeof res.data.error.details[0].message).toBe('string');
    }
    const several = await apiGet(membersLoader, '/api/v1/members?size=0&stage=nope', provinceSecret);
    expect(several.data.error.details.map((d: Json) => d.param).sort()).toEqual(['size', 'stage']);
    // Empty values are absent; unknown parameters are ignored.
    expect((await apiGet(unitsLoader, '/api/v1/units?kind=&page=&size=&_=1', provinceSecret)).status).toBe(
      200,
    );
  });

  it('is read-only: other methods get 405', async () => {
    const del = new Request(`${BASE}/api/v1/members/x`, { method: 'DELETE' });
    for (const res of [
      await call<Json>(memberAction, del, { id: 'x' }),
      await call<Json>(unitsAction, post('/api/v1/units', {})),
    ]) {
      expect(res).toHaveStatus(405);
      expect(res.headers.get('Allow')).toBe('GET, HEAD');
      expect(res.data.error.code).toBe('method_not_allowed');
    }
  });
});

describe('member representation', () => {
  const ALLOWED = new Set([
    'id',
    'fullName',
    'studentCode',
    'dateOfBirth',
    'gender',
    'schoolId',
    'branchId',
    'schoolKind',
    'schoolYear',
    'union',
    'joinedAt',
    'latestGpa10',
    'pipeline',
    'stage',
    'stageSince',
    'due',
    'at',
    'kind',
    'eligibility',
    'eligible',
    'setVersion',
    'updatedAt',
  ]);
  const FORBIDDEN = [
    'ethnicity',
    'religion',
    'citizenId',
    'phone',
    'email',
    'relatives',
    'cardNumber',
    'consent',
  ];

  it('holds only whitelisted fields, never a sensitive one', async () => {
    const rows = await allMembers(provinceSecret, '', 200);
    const one = await apiGet(memberLoader, `/api/v1/members/${rows[0].id}`, provinceSecret, {
      id: rows[0].id,
    });
    const keys = keysDeep([rows, one.data]);
    for (const key of FORBIDDEN) expect(keys.has(key), key).toBe(false);
    expect(keys.size).toBeGreaterThan(0);
    for (const key of keys) expect(ALLOWED.has(key) || key === 'data', key).toBe(true);
    const text = JSON.stringify([rows, one.data]);
    for (const value of ['051204000123', '0905123456', 'Kinh']) expect(text).not.toContain(value);
    expect(rows[0].dateOfBirth).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(rows.some((r) => r.pipeline.due !== null)).toBe(true);
    expect(one.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(one.headers.get('Cache-Control')).toBe('no-store');
  });
});

describe('statistics', () => {
  it('match counts computed independently', async () => {
    const now = new Date();
    const today = todayAsStoredDay(now);
    const overdueOf = (filter: Record<string, unknown>) =>
      Member.countDocuments({ ...filter, 'pipeline.due.at': mongoose.trusted({ $lt: today }) });

    const res = await apiGet(statsLoader, '/api/v1/stats', provinceSecret);
    expect(res).toHaveStatus(200);
    const stats = res.data.data;
    expect(stats.scope).toMatchObject({ id: String(province._id), kind: 'province' });
    expect(stats.total).toBe(await Member.countDocuments({ ancestors: province._id }));
    expect(stats.overdue).toBe(await overdueOf({ ancestors: province._id }));
    expect(stats.overdue).toBeGreaterThan(0);
    for (const stage of ALL_STAGES) {
      expect(stats.byStage[stage], stage).toBe(
        await Member.countDocuments({ ancestors: province._id, 'pipeline.stage': stage }),
      );
    }
    const pvdRow = stats.bySchool.find((s: Json) => s.schoolId === String(pvd._id));
    expect(pvdRow.total).toBe(await Member.countDocuments({ schoolId: pvd._id }));
    expect(pvdRow.overdue).toBe(await overdueOf({ schoolId: pvd._id }));
    for (const stage of ALL_STAGES) {
      expect(pvdRow.byStage[stage]).toBe(
        await Member.countDocuments({ schoolId: pvd._id, 'pipeline.stage': stage }),
      );
    }
    expect(stats.bySchool.reduce((n: number, s: Json) => n + s.total, 0)).toBe(stats.total);

    // One school, from the school's own token; another school is out of reach.
    const own = await apiGet(statsLoader, `/api/v1/stats?school=${pvd._id}`, pvdSecret);
    expect(own.data.data.total).toBe(pvdRow.total);
    expect(own.data.data.bySchool).toHaveLength(1);
    expect((await apiGet(statsLoader, `/api/v1/stats?school=${other._id}`, pvdSecret)).status).toBe(404);
    const schoolWide = await apiGet(statsLoader, '/api/v1/stats', pvdSecret);
    expect(schoolWide.data.data.total).toBe(pvdRow.total);
  });
});

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 JSON describing every route', async () => {
    const res = await call<string>(openApiLoader, get('/api/v1/openapi.json'));
    expect(res).toHaveStatus(200);
    const doc = typeof res.data === 'string' ? JSON.parse(res.data) : res.data;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    // Every api.v1 route file has its path in the document.
    const routed = readdirSync('app/routes')
      .filter((f) => f.startsWith('api.v1.'))
      .map(
        (f) =>
          '/' +
          f
            .replace(/\.tsx?$/, '')
            .replace('[.]', '\u0000')
            .split('.')
            .map((part) => (part.startsWith('$') ? `{${part.slice(1)}}` : part))
            .join('/')
            .replace('\u0000', '.'),
      );
    expect(routed.sort()).toEqual([...API_PATHS].sort());
    expect(routed).not.toHaveLength(0);
    for (const path of routed) expect(Object.keys(doc.paths), path).toContain(path);
    for (const status of ['400', '401', '429']) {
      expect(doc.paths['/api/v1/members'].get.responses[status]).toBeDefined();
    }
    expect(doc.paths['/api/v1/members/{id}'].get.responses['404']).toBeDefined();
    // The document's enums are the models' own.
    expect([...API_UNIT_KINDS]).toEqual([...UNIT_KINDS]);
    expect([...API_GENDERS]).toEqual([...GENDERS]);
  });
});
