import { convertGpa } from '~/domain/criteria/engine';
/**
 * `/members` and `/members/export` called with real Requests against the embedded
 * database: scope inside the query, search without diacritics, Vietnamese name
 * order, paging, bad and hostile URLs, and what the exported files contain.
 */
import ExcelJS from 'exceljs';
import mongoose, { Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { ALL_STAGES } from '~/domain/stages';
import { compareVietnamese, splitVietnameseName } from '~/domain/text';
import { loader as exportLoader } from '~/routes/members.export';
import { loader as listLoader } from '~/routes/members._index';
import { signIn } from '../fixtures/auth.ts';
import { call, context, get } from '../fixtures/remix.ts';

type ListData = Awaited<ReturnType<typeof listLoader>>;

let pvd: { _id: Types.ObjectId; name: string; ancestors: Types.ObjectId[] };
let other: { _id: Types.ObjectId; name: string };
let schoolUnion: string;
let schoolParty: string;
let province: string;
let admin: string;
let pvdCount: number;

const EXTRA = [
  'Nguyễn Thị Ánh',
  'Đặng Văn Đức',
  'Nguyễn Thị Ngọc Ánh',
  'Lê Văn An',
  'Trần Thị Bé',
  'Nguyễn Văn An',
];

beforeAll(async () => {
  await seedDatabase({ members: 400, seed: 1, reset: true });
  pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  other = (await Unit.findOne({
    kind: 'school',
    active: true,
    ancestors: pvd.ancestors[0],
    _id: mongoose.trusted({ $ne: pvd._id }),
  }).lean())!;
  const branch = (await Unit.findOne({ kind: 'branch', ancestors: pvd._id }).lean())!;
  // Names we control, so search and order have known answers; one also in another school.
  const docs = EXTRA.map((fullName, i) => ({
    fullName,
    dateOfBirth: new Date(Date.UTC(2004, i, 10)),
    gender: (i % 2 ? 'male' : 'female') as 'male' | 'female',
    studentCode: `XT${i}`,
    schoolId: pvd._id,
    branchId: branch._id,
    ancestors: [...pvd.ancestors, pvd._id, branch._id],
    schoolKind: 'university' as const,
    pipeline: { stage: 'dossier' as const, stageSince: new Date(Date.UTC(2026, 0, 1 + i)) },
  }));
  await Member.create([
    ...docs,
    {
      ...docs[0],
      studentCode: 'OT1',
      schoolId: other._id,
      branchId: undefined,
      ancestors: [pvd.ancestors[0], other._id],
    },
  ]);
  pvdCount = await Member.countDocuments({ ancestors: pvd._id });
  [schoolUnion, schoolParty, province, admin] = await Promise.all([
    signIn('doantruong.pvd@demo.vn'),
    signIn('danguy.pvd@demo.vn'),
    signIn('tinhdoan@demo.vn'),
    signIn('admin@demo.vn'),
  ]);
});

async function list(path: string, cookie = schoolUnion) {
  const res = await call<ListData>(listLoader, get(path, cookie));
  expect(res).toHaveStatus(200);
  return res.data;
}

/** Every row of a view, page by page (size 100). */
async function allRows(path: string, cookie = schoolUnion) {
  const first = await list(`${path}${path.includes('?') ? '&' : '?'}size=100`, cookie);
  const rows = [...first.rows];
  for (let p = 2; p <= first.pages; p++)
    rows.push(...(await list(`${path}${path.includes('?') ? '&' : '?'}size=100&page=${p}`, cookie)).rows);
  return rows;
}

describe('scope', () => {
  it('a school_union user sees only their school, counted in the query', async () => {
    const data = await list('/members');
    expect(data.rowCount).toBe(pvdCount);
    expect(data.rows.length).toBe(Math.min(50, pvdCount));
    expect(new Set(data.rows.map((r) => r.school))).toEqual(new Set([pvd.name]));
  });

  it('the school_party user of the same school sees the same members', async () => {
    expect((await list('/members', schoolParty)).rowCount).toBe(pvdCount);
  });

  it('province_union sees the whole province and admin everything', async () => {
    const provinceCount = await Member.countDocuments({ ancestors: pvd.ancestors[0] });
    const p = await list('/members', province);
    expect(p.rowCount).toBe(provinceCount);
    expect(new Set(p.rows.map((r) => r.school)).size).toBeGreaterThan(1);
    expect(p.options.schools.length).toBeGreaterThan(1);
    expect((await list('/members', admin)).rowCount).toBe(await Member.countDocuments({}));
  });

  it('another school in the URL does not widen a school user scope', async () => {
    const data = await list(`/members?school=${other._id}`);
    expect(data.rowCount).toBe(0);
  });

  it('a student gets a 403 and an anonymous visitor a redirect to sign-in', async () => {
    const student = await signIn('sinhvien@demo.vn');
    expect((await call(listLoader, get('/members', student))).status).toBe(403);
    const anon = await call(listLoader, get('/members'));
    expect(anon).toHaveStatus(302);
    expect(anon.location).toMatch(/^\/login/);
  });
});

describe('search without diacritics', () => {
  it('"nguyen thi" finds "Nguyễn Thị …" names, only in scope', async () => {
    const rows = await allRows('/members?q=nguyen%20thi');
    const names = rows.map((r) => r.fullName);
    expect(names).toEqual(expect.arrayContaining(['Nguyễn Thị Ánh', 'Nguyễn Thị Ngọc Ánh']));
    expect(names.every((n) => n.normalize('NFC').includes('Nguyễn Thị'))).toBe(true);
    expect(rows.every((r) => r.school === pvd.name)).toBe(true);
  });

  it('"d" matches "đ", a word inside the name matches, and a typed diacritic is ignored', async () => {
    expect((await allRows('/members?q=dang%20van%20duc')).map((r) => r.fullName)).toContain('Đặng Văn Đức');
    expect((await allRows('/members?q=%C4%90%E1%BA%B7ng%20V%C4%83n')).map((r) => r.fullName)).toContain(
      'Đặng Văn Đức',
    );
    expect((await allRows('/members?q=ngoc%20anh')).map((r) => r.fullName)).toContain('Nguyễn Thị Ngọc Ánh');
  });

  it('finds by student code, and regex characters are literal', async () => {
    expect((await list('/members?q=xt3')).rows.map((r) => r.fullName)).toEqual(['Lê Văn An']);
    expect((await list('/members?q=.*')).rowCount).toBe(0);
    expect((await list('/members?q=(')).rowCount).toBe(0);
  });
});

const byListOrder = (a: string, b: string) => {
  const x = splitVietnameseName(a);
  const y = splitVietnameseName(b);
  return (
    compareVietnamese(x.givenName, y.givenName) ||
    compareVietnamese(x.familyName, y.familyName) ||
    compareVietnamese(x.middleName, y.middleName)
  );
};

describe('sorting', () => {
  it('by name follows Vietnamese class-list order (given, family, middle), both ways', async () => {
    const names = (await allRows('/members?sort=name.asc')).map((r) => r.fullName);
    expect(names.length).toBe(pvdCount);
    expect(names).toEqual([...names].sort(byListOrder));
    const desc = (await allRows('/members?sort=name.desc')).map((r) => r.fullName);
    expect(desc).toEqual([...names].reverse());
    // Known neighbours: "An" before "Ánh"; "Lê Văn An" before "Nguyễn Văn An".
    expect(names.indexOf('Lê Văn An')).toBeLessThan(names.indexOf('Nguyễn Văn An'));
    expect(names.indexOf('Nguyễn Văn An')).toBeLessThan(names.indexOf('Nguyễn Thị Ánh'));
  });

  it('by date of birth, days in stage, stage order, GPA and branch', async () => {
    const dob = (await list('/members?sort=dob.asc&size=100')).rows.map((r) => r.dateOfBirth!);
    expect(dob).toEqual([...dob].sort());
    const days = (await list('/members?sort=days.desc&size=100')).rows.map((r) => r.daysInStage ?? -1);
    expect(days).toEqual([...days].sort((a, b) => b - a));
    const stages = (await allRows('/members?sort=stage.asc')).map((r) => r.stage);
    // The domain's stage order: the forward path, then the exits ('returned' first).
    const order: readonly string[] = ALL_STAGES;
    const idx = stages.map((s) => order.indexOf(s!));
    expect(idx).toEqual([...idx].sort((a, b) => a - b));
    // 4- and 10-point GPAs compare by rank (the same mapping the criteria engine uses).
    const gpa = (await list('/members?sort=gpa.desc&size=100')).rows.map((r) =>
      r.gpa === null ? -1 : r.gpaScale === 4 ? convertGpa(r.gpa, 4, 10) : r.gpa,
    );
    expect(gpa).toEqual([...gpa].sort((a, b) => b - a));
    const branches = (await allRows('/members?sort=branch.asc')).map((r) => r.branch);
    for (let i = 1; i < branches.length; i++)
      expect(compareVietnamese(branches[i - 1], branches[i])).toBeLessThanOrEqual(0);
  });

  it('by school for the province, across page boundaries, names in order within a school', async () => {
    const rows = await allRows('/members?sort=school.desc', province);
    expect(rows.length).toBe(await Member.countDocuments({ ancestors: pvd.ancestors[0] }));
    for (let i = 1; i < rows.length; i++) {
      const bySchool = compareVietnamese(rows[i - 1].school, rows[i].school);
      expect(bySchool).toBeGreaterThanOrEqual(0);
      if (bySchool === 0) expect(byListOrder(rows[i - 1].fullName, rows[i].fullName)).toBeLessThanOrEqual(0);
    }
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });
});

describe('paging and filters', () => {
  it('pages of 25 do not overlap and count the same total', async () => {
    const p1 = await list('/members?size=25');
    const p2 = await list('/members?size=25&page=2');
    expect(p1.rows).toHaveLength(25);
    expect(p2.rows).toHaveLength(25);
    expect(p2.page).toBe(2);
    expect(p1.pages).toBe(Math.ceil(pvdCount / 25));
    expect(p2.rowCount).toBe(pvdCount);
    const ids = new Set(p1.rows.map((r) => r.id));
    expect(p2.rows.some((r) => ids.has(r.id))).toBe(false);
  });

  it('a page past the end shows the last page', async () => {
    const data = await list('/members?size=100&page=999');
    expect(data.page).toBe(data.pages);
    expect(data.rows.length).toBe(pvdCount - (data.pages - 1) * 100);
  });

  it('stage, gender, school year, rating and branch filters narrow in the query', async () => {
    const dossier = await list('/members?stage=dossier&size=100');
    expect(dossier.rowCount).toBe(
      await Member.countDocuments({ ancestors: pvd._id, 'pipeline.stage': 'dossier' }),
    );
    expect(dossier.rows.every((r) => r.stage === 'dossier')).toBe(true);
    const women = await list('/members?gender=female');
    expect(women.rowCount).toBe(await Member.countDocuments({ ancestors: pvd._id, gender: 'female' }));
    const year = await list('/members?year=2026-2027');
    expect(year.rowCount).toBe(await Member.countDocuments({ ancestors: pvd._id, schoolYear: '2026-2027' }));
    const ratingYear = year.options.ratingYear;
    const excellent = await list('/members?rating=excellent&size=100');
    expect(excellent.rowCount).toBe(
      await Member.countDocuments({
        ancestors: pvd._id,
        unionRatings: mongoose.trusted({ $elemMatch: { year: ratingYear, level: 'excellent' } }),
      }),
    );
    expect(excellent.rows.every((r) => r.rating === 'excellent')).toBe(true);
    const branch = year.options.branches[0];
    const inBranch = await list(`/members?branch=${branch.id}`);
    expect(inBranch.rowCount).toBe(await Member.countDocuments({ branchId: new Types.ObjectId(branch.id) }));
  });

  it('bad values fall back to defaults instead of failing', async () => {
    const data = await list(
      '/members?page=-4&size=1000&sort=password.asc&stage=nope&school=xyz&gender=robot&year=20-21&rating=9&cols=<script>&schoolKind=moon',
    );
    expect(data.query).toMatchObject({
      page: 1,
      size: 50,
      sort: 'name.asc',
      stage: undefined,
      school: undefined,
    });
    expect(data.query.cols).toEqual([]);
    expect(data.rowCount).toBe(pvdCount);
    expect((await list('/members?size=abc&page=1e9&sort=name.sideways')).query).toMatchObject({
      size: 50,
      page: 1,
      sort: 'name.asc',
    });
  });

  it('operator injection in the query string does not widen or change the results', async () => {
    for (const path of [
      '/members?q[$gt]=',
      '/members?stage[$ne]=x',
      '/members?school[$ne]=x',
      '/members?q=%7B%22%24gt%22%3A%22%22%7D',
    ]) {
      const data = await list(path);
      expect(data.rows.every((r) => r.school === pvd.name)).toBe(true);
      expect(data.rowCount).toBeLessThanOrEqual(pvdCount);
    }
    expect((await list('/members?stage[$ne]=x')).rowCount).toBe(pvdCount);
  });
});

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

async function exportCsv(path: string, cookie: string) {
  const res = await call<string>(exportLoader, get(path, cookie));
  expect(res).toHaveStatus(200);
  expect(res.headers.get('Content-Type')).toContain('text/csv');
  expect(res.headers.get('Content-Disposition')).toMatch(
    /attachment; filename="doan-vien-\d{4}-\d{2}-\d{2}\.csv"/,
  );
  const [header, ...rows] = parseCsv(res.data);
  return { header, rows };
}

describe('export', () => {
  it('CSV of a school user holds exactly their school, even when the URL names another one', async () => {
    const { header, rows } = await exportCsv('/members/export?format=csv', schoolUnion);
    expect(rows).toHaveLength(pvdCount);
    const schoolCol = header.indexOf('Trường');
    expect(new Set(rows.map((r) => r[schoolCol]))).toEqual(new Set([pvd.name]));
    expect(
      (await exportCsv(`/members/export?format=csv&school=${other._id}`, schoolUnion)).rows,
    ).toHaveLength(0);
  });

  it('follows the table filters and order, and exports only selected rows that are in scope', async () => {
    const { header, rows } = await exportCsv(
      '/members/export?format=csv&q=nguyen%20thi&sort=name.asc',
      schoolUnion,
    );
    const table = await allRows('/members?q=nguyen%20thi&sort=name.asc');
    expect(rows.map((r) => r[header.indexOf('Họ và tên')])).toEqual(table.map((r) => r.fullName));
    const outside = await Member.findOne({ schoolId: other._id }).select({ _id: 1 }).lean();
    const picked = table.slice(0, 2).map((r) => r.id);
    const selected = await exportCsv(
      `/members/export?format=csv&${[...picked, String(outside!._id)].map((id) => `id=${id}`).join('&')}`,
      schoolUnion,
    );
    expect(selected.rows).toHaveLength(2);
  });

  it('sensitive columns only for roles with sensitive:read (others refused), and each such export is audited', async () => {
    const before = await AuditEvent.countDocuments({ action: 'member.export.sensitive' });
    const allowed = await exportCsv('/members/export?format=csv&sensitive=1', schoolUnion);
    expect(allowed.header).toEqual(expect.arrayContaining(['Dân tộc', 'Tôn giáo', 'Số CCCD']));
    const cccd = allowed.header.indexOf('Số CCCD');
    expect(allowed.rows.filter((r) => r[cccd]).length).toBeGreaterThan(0);
    expect(await AuditEvent.countDocuments({ action: 'member.export.sensitive' })).toBe(before + 1);

    // A role that may not reveal them is refused with a reason, not silently sent fewer columns.
    const refused = await call(exportLoader, get('/members/export?format=csv&sensitive=1', province));
    expect(refused).toHaveStatus(403);
    expect(refused.data).toContain('số CCCD');
    const plain = await exportCsv('/members/export?format=csv', schoolUnion);
    expect(plain.header).not.toContain('Số CCCD');
    expect(await AuditEvent.countDocuments({ action: 'member.export.sensitive' })).toBe(before + 1);
  });

  it('xlsx opens in exceljs with one row per member; a bad format falls back to xlsx', async () => {
    const res = (await exportLoader({
      request: get('/members/export?format=exe&stage=dossier', schoolUnion),
      params: {},
      context: context(),
    })) as Response;
    expect(res.headers.get('Content-Type')).toContain('spreadsheetml');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    const sheet = workbook.worksheets[0];
    expect(sheet.actualRowCount - 1).toBe(
      await Member.countDocuments({ ancestors: pvd._id, 'pipeline.stage': 'dossier' }),
    );
  });

  it('a student cannot export', async () => {
    const student = await signIn('sinhvien@demo.vn');
    expect((await call(exportLoader, get('/members/export?format=csv', student))).status).toBe(403);
  });
});
