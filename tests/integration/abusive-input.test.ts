/**
 * Hostile input on the forms and query strings people can reach: MongoDB operators in
 * field names and values (`q[$gt]=`, `{"$ne":null}`), huge strings, odd Unicode (lone
 * surrogates, NUL, combining marks), wrong types, missing fields, unknown intents.
 * Property: never a 5xx (a thrown error fails the test too), and for actions never a
 * write: every collection's count and the members' version sum stay as they were.
 * Each action gets a version or an id that cannot be right, so only a bug could write.
 */
import fc from 'fast-check';
import mongoose, { type Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action as holidaysAction } from '~/routes/admin.holidays';
import { action as unitNewAction } from '~/routes/admin.units.new';
import { action as userNewAction } from '~/routes/admin.users.new';
import { loader as apiMembers } from '~/routes/api.v1.members';
import { action as loginAction } from '~/routes/login';
import { action as editAction } from '~/routes/members.$id.edit';
import { action as stepAction } from '~/routes/members.$id.pipeline';
import { loader as membersLoader } from '~/routes/members._index';
import { action as boardAction, loader as boardLoader } from '~/routes/pipeline._index';
import { action as readyAction } from '~/routes/pipeline.ready';
import { loader as reportsLoader } from '~/routes/reports._index';
import { action as targetsAction } from '~/routes/reports.targets';
import { action as queueAction } from '~/routes/school.submissions';
import { createApiToken } from '~/utils/api/api-auth.server';
import { signIn } from '../fixtures/auth.ts';
import { BASE, call, context, get, postEntries } from '../fixtures/remix.ts';

let admin: string;
let union: string;
let party: string;
let province: string;
let memberId: Types.ObjectId;
let apiSecret: string;

beforeAll(async () => {
  await seedDatabase({ members: 150, seed: 1, reset: true });
  [admin, union, party, province] = await Promise.all(
    ['admin@demo.vn', 'doantruong.pvd@demo.vn', 'danguy.pvd@demo.vn', 'tinhdoan@demo.vn'].map((e) =>
      signIn(e),
    ),
  );
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  memberId = (await Member.findOne({ schoolId: pvd._id, 'pipeline.stage': 'dossier' }).lean())!._id;
  const adminUser = (await User.findOne({ email: 'admin@demo.vn' }).lean())!;
  apiSecret = (
    await createApiToken({ id: String(adminUser._id) }, { name: 'fuzz', unitId: String(pvd.ancestors[0]) })
  ).secret;
}, 60_000);

/** Values a person (or a script) can put in a form field or a query string. */
const hostileValue = fc.oneof(
  fc.constantFrom(
    '{"$gt":""}',
    '{"$ne":null}',
    '{"$where":"sleep(1000)"}',
    '$gt',
    '__proto__',
    'constructor',
    '[object Object]',
    '<script>alert(1)</script>',
    "'; DROP TABLE members; --",
    '\u0000',
    '\uD800',
    'e\u0301\u0301\u0301',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
    'Ñ'.repeat(20_000),
    '9'.repeat(400),
    'NaN',
    'Infinity',
    '1e309',
    '-0',
    '2026-02-30',
    '0000-00-00',
    '   ',
    '',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
/** Never a plain integer: versions and target figures must not be right by chance. */
const nonInteger = hostileValue.filter((s) => !/^\s*[+-]?\d+\s*$/.test(s));
const hostileKey = fc.oneof(
  fc.constantFrom(
    'q[$gt]',
    'stage[$ne]',
    '$where',
    '__proto__',
    'constructor.prototype',
    'ids[$in]',
    'a.b.c',
  ),
  fc.string({ minLength: 1, maxLength: 12 }),
);

function entries(
  fixed: Record<string, fc.Arbitrary<string>>,
  extraValues: fc.Arbitrary<string> = hostileValue,
): fc.Arbitrary<[string, string][]> {
  return fc
    .tuple(fc.record(fixed), fc.array(fc.tuple(hostileKey, extraValues), { maxLength: 6 }))
    .map(([f, extra]) => [...Object.entries(f), ...extra]);
}

async function fingerprint() {
  const db = mongoose.connection.db!;
  const names = (await db.listCollections().toArray()).map((c) => c.name).sort();
  const counts = await Promise.all(names.map((n) => db.collection(n).countDocuments()));
  const [v] = await Member.aggregate<{ v: number }>([{ $group: { _id: null, v: { $sum: '$__v' } } }]);
  return { counts: Object.fromEntries(names.map((n, i) => [n, counts[i]])), versions: v?.v ?? 0 };
}

type RouteFn = Parameters<typeof call>[0];

/** Runs an action on hostile forms: below 500, and nothing in the database changes. */
async function neverWrites(
  fn: RouteFn,
  path: string,
  cookie: string | undefined,
  form: fc.Arbitrary<[string, string][]>,
  params: Record<string, string> = {},
  runs = 25,
) {
  const before = await fingerprint();
  await fc.assert(
    fc.asyncProperty(form, async (fields) => {
      const res = await call(
        fn,
        postEntries(path, fields, cookie),
        params,
        context({ clientIp: `fuzz-${path}` }),
      );
      expect(res.status, JSON.stringify(fields).slice(0, 300)).toBeLessThan(500);
    }),
    { numRuns: runs },
  );
  // Sessions may be added by a sign-in only, which the login property excludes.
  expect(await fingerprint()).toEqual(before);
}

/** Runs a loader on hostile query strings: below 500 every time. */
async function neverFails(
  fn: RouteFn,
  path: string,
  cookie: string | undefined,
  headers: Record<string, string> = {},
) {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(hostileKey, hostileValue), { maxLength: 6 }), async (query) => {
      const qs = new URLSearchParams(query).toString();
      const request = new Request(`${BASE}${path}?${qs}`, {
        headers: { ...(cookie ? { Cookie: cookie } : {}), ...headers },
      });
      const res = await call(fn, request);
      expect(res.status, qs.slice(0, 300)).toBeLessThan(500);
    }),
    { numRuns: 30 },
  );
}

