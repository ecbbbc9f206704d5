/**
 * The parts of issue 20 working together on one issued document: the school's own document
 * settings (its signer's name) are printed on what it issues, a PDF of a school with a signing
 * certificate is signed with it, the issued record keeps the signer, and /verify names it
 * (and says when that certificate is no longer installed). A school without a certificate
 * issues unsigned PDFs, and /verify says so.
 */
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IssuedDocument } from '../../models/issued-document.ts';
import { Member } from '../../models/member.ts';
import { SigningCertificate } from '../../models/signing-certificate.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action as issueAction } from '~/routes/members.$id.documents';
import { action as verifyAction, loader as verifyLoader } from '~/routes/verify.$code';
import { verifyPdfSignature } from '~/utils/documents/signing/index.server';
import { passphraseVariable } from '~/utils/documents/signing/unit-signing.server';
import { signIn } from '../fixtures/auth.ts';
import { recordedPipeline } from '../fixtures/documents.ts';
import { BASE, call, context, get, post } from '../fixtures/remix.ts';
import { makeTestP12 } from '../fixtures/signing.ts';

const PASS = 'wired-passphrase';
const SIGNER = 'Trần Thị Minh Thư';
let party: string;
let pvd: { _id: Types.ObjectId; code: string };
let memberId: Types.ObjectId;
let foreignId: Types.ObjectId;

beforeAll(async () => {
  await seedDatabase({ members: 20, seed: 3, reset: true });
  party = await signIn('danguy.pvd@demo.vn');
  pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  process.env[passphraseVariable(pvd.code)] = PASS;
  const student = (await User.findOne({ email: 'sinhvien@demo.vn' }).lean())!;
  memberId = student.memberId as Types.ObjectId;
  await Member.updateOne({ _id: memberId }, { $set: { pipeline: recordedPipeline() } });
  const foreign = (await Member.findOne({ schoolId: mongoose.trusted({ $ne: pvd._id }) }).lean())!;
  foreignId = foreign._id;
  await Member.updateOne({ _id: foreignId }, { $set: { pipeline: recordedPipeline() } });
  // The school's own settings: the deciding committee's signer.
  await Unit.updateOne({ _id: pvd._id }, { $set: { documentBodies: { deciding: { signer: SIGNER } } } });
  await SigningCertificate.create({
    unitId: pvd._id,
    ...(await certificateFields()),
  });
});

afterAll(() => {
  delete process.env[passphraseVariable(pvd.code)];
});

/** The stored fields of a test certificate, as the install service writes them. */
async function certificateFields() {
  const { P12Signer } = await import('~/utils/documents/signing/p12-signer.server');
  const p12 = makeTestP12({ passphrase: PASS, commonName: 'Đảng ủy Trường Phạm Văn Đồng (thử)' });
  const info = new P12Signer(p12, PASS).certificate;
  return { p12, ...info, installedAt: new Date() };
}

async function pdfText(buf: Uint8Array): Promise<string> {
  const pdf = await getDocument({ data: new Uint8Array(buf), verbosity: 0 }).promise;
  let text = '';
  for (let i = 1; i <= pdf.numPages; i++)
    text += (await (await pdf.getPage(i)).getTextContent()).items
      .map((it) => ('str' in it ? it.str : ''))
      .join('');
  await pdf.destroy();
  return text;
}

async function issuePdf(id: Types.ObjectId, cookie = party): Promise<Response> {
  try {
    return (await issueAction({
      request: post(`/members/${id}/documents`, { form: '9-KNĐ', format: 'pdf' }, cookie),
      params: { id: String(id) },
      context: context(),
    })) as Response;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

describe('an issued PDF of a school with settings and a certificate', () => {
  it('prints the school’s own signer, is signed with its certificate, and /verify names the signer', async () => {
    const res = await issuePdf(memberId);
    expect(res.status).toBe(200);
    const pdf = Buffer.from(await res.arrayBuffer());
    expect((await pdfText(pdf)).normalize('NFC')).toContain(SIGNER);
    const report = await verifyPdfSignature(pdf);
    expect(report).toMatchObject({ signed: true, valid: true });
    const record = (await IssuedDocument.findOne({ memberIds: memberId, form: '9-KNĐ' }).lean())!;
    expect(record.signature?.subject).toContain('Phạm Văn Đồng');
    const page = await call(verifyLoader, get(`/verify/${record.code}`), { code: record.code });
    expect(page.data.signature).toMatchObject({ unit: expect.stringContaining('Phạm Văn Đồng') });
    expect(page.data.signature.subject).toContain('Phạm Văn Đồng');
  });

  it('/verify checks a PDF someone holds: valid and this document’s certificate; changed; unsigned; not a PDF', async () => {
    const signed = Buffer.from(await (await issuePdf(memberId)).arrayBuffer());
    const record = (await IssuedDocument.findOne({ memberIds: memberId, form: '9-KNĐ' }).lean())!;
    const check = (file: Blob | null) => {
      const form = new FormData();
      if (file) form.set('pdf', file, 'van-ban.pdf');
      return call(
        verifyAction,
        new Request(`${BASE}/verify/${record.code}`, { method: 'POST', body: form }),
        {
          code: record.code,
        },
      );
    };
    const ok = await check(new Blob([signed]));
    expect(ok.data).toMatchObject({ result: 'validSame', subject: expect.stringContaining('Phạm Văn Đồng') });
    const changed = Buffer.from(signed);
    const at = changed.indexOf('/Type /Page');
    changed[at + 2] = changed[at + 2] === 0x79 ? 0x59 : 0x79; // one byte inside the signed range
    expect((await check(new Blob([changed]))).data).toEqual({ result: 'invalid' });
    expect((await check(new Blob([Buffer.from('%PDF-1.4\n%%EOF\n')]))).data).toMatchObject({
      result: 'unsigned',
    });
    expect((await check(new Blob([Buffer.from('GIF89a')]))).data).toEqual({ result: 'notPdf' });
    expect((await check(null)).data).toEqual({ result: 'missing' });
    const unknown = await call(
      verifyAction,
      new Request(`${BASE}/verify/${'A'.repeat(22)}`, { method: 'POST', body: new FormData() }),
      { code: 'A'.repeat(22) },
    );
    expect(unknown.status).toBe(404);
  });

  it('once the certificate is removed, new PDFs are unsigned and /verify says the signer is no longer installed', async () => {
    await SigningCertificate.deleteMany({ unitId: pvd._id });
    const res = await issuePdf(memberId);
    const pdf = Buffer.from(await res.arrayBuffer());
    expect((await verifyPdfSignature(pdf)).signed).toBe(false);
    const record = (await IssuedDocument.findOne({ memberIds: memberId, form: '9-KNĐ' }).lean())!;
    const page = await call(verifyLoader, get(`/verify/${record.code}`), { code: record.code });
    expect(page.data.signature).toMatchObject({ unit: null });
  });

  it('another school without a certificate: an unsigned PDF and no signature on /verify', async () => {
    const foreign = (await Member.findById(foreignId).lean())!;
    const user = (await User.findOne({ role: 'school_party', unitId: foreign.schoolId }).lean())!;
    const res = await issuePdf(foreignId, await signIn(user.email));
    expect(res.status).toBe(200);
    expect((await verifyPdfSignature(Buffer.from(await res.arrayBuffer()))).signed).toBe(false);
    const record = (await IssuedDocument.findOne({ memberIds: foreignId }).lean())!;
    const page = await call(verifyLoader, get(`/verify/${record.code}`), { code: record.code });
    expect(page.data.signature).toBeNull();
  });
});
