/**
 * Signed scans on the Quy trình tab (issue 20, part 2): attached by the school to a
 * recorded step's form, typed from content, size-limited, nothing written on refusal;
 * downloaded in scope (404 outside), removed with an audit event; the dossier counts a
 * scanned form as received where nothing else dates it.
 */
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { ScanFile } from '../../models/scan-file.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { loader as tabLoader } from '~/routes/members.$id.pipeline';
import { action, loader } from '~/routes/members.$id.scans';
import { SCAN_MAX_BYTES } from '~/domain/pipeline/scans';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { signIn } from '../fixtures/auth.ts';
import { BASE, call, get } from '../fixtures/remix.ts';

let party: string;
let union: string;
let province: string;
let memberId: Types.ObjectId;
let foreignId: Types.ObjectId;
let foreignParty: string;

const PDF = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x0a]);
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

beforeAll(async () => {
  await seedDatabase({ members: 60, seed: 1, reset: true });
  party = await signIn('danguy.pvd@demo.vn');
  union = await signIn('doantruong.pvd@demo.vn');
  province = await signIn('tinhdoan@demo.vn');
  const demo = (await User.findOne({ email: 'sinhvien@demo.vn' }).lean())!;
  memberId = demo.memberId as Types.ObjectId;
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  const other = (await User.findOne({
    role: 'school_party',
    unitId: mongoose.trusted({ $ne: pvd._id }),
  }).lean())!;
  foreignParty = await signIn(other.email);
  foreignId = (await Member.findOne({ schoolId: mongoose.trusted({ $ne: pvd._id }) }).lean())!._id;
});

const path = (id: Types.ObjectId = memberId) => `/members/${id}/scans`;

function upload(fields: Record<string, string>, file: File | null, cookie: string, id = memberId) {
  const body = new FormData();
  body.set('intent', 'scan_attach');
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  if (file) body.set('file', file);
  const request = new Request(BASE + path(id), { method: 'POST', body, headers: { Cookie: cookie } });
  return call(action, request, { id: String(id) });
}

function remove(scanId: string, cookie: string, id = memberId) {
  const body = new FormData();
  body.set('intent', 'scan_remove');
  body.set('scanId', scanId);
  const request = new Request(BASE + path(id), { method: 'POST', body, headers: { Cookie: cookie } });
  return call(action, request, { id: String(id) });
}

const download = (scanId: string, cookie: string, id = memberId) =>
  call(loader, get(`${path(id)}?scan=${scanId}`, cookie), { id: String(id) });

async function state(id = memberId) {
  const m = (await Member.findById(id).select({ __v: 1, pipeline: 1 }).lean())!;
  return {
    version: m.__v ?? 0,
    scans: m.pipeline.scans?.length ?? 0,
    files: await ScanFile.countDocuments({ memberId: id }),
    audits: await AuditEvent.countDocuments({ entityId: id }),
  };
}

