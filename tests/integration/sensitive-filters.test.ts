/**
 * Sensitive data (ethnicity, religion, citizen ID; Law 91/2025) through every place it
 * can leave the server (docs/decisions/023-sensitive-data-exits.md), through the real
 * loaders for each role:
 * - the member table and its export refuse a sensitive filter (and the sensitive columns)
 *   to a role that may not reveal sensitive data, with a Vietnamese message, instead of
 *   silently showing the whole list;
 * - a list or file filtered by one that holds 1-4 people is refused (the dashboard's
 *   small-group rule), even to roles that may reveal;
 * - every other such list or file writes a `member.sensitive.reveal` event (who, which
 *   filter, how many records);
 * - the API refuses sensitive filters; the list rows, the API JSON, the dashboard, its
 *   xlsx, a member's history CSV carry no one's sensitive value; the student's own JSON does.
 */
import ExcelJS from 'exceljs';
import mongoose, { type Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { SMALL_GROUP_UNDER } from '~/domain/sensitive-data';
import { translate } from '~/i18n';
import { loader as apiMembersLoader } from '~/routes/api.v1.members';
import { loader as meDataLoader } from '~/routes/me.data[.]json';
import { loader as mePrintLoader } from '~/routes/me.print';
import { action as importAction, loader as importLoader } from '~/routes/members.import';
import { loader as historyLoader } from '~/routes/members.$id.history[.]csv';
import { loader as membersLoader } from '~/routes/members._index';
import { loader as exportLoader } from '~/routes/members.export';
import { loader as reportsLoader } from '~/routes/reports._index';
import { loader as reportsXlsxLoader } from '~/routes/reports[.]xlsx';
import { createApiToken, resetApiRateLimit } from '~/utils/api/api-auth.server';
import { signIn } from '../fixtures/auth.ts';
import { BASE, call, context, get } from '../fixtures/remix.ts';

const EMAIL = {
  student: 'sinhvien@demo.vn',
  school_union: 'doantruong.pvd@demo.vn',
  school_party: 'danguy.pvd@demo.vn',
  province_union: 'tinhdoan@demo.vn',
  admin: 'admin@demo.vn',
} as const;
type Who = keyof typeof EMAIL;
const cookies = {} as Record<Who, string>;
const userIds = {} as Record<Who, string>;

/** Groups made for the test inside Phạm Văn Đồng: one too small to list, one just big enough. */
const SMALL = 'Ơ Đu';
const RELIGION = 'Cao Đài';
let pvd: Types.ObjectId;
let smallIds: Types.ObjectId[];
let kinhInPvd: number;
let kinhAll: number;
let apiSecret: string;

beforeAll(async () => {
  await seedDatabase({ members: 200, seed: 1, reset: true });
  pvd = (await Unit.findOne({ code: 'PVD' }).lean())!._id;
  const pvdMembers = await Member.find({ schoolId: pvd, ethnicity: 'Kinh' })
    .sort({ _id: 1 })
    .limit(SMALL_GROUP_UNDER + 3)
    .select({ _id: 1 })
    .lean();
  smallIds = pvdMembers.slice(0, 3).map((m) => m._id);
  await Member.collection.updateMany(
    { _id: { $in: smallIds } },
    { $set: { ethnicity: SMALL, 'pipeline.stage': 'outstanding' } },
  );
  // Exactly SMALL_GROUP_UNDER of the religion (no one else in the demo province has it).
  await Member.collection.updateMany({ religion: RELIGION }, { $set: { religion: 'Không' } });
  await Member.collection.updateMany(
    { _id: { $in: pvdMembers.slice(3, 3 + SMALL_GROUP_UNDER).map((m) => m._id) } },
    { $set: { religion: RELIGION } },
  );
  kinhInPvd = await Member.countDocuments({ schoolId: pvd, ethnicity: 'Kinh' });
  kinhAll = await Member.countDocuments({ ethnicity: 'Kinh' });
  expect(kinhInPvd).toBeGreaterThanOrEqual(SMALL_GROUP_UNDER);
  for (const [who, email] of Object.entries(EMAIL) as [Who, string][]) {
    cookies[who] = await signIn(email);
    userIds[who] = String((await User.findOne({ email }).lean())!._id);
  }
  resetApiRateLimit();
  apiSecret = (
    await createApiToken({ id: userIds.admin }, { name: 'sensitive filters', unitId: String(pvd) })
  ).secret;
}, 120_000);

const list = (who: Who, qs: string) => call(membersLoader, get(`/members?${qs}`, cookies[who]));
const file = (who: Who, qs: string) => call(exportLoader, get(`/members/export?${qs}`, cookies[who]));
const enc = encodeURIComponent;

/** The reveal events written by `who` since `since` (read-event chain: no member). */
async function revealsSince(who: Who, since: Date) {
  return AuditEvent.find({
    action: 'member.sensitive.reveal',
    actorId: new mongoose.Types.ObjectId(userIds[who]),
    at: mongoose.trusted({ $gte: since }),
  })
    .sort({ seq: 1 })
    .lean<{ details: Record<string, unknown>; entityId: unknown }[]>();
}

async function sensitiveEventsSince(since: Date) {
  return AuditEvent.countDocuments({
    action: mongoose.trusted({ $in: ['member.sensitive.reveal', 'member.export.sensitive'] }),
    at: mongoose.trusted({ $gte: since }),
  });
}

describe('the member table (/members) filtered by a sensitive field', () => {
  it.each(['province_union'] as const)(
    '%s, who may not reveal sensitive data, is refused ?ethnicity= and ?religion= with a reason',
    async (who) => {
      const since = new Date();
      for (const qs of [`ethnicity=Kinh`, `ethnicity=Kinh&group=open`, `religion=${enc(RELIGION)}`]) {
        const res = await list(who, qs);
        expect(res.status, qs).toBe(403);
        expect(res.data.refusal).toBe('filterForbidden');
        expect(res.data.message).toContain('dữ liệu nhạy cảm');
        expect(JSON.stringify(res.data)).not.toContain('fullName');
      }
      // The same list without the filter is still theirs to read.
      expect((await list(who, 'size=25')).status).toBe(200);
      expect(await sensitiveEventsSince(since)).toBe(0);
    },
  );

  it('a student is refused the table altogether', async () => {
    expect((await list('student', 'ethnicity=Kinh')).status).toBe(403);
  });

  it.each(['school_union', 'school_party', 'admin'] as const)(
    '%s: a group under 5 is refused by name, alone or narrowed by other filters',
    async (who) => {
      const since = new Date();
      for (const qs of [
        `ethnicity=${enc(SMALL)}`,
        `ethnicity=${enc(SMALL)}&group=pipeline`,
        `ethnicity=Kinh&q=${enc((await Member.findById(smallIds[0]).lean())!.fullName)}&ethnicity=Kinh`,
      ]) {
        // The third: Kinh is large, but the search narrows it to a name or two.
        const narrowed = qs.startsWith('ethnicity=Kinh')
          ? await Member.countDocuments({
              ethnicity: 'Kinh',
              fullName: (await Member.findById(smallIds[0]).lean())!.fullName,
              ...(who === 'admin' ? {} : { schoolId: pvd }),
            })
          : 3;
        if (narrowed === 0 || narrowed >= SMALL_GROUP_UNDER) continue;
        const res = await list(who, qs);
        expect(res.status, qs).toBe(403);
        expect(res.data.refusal).toBe('smallGroup');
        expect(res.data.message).toContain(`dưới ${SMALL_GROUP_UNDER} người`);
        expect(smallIds).not.toHaveLength(0);
        for (const id of smallIds) expect(JSON.stringify(res.data)).not.toContain(String(id));
      }
      expect(await revealsSince(who, since)).toHaveLength(0);
    },
  );

  it.each(['school_union', 'school_party', 'admin'] as const)(
    '%s: a larger group is listed, and logged as a reveal (who, which filter, how many)',
    async (who) => {
      const since = new Date();
      const res = await list(who, 'ethnicity=Kinh&size=25');
      expect(res).toHaveStatus(200);
      const expected = who === 'admin' ? kinhAll : kinhInPvd;
      expect(res.data.rowCount).toBe(expected);
      // The rows never carry the value itself.
      for (const row of res.data.rows) {
        expect(Object.keys(row)).not.toEqual(expect.arrayContaining(['ethnicity']));
        expect(row).not.toHaveProperty('religion');
        expect(row).not.toHaveProperty('citizenId');
      }
      const events = await revealsSince(who, since);
      expect(events).toHaveLength(1);
      expect(events[0].entityId).toBeNull();
      expect(events[0].details).toEqual({
        via: 'list',
        fields: ['ethnicity'],
        filter: { ethnicity: 'Kinh' },
        count: expected,
      });
    },
  );

  it('school_union: ?religion= filters (it was ignored) and is logged; exactly 5 is shown', async () => {
    const since = new Date();
    const res = await list('school_union', `religion=${enc(RELIGION)}`);
    expect(res).toHaveStatus(200);
    expect(res.data.rowCount).toBe(SMALL_GROUP_UNDER);
    const events = await revealsSince('school_union', since);
    expect(events.map((e) => e.details)).toEqual([
      { via: 'list', fields: ['religion'], filter: { religion: RELIGION }, count: SMALL_GROUP_UNDER },
    ]);
    // One fewer by another filter: refused.
    const one = (await Member.findOne({ religion: RELIGION }).lean())!;
    const narrowed = await list('school_union', `religion=${enc(RELIGION)}&q=${enc(one.studentCode)}`);
    expect(narrowed).toHaveStatus(403);
    expect(narrowed.data.refusal).toBe('smallGroup');
  });

  it('an empty group reveals no one: shown (0 rows) and still logged', async () => {
    const since = new Date();
    const res = await list('school_party', `ethnicity=${enc('Không có ai')}`);
    expect(res).toHaveStatus(200);
    expect(res.data.rowCount).toBe(0);
    expect((await revealsSince('school_party', since))[0].details.count).toBe(0);
  });
});

describe('the member export (/members/export) by a sensitive field, or with sensitive columns', () => {
  const lines = (csv: string) =>
    csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);

  it('province_union is refused a sensitive filter and the sensitive columns, with a reason', async () => {
    const since = new Date();
    for (const qs of ['format=csv&ethnicity=Kinh', `format=xlsx&religion=${enc(RELIGION)}`]) {
      const res = await file('province_union', qs);
      expect(res.status, qs).toBe(403);
      expect(res.headers.get('Content-Disposition')).toBeNull();
      expect(res.data).toContain('dữ liệu nhạy cảm');
    }
    const columns = await file('province_union', 'format=csv&sensitive=1');
    expect(columns).toHaveStatus(403);
    expect(columns.data).toContain('số CCCD');
    // Without them the export is still theirs.
    expect((await file('province_union', 'format=csv&school=' + String(pvd))).status).toBe(200);
    expect(await sensitiveEventsSince(since)).toBe(0);
  });

  it('a student is refused', async () => {
    expect((await file('student', 'format=csv&ethnicity=Kinh')).status).toBe(403);
  });

  it.each(['school_union', 'school_party', 'admin'] as const)(
    '%s: a file of a group under 5 is refused; a larger one is written and logged with its count',
    async (who) => {
      const since = new Date();
      const small = await file(who, `format=csv&ethnicity=${enc(SMALL)}`);
      expect(small).toHaveStatus(403);
      expect(small.data).toContain(`dưới ${SMALL_GROUP_UNDER} người`);
      expect(small.headers.get('Content-Disposition')).toBeNull();
      expect(await revealsSince(who, since)).toHaveLength(0);

      const res = await file(who, 'format=csv&ethnicity=Kinh');
      expect(res).toHaveStatus(200);
      const rows = lines(res.data as string).length - 1;
      expect(rows).toBeGreaterThanOrEqual(SMALL_GROUP_UNDER);
      const events = await revealsSince(who, since);
      expect(events.map((e) => e.details)).toEqual([
        { via: 'export', fields: ['ethnicity'], filter: { ethnicity: 'Kinh' }, count: rows },
      ]);
    },
  );

  it('school_union: a file with the sensitive columns is logged with how many records', async () => {
    const since = new Date();
    const res = await file('school_union', `format=csv&sensitive=1&religion=${enc(RELIGION)}`);
    expect(res).toHaveStatus(200);
    const csv = lines(res.data as string);
    expect(csv[0]).toContain('Tôn giáo');
    expect(csv).toHaveLength(1 + SMALL_GROUP_UNDER);
    const exports = await AuditEvent.find({
      action: 'member.export.sensitive',
      at: mongoose.trusted({ $gte: since }),
    }).lean<{ details: Record<string, unknown> }[]>();
    expect(exports.map((e) => e.details.count)).toEqual([SMALL_GROUP_UNDER]);
    expect((await revealsSince('school_union', since)).map((e) => e.details.count)).toEqual([
      SMALL_GROUP_UNDER,
    ]);
  });
});

