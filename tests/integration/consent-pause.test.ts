/**
 * A record paused by its student's withdrawn consent (issue 16; Law 91/2025/QH15, Decree
 * 356/2025/NĐ-CP), outside the state machine: withdrawing needs its own confirmation; staff
 * then see the pause (member header, board card, evidence queue), exports of the record
 * and new or pending evidence are refused with the reason, the JSON API leaves the record
 * out, and the province's dashboard counts it. A consent never given pauses nothing;
 * giving it again lifts the pause. Every refusal writes nothing.
 *
 * The tests run in order on one seeded database: never given → given → withdrawn → given again.
 */
import ExcelJS from 'exceljs';
import mongoose, { type Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Submission } from '../../models/submission.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { parseCsv } from '~/domain/member-import/csv';
import { consentWithdrawn } from '~/domain/consent';
import { OPEN_STAGES } from '~/domain/stages';
import { action as tokensAction } from '~/routes/admin.tokens';
import { loader as apiMemberLoader } from '~/routes/api.v1.members.$id';
import { loader as apiMembersLoader } from '~/routes/api.v1.members';
import { action as consentAction, loader as consentLoader } from '~/routes/me.consent';
import { loader as dataLoader } from '~/routes/me.data[.]json';
import { action as submitAction } from '~/routes/me.submissions';
import { loader as layoutLoader } from '~/routes/members.$id';
import { loader as historyLoader } from '~/routes/members.$id.history[.]csv';
import { loader as membersLoader } from '~/routes/members._index';
import { loader as exportLoader } from '~/routes/members.export';
import { loader as boardLoader } from '~/routes/pipeline._index';
import { loader as reportsLoader } from '~/routes/reports._index';
import { action as queueAction, loader as queueLoader } from '~/routes/school.submissions';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { CONSENT_WITHDRAWN_EXPR, consentWithdrawnFilter } from '~/utils/student/consent.server';
import { invalidateDashboards } from '~/utils/reports/reports.server';
import { signIn } from '../fixtures/auth.ts';
import { BASE, call, context, get, post, postEntries } from '../fixtures/remix.ts';

let student: string;
let union: string;
let province: string;
let admin: string;
let own: Types.ObjectId;
let stage: string;
let other: {
  _id: Types.ObjectId;
  schoolId: Types.ObjectId;
  ancestors: Types.ObjectId[];
  studentCode: string;
};
let provinceSecret: string;
let pendingOwn: string;
let pendingOther: string;

const id = () => String(own);
const ownRecord = async () => (await Member.findById(own).lean())!;
const events = (action: string) => AuditEvent.countDocuments({ entityId: own, action });

const give = () => call(consentAction, post('/me/consent', { intent: 'give', agree: 'on' }, student));
const withdraw = (fields: Record<string, string> = { confirm: 'on' }) =>
  call(consentAction, post('/me/consent', { intent: 'withdraw', ...fields }, student));

const header = async () =>
  (await call(layoutLoader, get(`/members/${id()}/pipeline`, union), { id: id() })).data.member;

async function boardCard() {
  const res = await call(boardLoader, get(`/pipeline?stage=${stage}`, union));
  expect(res).toHaveStatus(200);
  const cards = res.data.lanes.flatMap((l: { cards: { id: string }[] }) => l.cards);
  return cards.find((c: { id: string }) => c.id === id());
}

const history = (cookie = union) =>
  call(historyLoader, get(`/members/${id()}/history.csv`, cookie), { id: id() });

/** The member export route's file, as bytes (the route streams it). */
async function exportFile(format: 'xlsx' | 'csv', ids: string[]) {
  const qs = new URLSearchParams([['format', format], ...ids.map((x) => ['id', x] as [string, string])]);
  const res = (await exportLoader({
    request: get(`/members/export?${qs}`, union),
    params: {},
    context: context(),
  })) as Response;
  expect(res).toHaveStatus(200);
  return Buffer.from(await res.arrayBuffer());
}

async function xlsxSheets(buffer: Buffer) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  return workbook.worksheets.map((ws) => {
    const rows: string[][] = [];
    ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
    return { name: ws.name, rows };
  });
}

