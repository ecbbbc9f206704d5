/**
 * The authorization matrix (tests/authz/matrix.ts, docs/decisions/014-authorization-matrix.md):
 * every loader and action of every route module in app/routes, called with a real
 * Request as every kind of caller, in and out of the caller's scope, against the
 * expected outcome kept in the table. A route module without an entry fails too.
 *
 * Actions are posted with forms that an allowed caller gets refused (validation, a
 * stale version), so no cell depends on another cell's write; the file still runs on
 * its own seeded database (tests/setup/db.ts).
 */
import mongoose, { Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { CriteriaSetModel } from '../../models/criteria-set.ts';
import { EvidenceFile } from '../../models/evidence-file.ts';
import { Member } from '../../models/member.ts';
import { Notification } from '../../models/notification.ts';
import { Submission } from '../../models/submission.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { CONSENT_VERSION } from '~/domain/consent';
import { createApiToken, resetApiRateLimit, revokeApiToken } from '~/utils/api/api-auth.server';
import {
  API_PRINCIPALS,
  MATRIX,
  OTHER_SCOPE,
  SENSITIVE_ROWS,
  SMALL_ETHNICITY,
  OUTCOMES,
  PAGE_PRINCIPALS,
  type Call,
  type Outcome,
  type RouteEntry,
  type Target,
} from '../authz/matrix.ts';
import { signIn } from '../fixtures/auth.ts';
import { BASE, call, context, type RouteResult } from '../fixtures/remix.ts';

type RouteFn = Parameters<typeof call>[0];
interface RouteModule {
  loader?: RouteFn;
  action?: RouteFn;
}

// Every route module, as Remix would load it. Keyed by file name (`members.$id.edit.tsx`).
const modules = import.meta.glob<RouteModule>('../../app/routes/*.{ts,tsx}', { eager: true });
const ROUTES: Record<string, RouteModule> = Object.fromEntries(
  Object.entries(modules).map(([file, mod]) => [file.split('/').pop()!, mod]),
);
const ROUTE_FILES = Object.keys(ROUTES).sort();

const EMAIL: Record<string, string> = {
  student: 'sinhvien@demo.vn',
  school_union: 'doantruong.pvd@demo.vn',
  school_party: 'danguy.pvd@demo.vn',
  province_union: 'tinhdoan@demo.vn',
  admin: 'admin@demo.vn',
};

/** The cells an entry must have: every caller, plus `:other` where the target has an outside. */
function requiredCells(entry: RouteEntry): string[] {
  const base: readonly string[] = entry.api ? API_PRINCIPALS : PAGE_PRINCIPALS;
  const other = entry.target ? OTHER_SCOPE[entry.target].filter((p) => base.includes(p)) : [];
  return [...base, ...other.map((p) => `${p}:other`)].sort();
}

function classify(res: RouteResult): Outcome | string {
  const { status } = res;
  if (status >= 300 && status < 400) {
    const to = res.location ? new URL(res.location, BASE).pathname : '';
    return to === '/login' ? 'redirect-login' : 'ok';
  }
  if (status >= 200 && status < 300) return 'ok';
  const byStatus: Record<number, Outcome> = {
    400: 'bad-request',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not-found',
    405: 'method-not-allowed',
    409: 'conflict',
  };
  return byStatus[status] ?? `status ${status}`;
}

// ---------------------------------------------------------------- fixtures

const cookies: Record<string, string> = {};
const secrets: Record<string, string> = {};
/** The id a caller uses for a target, in its scope (`own`) or outside it (`other`). */
const ids: Record<Target, { own: Record<string, string>; other: Record<string, string> }> = {
  member: { own: {}, other: {} },
  unit: { own: {}, other: {} },
  user: { own: {}, other: {} },
  criteria: { own: {}, other: {} },
  'criteria-draft': { own: {}, other: {} },
  submission: { own: {}, other: {} },
  notification: { own: {}, other: {} },
};
let otherSchoolUnion = '';

function idFor(target: Target, principal: string, scope: 'own' | 'other'): string {
  const table = ids[target][scope];
  const id = table[principal] ?? table.default;
  if (!id) throw new Error(`no ${scope} ${target} id for ${principal}`);
  return id;
}

/** A copy of a document under a new id (for the out-of-scope fixtures). */
async function copyOf<T extends { _id: Types.ObjectId }>(
  collection: mongoose.mongo.Collection,
  doc: T,
  changes: Record<string, unknown>,
): Promise<string> {
  const _id = new Types.ObjectId();
  await collection.insertOne({ ...doc, _id, ...changes });
  return String(_id);
}

beforeAll(async () => {
  await seedDatabase({ members: 200, seed: 1, reset: true });
  resetApiRateLimit();

  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  // The small group of the sensitive-filter rows: 3 Phạm Văn Đồng members, no one else.
  const few = await Member.find({ schoolId: pvd._id }).sort({ _id: -1 }).limit(3).select({ _id: 1 }).lean();
  await Member.collection.updateMany(
    { _id: { $in: few.map((m) => m._id) } },
    { $set: { ethnicity: SMALL_ETHNICITY } },
  );
  const province = (await Unit.findOne({ kind: 'province', active: true }).lean())!;
  const legacyProvince = (await Unit.findOne({ kind: 'province', active: false }).lean())!;
  const legacySchool = (await Unit.findOne({ kind: 'school', ancestors: legacyProvince._id }).lean())!;
  const pvdBranch = (await Unit.findOne({ kind: 'branch', ancestors: pvd._id }).lean())!;
  // Another school of the province that has members and accounts.
  const schoolIds = (await Member.distinct('schoolId')) as Types.ObjectId[];
  const otherSchoolId = schoolIds.find((id) => !id.equals(pvd._id))!;
  const otherSchool = (await Unit.findById(otherSchoolId).lean())!;
  expect(otherSchool.ancestors.map(String)).toContain(String(province._id));

  const studentUser = (await User.findOne({ email: EMAIL.student }).lean())!;
  const studentMember = String(studentUser.memberId);
  const pvdMember = (await Member.findOne({
    schoolId: pvd._id,
    _id: mongoose.trusted({ $ne: studentUser.memberId }),
  }).lean())!;
  const otherMember = (await Member.findOne({ schoolId: otherSchool._id }).lean())!;
  // A member of the legacy Kon Tum province: outside the province union's scope.
  const legacyMember = await copyOf(Member.collection, otherMember, {
    schoolId: legacySchool._id,
    ancestors: [legacyProvince._id, legacySchool._id],
    branchId: null,
    partyCellId: null,
  });

  // The demo student has not consented yet: give consent so her pages answer, not redirect.
  await Member.updateOne(
    { _id: studentUser.memberId },
    { $set: { consent: { version: CONSENT_VERSION, givenAt: new Date() } } },
  );

  const pvdParty = (await User.findOne({ email: EMAIL.school_party }).lean())!;
  const otherUnionUser = (await User.findOne({ role: 'school_union', unitId: otherSchool._id }).lean())!;
  otherSchoolUnion = otherUnionUser.email;

  // Criteria: the active university set (PVD's kind), the high-school one (not PVD's),
  // a draft of the province and a draft of the legacy province.
  const uniSet = (await CriteriaSetModel.findOne({
    schoolKind: 'university',
    purpose: 'selection',
    status: 'active',
  }).lean())!;
  const hsSet = (await CriteriaSetModel.findOne({
    schoolKind: 'high_school',
    purpose: 'selection',
    status: 'active',
  }).lean())!;
  const draft = { status: 'draft', activatedAt: null, activatedBy: null, history: [] };
  const provinceDraft = await copyOf(CriteriaSetModel.collection, uniSet, { ...draft, version: 900 });
  const legacyDraft = await copyOf(CriteriaSetModel.collection, uniSet, {
    ...draft,
    version: 901,
    unitId: legacyProvince._id,
  });

  // Evidence files: one of the demo student (PVD), one of the other school's member.
  async function evidence(m: { _id: Types.ObjectId; schoolId: Types.ObjectId; ancestors: Types.ObjectId[] }) {
    const sub = await Submission.create({
      memberId: m._id,
      schoolId: m.schoolId,
      ancestors: m.ancestors,
      kind: 'activity',
      title: 'Hiến máu tình nguyện',
      date: new Date('2026-03-01T00:00:00Z'),
      days: 1,
      evidence: 'Giấy chứng nhận',
      file: { name: 'giay.pdf', type: 'application/pdf', size: 8 },
    });
    await EvidenceFile.create({
      submissionId: sub._id,
      memberId: m._id,
      ancestors: m.ancestors,
      name: 'giay.pdf',
      type: 'application/pdf',
      size: 8,
      data: Buffer.from('%PDF-1.4'),
    });
    return String(sub._id);
  }
  const studentDoc = (await Member.findById(studentUser.memberId).lean())!;
  const ownSubmission = await evidence(studentDoc);
  const otherSubmission = await evidence(otherMember);

  const s = String;
  Object.assign(ids.member, {
    own: {
      default: s(pvdMember._id),
      student: studentMember,
      'token:province': s(otherMember._id),
      admin: legacyMember,
    },
    other: {
      default: s(otherMember._id),
      student: s(pvdMember._id), // another student of her own school
      province_union: legacyMember,
      'token:province': legacyMember,
    },
  });
  Object.assign(ids.unit, {
    own: {
      default: s(pvdBranch._id),
      province_union: s(otherSchool._id),
      admin: s(legacyProvince._id),
      'token:school': s(pvd._id),
      'token:province': s(otherSchool._id),
    },
    other: {
      default: s(otherSchool._id),
      province_union: s(legacyProvince._id),
      'token:province': s(legacyProvince._id),
    },
  });
  Object.assign(ids.user, {
    own: { default: s(pvdParty._id) },
    other: { default: s(otherUnionUser._id) },
  });
  Object.assign(ids.criteria, {
    own: { default: s(uniSet._id) },
    other: { default: s(hsSet._id), province_union: legacyDraft },
  });
  Object.assign(ids['criteria-draft'], {
    own: { default: provinceDraft, admin: legacyDraft },
    other: { default: legacyDraft },
  });
  Object.assign(ids.submission, {
    own: { default: ownSubmission },
    other: { default: otherSubmission },
  });

  // Notifications: one of each signed-in caller's own, and one of another school's union.
  const notification = async (userId: Types.ObjectId) =>
    String(
      (
        await Notification.create({
          userId,
          kind: 'weekly_digest',
          eventKey: `authz:${String(userId)}`,
          title: { key: 'notifications.sample.title', params: { n: 1 } },
          link: '/',
          delivery: 'in_app',
        })
      )._id,
    );
  for (const [role, email] of Object.entries(EMAIL))
    ids.notification.own[role] = await notification((await User.findOne({ email }).lean())!._id);
  ids.notification.other.default = await notification(otherUnionUser._id);
  // The signed-out never reach a record: any id does.
  ids.notification.own.default = ids.notification.other.default;

  for (const [role, email] of Object.entries(EMAIL)) cookies[role] = await signIn(email);

  const admin = (await User.findOne({ email: EMAIL.admin }).lean())!;
  const adminRef = { id: String(admin._id) };
  secrets['token:school'] = (
    await createApiToken(adminRef, { name: 'authz PVD', unitId: String(pvd._id) })
  ).secret;
  secrets['token:province'] = (
    await createApiToken(adminRef, { name: 'authz tỉnh', unitId: String(province._id) })
  ).secret;
  const revoked = await createApiToken(adminRef, { name: 'authz revoked', unitId: String(province._id) });
  await revokeApiToken(adminRef, revoked.id);
  secrets['token:revoked'] = revoked.secret;
}, 120_000);

// ---------------------------------------------------------------- one cell

async function requestFor(
  entry: RouteEntry,
  kind: 'loader' | 'action',
  spec: Call,
  principal: string,
  id: string | undefined,
): Promise<Request> {
  let path = entry.path.replace(':id', id ?? '');
  if (spec.query) path += `?${spec.query}`;
  const headers: Record<string, string> = { 'User-Agent': 'vitest' };
  if (entry.api) {
    if (principal === 'session') headers.Cookie = cookies.admin;
    else if (principal.startsWith('token:')) headers.Authorization = `Bearer ${secrets[principal]}`;
  } else if (principal !== 'anonymous') {
    // A call that ends its session gets a session of its own.
    headers.Cookie = spec.fresh ? await signIn(EMAIL[principal]) : cookies[principal];
  }
  if (kind === 'loader') return new Request(BASE + path, { headers });
  const form = Object.fromEntries(
    Object.entries(spec.form ?? {}).map(([k, v]) => [k, v === '$id' ? (id ?? '') : v]),
  );
  return new Request(BASE + path, {
    method: 'POST',
    body: new URLSearchParams(form),
    headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
  });
}

async function outcomeOf(file: string, kind: 'loader' | 'action', cell: string): Promise<string> {
  const entry = MATRIX[file];
  const spec = entry[kind]!;
  const fn = ROUTES[file][kind]!;
  const other = cell.endsWith(':other');
  const principal = other ? cell.slice(0, -':other'.length) : cell;
  const id = entry.target ? idFor(entry.target, principal, other ? 'other' : 'own') : undefined;
  const request = await requestFor(entry, kind, spec, principal, id);
  try {
    const res = await call(fn, request, id ? { id } : {}, context({ clientIp: `authz-${cell}` }));
    return classify(res);
  } catch (error) {
    return `threw ${error instanceof Error ? error.message : String(error)}`;
  }
}

// ---------------------------------------------------------------- the table itself

describe('the table', () => {
  it('has an entry for every route module in app/routes, and none for a module that is gone', () => {
    const missing = ROUTE_FILES.filter((f) => !(f in MATRIX));
    const stale = Object.keys(MATRIX).filter((f) => !(f in ROUTES));
    expect(
      missing,
      `route modules without an entry in tests/authz/matrix.ts (add one: docs/decisions/014-authorization-matrix.md)`,
    ).toEqual([]);
    expect(stale, 'entries in tests/authz/matrix.ts for route modules that no longer exist').toEqual([]);
  });

  it.each(ROUTE_FILES.filter((f) => f in MATRIX))(
    '%s: one row per exported loader/action, with every caller',
    (file) => {
      const entry = MATRIX[file];
      for (const kind of ['loader', 'action'] as const) {
        const exported = typeof ROUTES[file][kind] === 'function';
        expect(
          !!entry[kind],
          `${file}: ${kind} ${exported ? 'exported but not in the table' : 'in the table but not exported'}`,
        ).toBe(exported);
        const spec = entry[kind];
        if (!spec) continue;
        expect(Object.keys(spec.expect).sort(), `${file} ${kind}: the callers`).toEqual(requiredCells(entry));
        for (const outcome of Object.values(spec.expect)) expect(OUTCOMES).toContain(outcome);
      }
      expect(entry.path.includes(':id')).toBe(!!entry.target);
    },
  );
});

describe('the fixtures', () => {
  // A 404 in the table must mean "outside your scope", not "does not exist".
  it('uses out-of-scope records that exist and are readable from their own scope', async () => {
    const admin = cookies.admin;
    const get = (path: string, cookie: string) => new Request(BASE + path, { headers: { Cookie: cookie } });
    const legacyMember = ids.member.other.province_union;
    const otherMember = ids.member.other.default;
    const memberLoader = ROUTES['members.$id.tsx'].loader!;
    expect(
      (await call(memberLoader, get(`/members/${legacyMember}`, admin), { id: legacyMember })).status,
    ).toBe(200);
    const otherUnion = await signIn(otherSchoolUnion);
    expect(
      (await call(memberLoader, get(`/members/${otherMember}`, otherUnion), { id: otherMember })).status,
    ).toBe(200);
    const setLoader = ROUTES['criteria.$id._index.tsx'].loader!;
    const legacyDraft = ids['criteria-draft'].other.default;
    expect((await call(setLoader, get(`/criteria/${legacyDraft}`, admin), { id: legacyDraft })).status).toBe(
      200,
    );
    const fileLoader = ROUTES['school.submissions.$id.file.ts'].loader!;
    const otherFile = ids.submission.other.default;
    expect(
      (await call(fileLoader, get(`/school/submissions/${otherFile}/file`, otherUnion), { id: otherFile }))
        .status,
    ).toBe(200);
    // The other user's notification is theirs to follow (a POST that leads to its link).
    const openAction = ROUTES['notifications.$id.tsx'].action!;
    const otherNotice = ids.notification.other.default;
    const open = new Request(BASE + `/notifications/${otherNotice}`, {
      method: 'POST',
      body: new URLSearchParams(),
      headers: { Cookie: otherUnion, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect((await call(openAction, open, { id: otherNotice })).status).toBe(302);
  });
});

// ---------------------------------------------------------------- every cell

const CASES = ROUTE_FILES.filter((f) => f in MATRIX).flatMap((file) =>
  (['loader', 'action'] as const).flatMap((kind) => {
    const spec = MATRIX[file][kind];
    if (!spec || typeof ROUTES[file][kind] !== 'function') return [];
    return Object.entries(spec.expect)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([cell, expected]) => ({ file, kind, cell, expected }));
  }),
);

describe.each(ROUTE_FILES.filter((f) => f in MATRIX))('%s', (file) => {
  it.each(
    CASES.filter((c) => c.file === file).map((c) => [`${c.kind} × ${c.cell} → ${c.expected}`, c] as const),
  )('%s', async (_title, { kind, cell, expected }) => {
    expect(await outcomeOf(file, kind, cell)).toBe(expected);
  });
});

// ---------------------------------------------------------------- sensitive filters

describe('sensitive filters and columns (SENSITIVE_ROWS)', () => {
  it('has every caller in each row, for a route module of the table', () => {
    for (const row of SENSITIVE_ROWS) {
      const entry = MATRIX[row.file];
      expect(entry?.loader, row.file).toBeDefined();
      expect(Object.keys(row.expect).sort(), `${row.file}?${row.query}`).toEqual(
        [...(entry.api ? API_PRINCIPALS : PAGE_PRINCIPALS)].sort(),
      );
    }
  });

  it.each(
    SENSITIVE_ROWS.flatMap((row) =>
      Object.entries(row.expect).map(
        ([cell, expected]) =>
          [`${row.file}?${row.query} × ${cell} → ${expected}`, row, cell, expected] as const,
      ),
    ),
  )('%s', async (_title, row, cell, expected) => {
    const entry = MATRIX[row.file];
    const spec: Call = { query: row.query, expect: row.expect };
    const request = await requestFor(entry, 'loader', spec, cell, undefined);
    const res = await call(ROUTES[row.file].loader!, request, {}, context({ clientIp: `authz-s-${cell}` }));
    expect(classify(res)).toBe(expected);
  });
});
