/**
 * A school's document settings (issue 20, part 1: "a school can adjust its own header text
 * and signers"): edited on the unit page by the admin and the school's own committees (the
 * Party side its Party bodies, the Union its executive), validated beside each field with
 * nothing written, audited, scoped (another school's unit is a 404), and picked up by the
 * document builders through documentBodiesFor.
 */
import mongoose, { type Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action, loader } from '~/routes/admin.units.$id';
import { buildDocument, defaultBodies, type OfficialDocument } from '~/domain/documents';
import { documentBodiesFor, documentPlaceFor } from '~/utils/documents/settings.server';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { signIn } from '../fixtures/auth.ts';
import { documentInput } from '../fixtures/documents.ts';
import { call, get, post } from '../fixtures/remix.ts';

let admin: string;
let party: string;
let union: string;
let province: string;
let school: Types.ObjectId;
let otherSchool: Types.ObjectId;
let cell: { _id: Types.ObjectId; name: string };

const COMMITTEE = {
  'committee.superior': 'ĐẢNG BỘ KHỐI CÁC TRƯỜNG TỈNH QUẢNG NGÃI',
  'committee.heading': 'ĐẢNG ỦY TRƯỜNG ĐH PHẠM VĂN ĐỒNG',
  'committee.name': 'Đảng ủy Trường Đại học Phạm Văn Đồng',
  'committee.symbol': 'ĐU',
  'committee.authority': 'T/M ĐẢNG ỦY',
  'committee.position': 'PHÓ BÍ THƯ',
  'committee.signer': 'Nguyễn Văn Mười',
};

/** Every field of the bodies the school Party committee edits, as the page posts them. */
function partyForm(overrides: Record<string, string> = {}) {
  const d = defaultBodies({
    province: 'tỉnh Quảng Ngãi',
    school: 'Trường Đại học Phạm Văn Đồng',
    cell: null,
  });
  const form: Record<string, string> = { intent: 'documentBodies' };
  for (const body of ['partial', 'deciding'] as const)
    for (const [k, v] of Object.entries(d[body])) form[`${body}.${k}`] = v ?? '';
  for (const k of ['superior', 'symbol', 'authority', 'position'] as const) form[`cell.${k}`] = d.cell[k];
  return { ...form, ...COMMITTEE, ...overrides };
}

const save = (fields: Record<string, string>, cookie: string, id = school) =>
  call(action, post(`/admin/units/${id}`, fields, cookie), { id: String(id) });
const stored = async () => (await Unit.findById(school).lean())!.documentBodies ?? null;
const events = () => AuditEvent.countDocuments({ entityId: school, action: 'unit.document_bodies' });

const textOf = (doc: OfficialDocument) => JSON.stringify(doc);

beforeAll(async () => {
  await seedDatabase({ members: 30, seed: 1, reset: true });
  admin = await signIn('admin@demo.vn');
  party = await signIn('danguy.pvd@demo.vn');
  union = await signIn('doantruong.pvd@demo.vn');
  province = await signIn('tinhdoan@demo.vn');
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  school = pvd._id;
  otherSchool = (await Unit.findOne({ kind: 'school', _id: mongoose.trusted({ $ne: pvd._id }) }).lean())!._id;
  cell = (await Unit.findOne({ schoolId: pvd._id, kind: 'party_cell' }).lean())!;
});