const transitionIntents = fc.constantFrom(
  'record_introduction',
  'record_branch_vote',
  'record_decision',
  'return_for_improvement',
  'dossier',
  'flag',
  'nope',
);

describe('hostile forms never break a page and never write', () => {
  it('sign-in', async () => {
    await neverWrites(
      loginAction,
      '/login',
      undefined,
      entries({ email: hostileValue, password: hostileValue, redirectTo: hostileValue }),
    );
  }, 60_000);

  it('member edit (save and sub-records)', async () => {
    await neverWrites(
      editAction,
      `/members/${memberId}/edit`,
      union,
      entries({
        intent: fc.constantFrom('save', 'term.add', 'award.add', 'activity.update', 'rating.remove', 'x.y'),
        version: nonInteger,
        fullName: hostileValue,
        dateOfBirth: hostileValue,
        gpa: hostileValue,
      }),
      { id: String(memberId) },
    );
  }, 60_000);

  it('pipeline steps, dossier and province notes on the candidate tab', async () => {
    for (const cookie of [party, province]) {
      await neverWrites(
        stepAction,
        `/members/${memberId}/pipeline`,
        cookie,
        entries({
          intent: transitionIntents,
          version: nonInteger,
          introducedAt: hostileValue,
          reason: hostileValue,
        }),
        { id: String(memberId) },
      );
    }
  }, 90_000);

  it('bulk steps and bulk return', async () => {
    await neverWrites(
      readyAction,
      '/pipeline/ready',
      party,
      entries({
        step: fc.constantFrom('record_committee_review', 'record_decision', 'select_outstanding', 'nope'),
        ids: hostileValue,
        resolutionNo: hostileValue,
        resolutionDate: hostileValue,
      }),
    );
    await neverWrites(
      boardAction,
      '/pipeline?stage=dossier',
      party,
      entries({ intent: fc.constantFrom('return', 'x'), ids: hostileValue, reason: hostileValue }),
    );
  }, 90_000);

  it('evidence queue, targets, holidays, units and users', async () => {
    await neverWrites(
      queueAction,
      '/school/submissions',
      union,
      entries({
        intent: fc.constantFrom('approve', 'return', 'approve-many', 'correction-done'),
        id: hostileValue,
      }),
    );
    await neverWrites(
      targetsAction,
      '/reports/targets',
      province,
      entries({ year: hostileValue, school: hostileValue }, nonInteger),
    );
    await neverWrites(
      holidaysAction,
      '/admin/holidays',
      admin,
      entries({
        intent: fc.constantFrom('add', 'rename', 'delete', 'x'),
        date: nonInteger,
        name: hostileValue,
        id: hostileValue,
      }),
    );
    await neverWrites(
      unitNewAction,
      '/admin/units/new',
      admin,
      entries({ name: hostileValue, code: hostileValue, kind: hostileValue, parentId: hostileValue }),
    );
    await neverWrites(
      userNewAction,
      '/admin/users/new',
      admin,
      entries({
        email: hostileValue,
        role: fc.constantFrom('admin', 'student', '$ne', ''),
        unitId: hostileValue,
      }),
    );
  }, 120_000);
});

describe('hostile query strings never break a page', () => {
  it('member table, board, dashboard', async () => {
    await neverFails(membersLoader, '/members', province);
    await neverFails(boardLoader, '/pipeline', party);
    await neverFails(reportsLoader, '/reports', province);
  }, 120_000);

  it('the JSON API answers 400, never 500', async () => {
    await neverFails(apiMembers, '/api/v1/members', undefined, { Authorization: `Bearer ${apiSecret}` });
  }, 60_000);
});

it('an operator smuggled into the table search matches nothing special', async () => {
  const plain = await call(membersLoader, get('/members', province));
  const smuggled = await call(membersLoader, get('/members?q[$gt]=&stage[$ne]=x', province));
  expect(smuggled).toHaveStatus(200);
  expect(smuggled.data.rowCount).toBe(plain.data.rowCount);
});

it('a step sent without its version (or with a blank one) is refused, even on a never-edited record', async () => {
  const fresh = (await Member.findOne({ 'pipeline.stage': 'introduced', __v: 0 }).lean())!;
  for (const version of [undefined, '', '  ']) {
    const fields: [string, string][] = [
      ['intent', 'return_for_improvement'],
      ['reason', 'Thiếu lý lịch'],
    ];
    if (version !== undefined) fields.push(['version', version]);
    const res = await call(stepAction, postEntries(`/members/${fresh._id}/pipeline`, fields, province), {
      id: String(fresh._id),
    });
    expect(res).toHaveStatus(400);
  }
  expect((await Member.findById(fresh._id).lean())!.__v).toBe(0);
});