describe('signed scans', () => {
  it('attaches a PDF to a recorded step, lists it, counts it and serves it in scope', async () => {
    const before = await state();
    const res = await upload({ form: '1-KNĐ' }, new File([PDF], 'don.jpg', { type: 'image/jpeg' }), union);
    expect(res).toHaveStatus(200);
    expect(res.data).toMatchObject({ intent: 'scan_attach', done: true });
    const after = await state();
    expect(after).toEqual({
      version: before.version + 1,
      scans: before.scans + 1,
      files: before.files + 1,
      audits: before.audits + 1,
    });
    const event = (await AuditEvent.findOne({ entityId: memberId, action: 'pipeline.scan.attach' }).lean())!;
    // The type comes from the content ("%PDF-"), not the name nor the browser's claim.
    expect(event.details).toMatchObject({ form: '1-KNĐ', type: 'application/pdf', size: PDF.length });

    const tab = await call(tabLoader, get(`/members/${memberId}/pipeline`, province), {
      id: String(memberId),
    });
    expect(tab).toHaveStatus(200);
    const scan = tab.data.scans.find((s: { form: string }) => s.form === '1-KNĐ');
    expect(scan).toMatchObject({ name: 'don.jpg', type: 'application/pdf', by: expect.any(String) });
    expect(tab.data.dossier.find((d: { form: string }) => d.form === '1-KNĐ').scanned).toBe(1);
    expect(tab.data.scannable).toContain('2-KNĐ');
    expect(tab.data.scannable).not.toContain('9-KNĐ');

    // The province reads the record, so it may download; another school cannot even see it.
    const file = await download(scan.id, province);
    expect(file).toHaveStatus(200);
    expect(file.headers.get('Content-Type')).toBe('application/pdf');
    expect(file.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect((await download(scan.id, foreignParty)).status).toBe(404);
    // The right scan id under another member's URL is a 404 too.
    expect((await download(scan.id, party, foreignId)).status).toBe(404);
  });

  it('refuses what is not a PDF or JPEG by content, a step not recorded, a missing file: nothing written', async () => {
    const before = await state();
    const png = await upload(
      { form: '2-KNĐ' },
      new File([PNG], 'scan.pdf', { type: 'application/pdf' }),
      party,
    );
    expect(png).toHaveStatus(400);
    expect(png.data.errors).toEqual({ file: 'pipeline.scans.v.type' });
    const early = await upload({ form: '9-KNĐ' }, new File([JPEG], 'qd.jpg'), party);
    expect(early).toHaveStatus(400);
    expect(early.data.errors).toEqual({ form: 'pipeline.scans.v.notRecorded' });
    const bogus = await upload({ form: '14-KNĐ' }, new File([JPEG], 'x.jpg'), party);
    expect(bogus.data.errors).toEqual({ form: 'pipeline.scans.v.form' });
    const none = await upload({ form: '2-KNĐ' }, null, party);
    expect(none.data.errors).toEqual({ file: 'pipeline.scans.v.file' });
    expect(await state()).toEqual(before);
  });

  it('refuses a file over 10 MB with the message beside the field, nothing written', async () => {
    const before = await state();
    const big = new Uint8Array(SCAN_MAX_BYTES + 1);
    big.set(PDF);
    const res = await upload({ form: '2-KNĐ' }, new File([big], 'lon.pdf'), union);
    expect([400, 413]).toContain(res.status);
    expect(res.data.errors).toEqual({ file: 'pipeline.scans.v.tooBig' });
    expect(await state()).toEqual(before);
  });

  it('lets only the school attach: the province is refused, another school gets a 404', async () => {
    const jpg = () => new File([JPEG], 'don.jpg');
    expect((await upload({ form: '1-KNĐ' }, jpg(), province)).status).toBe(403);
    expect((await upload({ form: '1-KNĐ' }, jpg(), foreignParty)).status).toBe(404);
    expect((await upload({ form: '1-KNĐ' }, jpg(), party, foreignId)).status).toBe(404);
  });

  it('removes a scan with its bytes and an audit event; the dossier no longer counts it', async () => {
    const res = await upload({ form: '2-KNĐ' }, new File([JPEG], 'ly-lich.jpg'), party);
    expect(res).toHaveStatus(200);
    const m = (await Member.findById(memberId).select({ pipeline: 1 }).lean())!;
    const scan = m.pipeline.scans!.find((s) => s.form === '2-KNĐ')!;
    const id = String(scan._id);
    expect((await remove(id, province)).status).toBe(403);
    expect((await remove(id, foreignParty)).status).toBe(404);
    const before = await state();
    const gone = await remove(id, union);
    expect(gone).toHaveStatus(200);
    expect(await state()).toEqual({
      version: before.version + 1,
      scans: before.scans - 1,
      files: before.files - 1,
      audits: before.audits + 1,
    });
    const event = (await AuditEvent.findOne({ entityId: memberId, action: 'pipeline.scan.remove' }).lean())!;
    expect(event.details).toMatchObject({ scanId: id, form: '2-KNĐ', name: 'ly-lich.jpg' });
    expect((await download(id, union)).status).toBe(404);
    expect((await remove(id, union)).status).toBe(404);
    // Every version of the member these writes made has its event.
    expect((await verifyAudit()).gaps).toEqual([]);
  });
});