describe("a school's document settings", () => {
  it('start as the defaults from the unit tree, read by the builders', async () => {
    const bodies = await documentBodiesFor(school, { cellId: cell._id });
    expect(bodies.committee.heading).toBe('ĐẢNG ỦY TRƯỜNG ĐẠI HỌC PHẠM VĂN ĐỒNG');
    expect(bodies.committee.superior).toBe('ĐẢNG BỘ TỈNH QUẢNG NGÃI');
    expect(bodies.cell.name).toBe(cell.name);
    expect(bodies.committee.signer).toBeNull();
    expect(await documentPlaceFor(cell._id)).toBe('Quảng Ngãi');
    // Any unit of the school gives the school's bodies.
    expect((await documentBodiesFor(cell._id)).cell.name).toBe(cell.name);
  });

  it('show on the school unit page with the bodies each role may edit', async () => {
    const asParty = await call(loader, get(`/admin/units/${school}`, party), { id: String(school) });
    expect(asParty.data.documentBodies.editable).toEqual(['cell', 'partial', 'committee', 'deciding']);
    const asUnion = await call(loader, get(`/admin/units/${school}`, union), { id: String(school) });
    expect(asUnion.data.documentBodies.editable).toEqual(['union']);
    const asProvince = await call(loader, get(`/admin/units/${school}`, province), { id: String(school) });
    expect(asProvince.data.documentBodies.editable).toEqual([]);
    const branch = (await Unit.findOne({ schoolId: school, kind: 'branch' }).lean())!;
    const notSchool = await call(loader, get(`/admin/units/${branch._id}`, party), {
      id: String(branch._id),
    });
    expect(notSchool.data.documentBodies).toBeNull();
  });

  it.each([
    [{ 'committee.symbol': 'đu' }, 'committee.symbol', 'documents.settings.v.symbol'],
    [{ 'committee.symbol': 'ĐU/X' }, 'committee.symbol', 'documents.settings.v.symbol'],
    [{ 'committee.heading': '   ' }, 'committee.heading', 'validation.required'],
    [{ 'deciding.position': 'x'.repeat(101) }, 'deciding.position', 'validation.tooLong'],
  ])('refuses %j beside %s, writing nothing', async (bad, field, message) => {
    const before = await events();
    const res = await save(partyForm(bad), party);
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors[field]).toEqual([message]);
    expect(res.data.result.error[field]).toEqual([message]);
    expect(await stored()).toBeNull();
    expect(await events()).toBe(before);
  });

  it('are saved by the Party committee with their event, and the builders print them', async () => {
    const res = await save(partyForm(), party);
    expect(res.status).toBe(302);
    expect(res.location).toContain('ok=documentBodiesSaved');
    expect((await stored())?.committee).toMatchObject({ position: 'PHÓ BÍ THƯ', signer: 'Nguyễn Văn Mười' });
    expect(await events()).toBe(1);
    const event = (await AuditEvent.findOne({ entityId: school, action: 'unit.document_bodies' }).lean())!;
    expect(event.details).toMatchObject({
      bodies: ['cell', 'partial', 'committee', 'deciding'],
      after: { committee: { signer: 'Nguyễn Văn Mười' } },
    });

    const bodies = await documentBodiesFor(school, { cellId: cell._id });
    expect(bodies.committee).toMatchObject({
      superior: 'ĐẢNG BỘ KHỐI CÁC TRƯỜNG TỈNH QUẢNG NGÃI',
      heading: 'ĐẢNG ỦY TRƯỜNG ĐH PHẠM VĂN ĐỒNG',
      position: 'PHÓ BÍ THƯ',
      signer: 'Nguyễn Văn Mười',
    });
    // The Union's executive is not the Party committee's to set: untouched.
    expect(bodies.union.signer).toBeNull();
    // The chi bộ keeps the voting cell's name.
    expect(bodies.cell.name).toBe(cell.name);

    const built = buildDocument('8-KNĐ', { ...documentInput('Trần Thị Mai'), bodies });
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.doc.issuer).toEqual({
      superior: 'ĐẢNG BỘ KHỐI CÁC TRƯỜNG TỈNH QUẢNG NGÃI',
      name: 'ĐẢNG ỦY TRƯỜNG ĐH PHẠM VĂN ĐỒNG',
    });
    expect(textOf(built.doc)).toContain('Nguyễn Văn Mười');
    expect(textOf(built.doc)).toContain('PHÓ BÍ THƯ');
  });

  it('let the Union set its own executive only, and no one another school', async () => {
    const res = await save(
      {
        intent: 'documentBodies',
        'union.superior': 'BCH ĐOÀN TỈNH QUẢNG NGÃI',
        'union.heading': 'BCH ĐOÀN TRƯỜNG ĐẠI HỌC PHẠM VĂN ĐỒNG',
        'union.name': 'Ban Chấp hành Đoàn Trường Đại học Phạm Văn Đồng',
        'union.symbol': 'ĐTN',
        'union.authority': 'TM. BAN CHẤP HÀNH',
        'union.position': 'BÍ THƯ',
        'union.signer': 'Lê Thị Hoa',
        // Posted but not the Union's: ignored.
        'committee.signer': 'Người khác',
      },
      union,
    );
    expect(res.status).toBe(302);
    const bodies = await documentBodiesFor(school);
    expect(bodies.union.signer).toBe('Lê Thị Hoa');
    expect(bodies.committee.signer).toBe('Nguyễn Văn Mười');

    expect((await save(partyForm(), province)).status).toBe(403);
    expect((await save(partyForm(), party, otherSchool)).status).toBe(404);
    // Another school's settings are untouched by anyone's post here.
    expect((await Unit.findById(otherSchool).lean())!.documentBodies ?? null).toBeNull();
  });

  it('let the admin set any school, in one transaction with its event', async () => {
    const before = await AuditEvent.countDocuments({ entityId: otherSchool, action: 'unit.document_bodies' });
    // The admin's form holds every body: without the Union's it is refused beside them.
    const partial = await save(partyForm({ 'committee.signer': '' }), admin, otherSchool);
    expect(partial).toHaveStatus(400);
    expect(partial.data.fieldErrors['union.heading']).toEqual(['validation.required']);
    const union = Object.fromEntries(
      Object.entries(
        defaultBodies({ province: 'tỉnh Quảng Ngãi', school: 'Trường X', cell: null }).union,
      ).map(([k, v]) => [`union.${k}`, v ?? '']),
    );
    const res = await save({ ...partyForm({ 'committee.signer': '' }), ...union }, admin, otherSchool);
    expect(res.status).toBe(302);
    expect((await documentBodiesFor(otherSchool)).committee.signer).toBeNull();
    expect(await AuditEvent.countDocuments({ entityId: otherSchool, action: 'unit.document_bodies' })).toBe(
      before + 1,
    );
    expect((await verifyAudit()).gaps).toEqual([]);
  });
});