const apiGet = (loader: typeof apiMemberLoader, path: string, params: Record<string, string> = {}) =>
  call(loader, new Request(BASE + path, { headers: { Authorization: `Bearer ${provinceSecret}` } }), params);

async function apiAllWithheld(): Promise<{ served: string[]; withheld: { id: string; reason: string }[] }> {
  const served: string[] = [];
  const withheld: { id: string; reason: string }[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const res = await apiGet(
      apiMembersLoader,
      `/api/v1/members?size=200${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(res).toHaveStatus(200);
    served.push(...res.data.data.map((m: { id: string }) => m.id));
    withheld.push(...res.data.withheld);
    cursor = res.data.page.next;
    if (!cursor) return { served, withheld };
  }
  throw new Error('paging did not end');
}

const submit = (title: string) =>
  call(
    submitAction,
    post(
      '/me/submissions',
      { kind: 'activity', title, date: '2026-06-20', days: '3', evidence: 'Xác nhận của đội trưởng' },
      student,
    ),
  );

/** The dashboard's paused figure, counted afresh, and the member table behind its link. */
async function pausedFigure() {
  invalidateDashboards();
  const res = await call(reportsLoader, get('/reports', province));
  expect(res).toHaveStatus(200);
  const bottleneck = res.data.dashboard.bottlenecks.find((b: { kind: string }) => b.kind === 'paused');
  const row = res.data.tables
    .find((t: { id: string }) => t.id === 'bottlenecks')
    .rows.find(
      (r: { value: unknown }[]) => r[1].value === bottleneck.count && String(r[0].value).includes('Tạm dừng'),
    );
  return {
    count: bottleneck.count as number,
    items: bottleneck.items,
    href: row?.[1].href as string | undefined,
  };
}

/** Open-stage records with withdrawn consent, by the pure rule, over the whole province. */
async function pausedByHand() {
  const members = await Member.find({ 'pipeline.stage': mongoose.trusted({ $in: [...OPEN_STAGES] }) })
    .select({ consent: 1 })
    .lean();
  return members.filter((m) => consentWithdrawn(m.consent)).length;
}

const DMY = /\d{2}\/\d{2}\/\d{4}/;
const vnDate = (d: Date) =>
  new Intl.DateTimeFormat('vi-VN', {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    timeZone: 'Asia/Ho_Chi_Minh',
  }).format(d);

beforeAll(async () => {
  await seedDatabase({ members: 80, seed: 1, reset: true });
  [student, union, province, admin] = await Promise.all(
    ['sinhvien@demo.vn', 'doantruong.pvd@demo.vn', 'tinhdoan@demo.vn', 'admin@demo.vn'].map((e) => signIn(e)),
  );
  own = (await User.findOne({ email: 'sinhvien@demo.vn' }).lean())!.memberId!;
  const m = await ownRecord();
  stage = m.pipeline!.stage!;
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  other = (await Member.findOne({
    schoolId: pvd._id,
    _id: mongoose.trusted({ $ne: own }),
    'consent.withdrawnAt': null,
  }).lean())! as typeof other;
  const provinceUnit = (await Unit.findOne({ kind: 'province', active: true }).lean())!;
  const created = await call(
    tokensAction,
    post(
      '/admin/tokens',
      { intent: 'create', name: 'Tỉnh đoàn', unitId: String(provinceUnit._id), expiresOn: '' },
      admin,
    ),
  );
  provinceSecret = created.data.created.secret;
}, 60_000);

describe('the rule in the database agrees with consentWithdrawn', () => {
  it('finds and counts exactly the withdrawn-and-not-given-again cases', async () => {
    const w = new Date('2026-03-01T03:00:00Z');
    const cases = [
      { n: 'never' },
      { n: 'given', consent: { givenAt: new Date('2026-02-01') } },
      { n: 'withdrawn', consent: { givenAt: new Date('2026-02-01'), withdrawnAt: w } },
      { n: 'noGiven', consent: { withdrawnAt: w } },
      { n: 'givenAgain', consent: { givenAt: new Date('2026-04-01'), withdrawnAt: w } },
      { n: 'sameInstant', consent: { givenAt: w, withdrawnAt: w } },
    ];
    const c = mongoose.connection.db!.collection('consent_cases');
    await c.insertMany(cases.map((x) => ({ ...x })));
    const expected = cases.filter((x) => consentWithdrawn(x.consent)).map((x) => x.n);
    expect(expected).toEqual(['withdrawn', 'noGiven', 'sameInstant']);
    const found = await c.find(consentWithdrawnFilter()).sort({ n: 1 }).toArray();
    expect(found.map((d) => d.n)).toEqual([...expected].sort());
    const [counted] = await c
      .aggregate([{ $group: { _id: null, n: { $sum: { $cond: [CONSENT_WITHDRAWN_EXPR, 1, 0] } } } }])
      .toArray();
    expect(counted.n).toBe(expected.length);
  });
});

describe('a consent never given pauses nothing (the school keeps the record before the first sign-in)', () => {
  it('shows no banner or marker, exports and serves the record, counts nothing', async () => {
    expect((await ownRecord()).consent?.givenAt).toBeFalsy();
    expect((await header()).pausedSince).toBeNull();
    expect((await boardCard()).pausedSince).toBeNull();
    expect((await history()).status).toBe(200);
    const csv = (await exportFile('csv', [id(), String(other._id)])).toString('utf8');
    expect(csv).toContain((await ownRecord()).studentCode);
    expect((await apiGet(apiMemberLoader, `/api/v1/members/${id()}`, { id: id() })).status).toBe(200);
    expect((await apiAllWithheld()).withheld.map((w) => w.id)).not.toContain(id());
    expect((await pausedFigure()).count).toBe(await pausedByHand());
  });

  it('lets staff decide a pending item of that record', async () => {
    const item = await Submission.create({
      memberId: own,
      schoolId: other.schoolId,
      ancestors: (await ownRecord()).ancestors,
      kind: 'activity',
      title: 'Hiến máu nhân đạo (chưa đồng ý)',
      date: new Date('2026-05-01'),
      days: 1,
      evidence: 'Giấy chứng nhận hiến máu',
    });
    const res = await call(
      queueAction,
      post('/school/submissions', { intent: 'approve', id: String(item._id) }, union),
    );
    expect(res).toHaveStatus(302);
    expect((await Submission.findById(item._id).lean())!.status).toBe('approved');
  });
});

describe('withdrawing asks for confirmation', () => {
  it('gives consent first, so there is something to withdraw', async () => {
    expect((await give()).status).toBe(302);
    const page = await call(consentLoader, get('/me/consent', student));
    expect(page.data.consent).toMatchObject({ current: true, paused: false });
    // Evidence sent while consent is in force: decided later, while it is withdrawn.
    expect((await submit('Mùa hè xanh 2026 (chờ duyệt)')).status).toBe(302);
    pendingOwn = String((await Submission.findOne({ memberId: own, status: 'submitted' }).lean())!._id);
    pendingOther = String(
      (
        await Submission.create({
          memberId: other._id,
          schoolId: other.schoolId,
          ancestors: other.ancestors,
          kind: 'activity',
          title: 'Tiếp sức mùa thi',
          date: new Date('2026-06-25'),
          days: 2,
          evidence: 'Xác nhận của Đoàn trường',
        })
      )._id,
    );
  });

  it('refuses a withdrawal without the box ticked: 400 beside the field, nothing written', async () => {
    const before = JSON.stringify((await ownRecord()).consent);
    const withdrawn = await events('member.consent.withdraw');
    for (const fields of [{}, { confirm: '' }, { confirm: 'yes' }] as Record<string, string>[]) {
      const res = await withdraw(fields);
      expect(res).toHaveStatus(400);
      expect(res.data.fieldErrors).toEqual({ confirm: ['consent.v.confirm'] });
      // The same as conform's reply, the withdrawal form's lastResult.
      expect(res.data).toMatchObject({
        intent: 'withdraw',
        result: { status: 'error', error: { confirm: ['consent.v.confirm'] } },
      });
    }
    expect(JSON.stringify((await ownRecord()).consent)).toBe(before);
    expect(await events('member.consent.withdraw')).toBe(withdrawn);
  });

  it('withdraws with the box ticked; the page then says the record is paused, since when', async () => {
    const withdrawn = await events('member.consent.withdraw');
    const res = await withdraw();
    expect(res).toRedirectTo('/me/consent?withdrawn=1');
    expect(await events('member.consent.withdraw')).toBe(withdrawn + 1);
    const c = (await ownRecord()).consent!;
    expect(c.withdrawnAt).toBeInstanceOf(Date);
    const page = await call(consentLoader, get('/me/consent', student));
    expect(page.data.consent).toMatchObject({
      current: false,
      paused: true,
      withdrawnAt: c.withdrawnAt!.toISOString(),
    });
  });
});

describe('while consent is withdrawn', () => {
  it('shows staff the pause with its date on every member tab and on the board card', async () => {
    const at = (await ownRecord()).consent!.withdrawnAt!.toISOString();
    expect((await header()).pausedSince).toBe(at);
    // The profile tab has the same layout loader: /members/:id.
    const profile = await call(layoutLoader, get(`/members/${id()}`, union), { id: id() });
    expect(profile.data.member.pausedSince).toBe(at);
    expect((await boardCard()).pausedSince).toBe(at);
  });

  it('refuses staff the record’s history CSV with 409 and the reason, logging no export', async () => {
    const exported = await events('member.history.export');
    const res = await history();
    expect(res).toHaveStatus(409);
    const text = res.data as string;
    expect(text).toContain('Đoàn viên đã rút lại đồng ý xử lý dữ liệu cá nhân ngày');
    expect(text).toContain(vnDate((await ownRecord()).consent!.withdrawnAt!));
    expect(text).toContain('hồ sơ tạm dừng xử lý');
    expect(text).toContain('91/2025/QH15');
    expect(await events('member.history.export')).toBe(exported);
  });

  it('still gives the student their own copies (a data-subject right)', async () => {
    expect((await history(student)).status).toBe(200);
    const copy = await call(dataLoader, get('/me/data.json', student));
    expect(copy).toHaveStatus(200);
  });

  it('leaves the record out of a list export and says how many and why in the Excel file', async () => {
    const code = (await ownRecord()).studentCode;
    const sheets = await xlsxSheets(await exportFile('xlsx', [id(), String(other._id)]));
    expect(sheets.map((s) => s.name)).toEqual(['Đoàn viên', 'Ghi chú']);
    const [members, notes] = sheets;
    expect(members.rows).toHaveLength(2); // the header and the other member
    expect(members.rows[1][0]).toBe(other.studentCode);
    expect(members.rows.flat().join(' ')).not.toContain(code);
    expect(notes.rows[0][0]).toMatch(/^1 hồ sơ không có trong tệp này: đoàn viên đã rút lại đồng ý/);
    expect(notes.rows[0][0]).toContain('Nghị định 356/2025/NĐ-CP');

    const csv = parseCsv((await exportFile('csv', [id(), String(other._id)])).toString('utf8'));
    expect(csv.ok).toBe(true);
    if (!csv.ok) return;
    expect(csv.rows.map((r) => r.cells[0])).toEqual(['Mã sinh viên/học sinh', expect.any(String)]);
    expect(csv.rows.flatMap((r) => r.cells)).not.toContain(code);
    // The list page says so beside the export buttons.
    expect((await call(membersLoader, get('/members', union))).status).toBe(200);
  });

  it('keeps the record out of the JSON API: named in `withheld` in a list, 409 alone', async () => {
    const { served, withheld } = await apiAllWithheld();
    expect(served).not.toContain(id());
    expect(withheld).toContainEqual({ id: id(), reason: 'consent_withdrawn' });
    const one = await apiGet(apiMemberLoader, `/api/v1/members/${id()}`, { id: id() });
    expect(one).toHaveStatus(409);
    expect(one.data.error.code).toBe('consent_withdrawn');
    expect(one.data.error.message).toContain('withdrew consent');
    expect(JSON.stringify(one.data)).not.toContain((await ownRecord()).fullName);
  });

  it('refuses the student’s new evidence with 409 and the reason with its date, storing nothing', async () => {
    const [count, created] = [
      await Submission.countDocuments({ memberId: own }),
      await events('member.submission.create'),
    ];
    const res = await submit('Hiến máu 2026');
    expect(res).toHaveStatus(409);
    expect(res.data.formError).toContain('Bạn đã rút lại đồng ý xử lý dữ liệu cá nhân ngày');
    expect(res.data.formError).toMatch(DMY);
    expect(res.data.formError).toContain(vnDate((await ownRecord()).consent!.withdrawnAt!));
    expect(res.data.values.title).toBe('Hiến máu 2026');
    expect(await Submission.countDocuments({ memberId: own })).toBe(count);
    expect(await events('member.submission.create')).toBe(created);
  });

  it('marks the pending item in the queue and refuses to approve or return it, writing nothing', async () => {
    const queue = await call(queueLoader, get('/school/submissions', union));
    const item = queue.data.queue.find((s: { id: string }) => s.id === pendingOwn);
    expect(item.pausedSince).toBe((await ownRecord()).consent!.withdrawnAt!.toISOString());
    expect(queue.data.queue.find((s: { id: string }) => s.id === pendingOther).pausedSince).toBeNull();

    const before = await ownRecord();
    const decided = (await events('member.submission.approve')) + (await events('member.submission.return'));
    for (const fields of [
      { intent: 'approve', id: pendingOwn },
      { intent: 'return', id: pendingOwn, reason: 'Thiếu xác nhận của đơn vị' },
    ] as Record<string, string>[]) {
      const res = await call(queueAction, post('/school/submissions', fields, union));
      expect(res).toHaveStatus(409);
      expect(res.data.id).toBe(pendingOwn);
      expect(res.data.formError).toContain('hồ sơ tạm dừng xử lý');
      expect(res.data.formError).toContain(vnDate(before.consent!.withdrawnAt!));
    }
    expect((await Submission.findById(pendingOwn).lean())!.status).toBe('submitted');
    const after = await ownRecord();
    expect(after.__v).toBe(before.__v);
    expect(after.activities).toHaveLength(before.activities!.length);
    expect((await events('member.submission.approve')) + (await events('member.submission.return'))).toBe(
      decided,
    );
  });

  it('decides the others of a bulk selection and counts the paused one apart', async () => {
    const res = await call(
      queueAction,
      postEntries(
        '/school/submissions',
        [
          ['intent', 'approve-many'],
          ['ids', pendingOwn],
          ['ids', pendingOther],
        ],
        union,
      ),
    );
    expect(res).toRedirectTo('/school/submissions?done=approved&count=1&paused=1');
    expect((await Submission.findById(pendingOwn).lean())!.status).toBe('submitted');
    expect((await Submission.findById(pendingOther).lean())!.status).toBe('approved');
  });

  it('counts the paused record on the province dashboard, linked to exactly those records', async () => {
    const figure = await pausedFigure();
    const byHand = await pausedByHand();
    expect(figure.count).toBe(byHand);
    expect(OPEN_STAGES as readonly string[]).toContain(stage);
    expect(figure.count).toBeGreaterThanOrEqual(1);
    // Counted, never named.
    expect(figure.items).toEqual([]);
    expect(figure.href).toBe('/members?due=paused');
    const table = await call(membersLoader, get('/members?due=paused&size=100', province));
    expect(table.data.rowCount).toBe(figure.count);
    expect(table.data.rows.map((r: { id: string }) => r.id)).toContain(id());
  });
});

describe('giving consent again lifts the pause', () => {
  it('removes the banner and marker, and serves, exports, accepts and decides again', async () => {
    const pausedBefore = await pausedByHand();
    expect((await give()).status).toBe(302);
    expect(consentWithdrawn((await ownRecord()).consent)).toBe(false);
    expect((await header()).pausedSince).toBeNull();
    expect((await boardCard()).pausedSince).toBeNull();
    expect((await history()).status).toBe(200);
    const csv = (await exportFile('csv', [id()])).toString('utf8');
    expect(csv).toContain((await ownRecord()).studentCode);
    expect((await apiGet(apiMemberLoader, `/api/v1/members/${id()}`, { id: id() })).status).toBe(200);
    expect((await submit('Hiến máu 2026')).status).toBe(302);
    const approve = await call(
      queueAction,
      post('/school/submissions', { intent: 'approve', id: pendingOwn }, union),
    );
    expect(approve).toHaveStatus(302);
    expect((await Submission.findById(pendingOwn).lean())!.status).toBe('approved');
    expect((await pausedFigure()).count).toBe(pausedBefore - 1);
  });

  it('leaves an audit log with no gaps', async () => {
    expect((await verifyAudit()).gaps).toEqual([]);
  });
});