describe('the other places a sensitive field could leave the server', () => {
  it('the JSON API refuses sensitive filters (403), rather than answering the whole list', async () => {
    for (const param of ['ethnicity=Kinh', `religion=${enc(RELIGION)}`, 'citizenId=051205000001']) {
      const res = await call(
        apiMembersLoader,
        new Request(`${BASE}/api/v1/members?${param}`, { headers: { Authorization: `Bearer ${apiSecret}` } }),
      );
      expect(res.status, param).toBe(403);
      expect(res.data.error.code).toBe('sensitive_filter');
    }
    const plain = await call(
      apiMembersLoader,
      new Request(`${BASE}/api/v1/members?size=100`, { headers: { Authorization: `Bearer ${apiSecret}` } }),
    );
    expect(plain).toHaveStatus(200);
    const text = JSON.stringify(plain.data);
    for (const key of ['ethnicity', 'religion', 'citizenId', SMALL]) expect(text).not.toContain(key);
  });

  it('the dashboard: no ethnicity for roles that may not reveal; cells under 5 hidden for the others', async () => {
    const province = await call(reportsLoader, get('/reports', cookies.province_union));
    expect(province).toHaveStatus(200);
    expect(province.data.dashboard.breakdowns.ethnicity).toBeNull();
    expect(JSON.stringify(province.data)).not.toContain('by-ethnicity');
    const union = await call(reportsLoader, get('/reports', cookies.school_union));
    const small = (
      union.data.dashboard.breakdowns.ethnicity as { value: string; open: number | null }[]
    ).find((r) => r.value === SMALL);
    expect(small?.open).toBeNull();
    expect(union.data.dashboard.breakdowns.ethnicity).not.toHaveLength(0);
    for (const row of union.data.dashboard.breakdowns.ethnicity as Record<string, number | null>[]) {
      for (const n of [row.open, row.admitted, row.official]) {
        if (n !== null) expect(n === 0 || n >= SMALL_GROUP_UNDER).toBe(true);
      }
    }
  });

  it("the dashboard's xlsx: no ethnicity sheet for province_union; under 5 hidden for the others", async () => {
    const sheets = async (who: Who) => {
      const res = (await reportsXlsxLoader({
        request: get('/reports.xlsx', cookies[who]),
        params: {},
        context: context(),
      })) as Response;
      expect(res).toHaveStatus(200);
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(await res.arrayBuffer());
      return book;
    };
    const sheetName = translate('vi', 'reports.sheet.ethnicity');
    expect((await sheets('province_union')).getWorksheet(sheetName)).toBeUndefined();
    const sheet = (await sheets('school_union')).getWorksheet(sheetName)!;
    expect(sheet).toBeDefined();
    let found = false;
    sheet.eachRow((row) => {
      if (row.getCell(1).value !== SMALL) return;
      found = true;
      expect(row.getCell(2).value).toBe(translate('vi', 'reports.suppressed'));
    });
    expect(found).toBe(true);
  });

  it("a member's history CSV names the sensitive fields changed or revealed, never their values", async () => {
    const id = String(smallIds[0]);
    const res = await call(historyLoader, get(`/members/${id}/history.csv`, cookies.school_union), { id });
    expect(res).toHaveStatus(200);
    expect(res.data).not.toContain(SMALL);
  });

  it("the student's own JSON download carries their own sensitive values (their right to a copy)", async () => {
    const res = await call(meDataLoader, get('/me/data.json', cookies.student));
    expect(res).toHaveStatus(200);
    const mine = res.data.member;
    const own = (await Member.findById(mine._id).select('+citizenId').lean())!;
    expect(own.email).toBe(EMAIL.student);
    expect(mine.ethnicity).toBe(own.ethnicity);
    expect(mine.citizenId).toBe(own.citizenId ?? undefined);
  });

  it("the student's print page leaves the sensitive fields out", async () => {
    const res = await call(mePrintLoader, get('/me/print', cookies.student));
    expect(res).toHaveStatus(200);
    const own = (await User.findOne({ email: EMAIL.student }).lean())!;
    const m = (await Member.findById(own.memberId).select('+citizenId').lean())!;
    const text = JSON.stringify(res.data);
    expect(text).not.toMatch(/"(ethnicity|religion|citizenId)"/);
    if (m.citizenId) expect(text).not.toContain(m.citizenId);
  });

  it('an import report never repeats a typed sensitive value, only where it is wrong', async () => {
    const branch = (await Unit.findOne({ kind: 'branch', ancestors: pvd, active: true }).lean())!.code;
    const csv = [
      'Mã sinh viên/học sinh,Họ và tên,Ngày sinh,Giới tính,Chi đoàn,Số CCCD',
      `SEN0001,Nguyễn Văn Nhạy,05/09/2005,Nam,${branch},BÍ-MẬT-12`,
    ].join('\n');
    const form = new FormData();
    form.set('intent', 'upload');
    form.set('kind', 'members');
    form.set('file', new Blob([csv], { type: 'text/csv' }), 'cccd.csv');
    const res = await call(
      importAction,
      new Request(`${BASE}/members/import`, {
        method: 'POST',
        body: form,
        headers: { Cookie: cookies.school_union },
      }),
    );
    expect(res).toHaveStatus(302);
    const token = new URL(res.location!, BASE).searchParams.get('token')!;
    const page = await call(importLoader, get(`/members/import?token=${token}`, cookies.school_union));
    expect(page).toHaveStatus(200);
    const problems = page.data.upload.problems as { column?: string }[];
    expect(problems.some((p) => p.column === 'Số CCCD')).toBe(true);
    expect(JSON.stringify(page.data)).not.toContain('BÍ-MẬT-12');
  });
});
