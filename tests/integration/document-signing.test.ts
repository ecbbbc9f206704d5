/**
 * PDF signing (issue 20): a round trip with a self-made certificate (sign, verify; one byte
 * changed, invalid), a unit without a certificate issues unsigned, and the administrator's
 * page that installs a unit's PKCS#12 refuses a wrong file, passphrase or an expired
 * certificate beside the field, writing nothing.
 */
import { Types } from 'mongoose';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { SigningCertificate } from '../../models/signing-certificate.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { buildDocument } from '~/domain/documents';
import { action, loader } from '~/routes/admin.units.$id_.signing';
import { renderDocument } from '~/utils/documents/render.server';
import { signForUnit, verifyPdfSignature } from '~/utils/documents/signing/index.server';
import { P12Error, P12Signer } from '~/utils/documents/signing/p12-signer.server';
import { passphraseVariable } from '~/utils/documents/signing/unit-signing.server';
import { signIn } from '../fixtures/auth.ts';
import { documentInput } from '../fixtures/documents.ts';
import { call, get, post } from '../fixtures/remix.ts';
import { makeTestP12 } from '../fixtures/signing.ts';

const PASS = 'test-passphrase';
const DAY = 86_400_000;
let pdf: Buffer;
let admin: string;
let pvd: { _id: Types.ObjectId; code: string };
let other: { _id: Types.ObjectId; code: string };

beforeAll(async () => {
  await seedDatabase({ members: 5, seed: 1, reset: true });
  admin = await signIn('admin@demo.vn');
  pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  other = (await Unit.find({ kind: 'school' }).lean()).find((u) => u.code !== 'PVD')!;
  process.env[passphraseVariable(pvd.code)] = PASS;
  const built = buildDocument('9-KNĐ', documentInput());
  if (!built.ok) throw new Error('fixture document');
  pdf = await renderDocument(built.doc, 'pdf', { qr: { url: 'https://example.test/verify/abc' } });
});

afterAll(() => {
  delete process.env[passphraseVariable(pvd.code)];
});

describe('signing and verifying a rendered PDF', () => {
  it('signs, and the signature verifies with its signer, time and reason', async () => {
    const signer = new P12Signer(makeTestP12(), PASS);
    expect(signer.describe()).toEqual({
      kind: 'local-p12',
      subject: 'CN=Đảng ủy Trường Đại học Phạm Văn Đồng (thử nghiệm), C=VN',
    });
    const signed = await signer.sign(pdf, 'Ký ban hành quyết định');
    // An incremental update: the unsigned revision is kept byte for byte.
    expect(signed.subarray(0, pdf.length).equals(pdf)).toBe(true);
    const report = verifyPdfSignature(signed);
    expect(report).toMatchObject({
      signed: true,
      valid: true,
      reason: 'Ký ban hành quyết định',
      signer: { subject: signer.describe().subject, fingerprint: signer.certificate.fingerprint },
      checks: {
        digestMatches: true,
        signatureVerifies: true,
        coversWholeFile: true,
        certificateValidAtSigning: true,
        chainComplete: true,
      },
    });
    expect(Math.abs(report.signedAt!.getTime() - Date.now())).toBeLessThan(60_000);
    // Viewers still open it: pdf.js reads the signed file's pages and text.
    const doc = await getDocument({ data: new Uint8Array(signed), verbosity: 0 }).promise;
    const page = await doc.getPage(1);
    const text = (await page.getTextContent()).items.map((it) => ('str' in it ? it.str : '')).join('');
    expect(text).toContain('QUYẾT ĐỊNH');
    await doc.destroy();
  });

  it('verifies a certificate issued by a test CA, the chain followed to its root', async () => {
    const signed = await new P12Signer(makeTestP12({ withCa: true }), PASS).sign(pdf, 'Ký');
    const report = verifyPdfSignature(signed);
    expect(report.valid).toBe(true);
    expect(report.signer?.issuer).toBe('CN=CA thử nghiệm Quảng Ngãi');
  });

  it('is invalid when one byte of the signed content changes, or bytes are appended', async () => {
    const signed = await new P12Signer(makeTestP12(), PASS).sign(pdf, 'Ký');
    for (const at of [10, Math.floor(pdf.length / 2), signed.length - 5]) {
      const tampered = Buffer.from(signed);
      tampered[at] ^= 0x01;
      const report = verifyPdfSignature(tampered);
      expect(report.signed).toBe(true);
      expect(report.valid).toBe(false);
      expect(report.checks?.digestMatches).toBe(false);
    }
    const appended = verifyPdfSignature(Buffer.concat([signed, Buffer.from('\n% later\n')]));
    expect(appended).toMatchObject({ valid: false, checks: { digestMatches: true, coversWholeFile: false } });
  });

  it('reports an unsigned PDF as unsigned', () => {
    expect(verifyPdfSignature(pdf)).toEqual({ signed: false, valid: false });
  });

  it('refuses a wrong passphrase, a file that is not PKCS#12 and an expired certificate', () => {
    const problem = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e instanceof P12Error ? e.problem : String(e);
      }
      return 'none';
    };
    expect(problem(() => new P12Signer(makeTestP12(), 'wrong'))).toBe('badPassphrase');
    expect(problem(() => new P12Signer(pdf, PASS))).toBe('badFile');
    const old = makeTestP12({
      notBefore: new Date(Date.now() - 400 * DAY),
      notAfter: new Date(Date.now() - DAY),
    });
    expect(problem(() => new P12Signer(old, PASS))).toBe('expired');
  });
});

function upload(unitId: Types.ObjectId, file: Buffer | null, cookie = admin, name = 'unit.p12') {
  const body = new FormData();
  body.set('intent', 'install');
  if (file) body.set('certificate', new File([new Uint8Array(file)], name, { type: 'application/x-pkcs12' }));
  return call(
    action,
    new Request(`http://127.0.0.1:3000/admin/units/${unitId}/signing`, {
      method: 'POST',
      body,
      headers: { Cookie: cookie, 'User-Agent': 'vitest' },
    }),
    { id: String(unitId) },
  );
}

describe('installing a unit certificate', () => {
  it('refuses a wrong file, a wrong passphrase, an expired certificate and no file beside the field, writing nothing', async () => {
    const cases: [Buffer | null, string][] = [
      [null, 'signing.error.missing'],
      [Buffer.from('not a certificate'), 'signing.error.badFile'],
      [makeTestP12({ passphrase: 'another' }), 'signing.error.badPassphrase'],
      [
        makeTestP12({ notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) }),
        'signing.error.expired',
      ],
    ];
    for (const [file, error] of cases) {
      const res = await upload(pvd._id, file);
      expect(res.status, error).toBe(400);
      expect(res.data).toEqual({ error });
    }
    expect(await SigningCertificate.countDocuments()).toBe(0);
    expect(await AuditEvent.countDocuments({ action: /signing_certificate/ })).toBe(0);
  });

  it('refuses when no passphrase variable is set for the unit', async () => {
    const res = await upload(other._id, makeTestP12());
    expect(res.data).toEqual({ error: 'signing.error.noPassphrase' });
  });

  it('without a certificate, signForUnit returns the PDF unchanged and says so', async () => {
    const result = await signForUnit(pvd._id, pdf);
    expect(result).toEqual({ signed: false, pdf, reason: 'noCertificate' });
  });

  it('installs, shows subject/issuer/validity (never the file), signs the unit PDFs, and removes', async () => {
    const res = await upload(pvd._id, makeTestP12());
    expect(res.status).toBe(302);
    expect(res.location).toBe(`/admin/units/${pvd._id}/signing?ok=signingInstalled`);
    const page = await call(loader, get(`/admin/units/${pvd._id}/signing`, admin), { id: String(pvd._id) });
    expect(page.status).toBe(200);
    expect(page.data.certificate).toMatchObject({
      subject: 'CN=Đảng ủy Trường Đại học Phạm Văn Đồng (thử nghiệm), C=VN',
      issuer: 'CN=Đảng ủy Trường Đại học Phạm Văn Đồng (thử nghiệm), C=VN',
    });
    expect(page.data.certificate.p12).toBeUndefined();
    expect(page.data.passphraseSet).toBe(true);
    // The passphrase is nowhere in the database.
    const stored = (await SigningCertificate.findOne({ unitId: pvd._id }).lean())!;
    expect(JSON.stringify(stored)).not.toContain(PASS);
    const installed = await AuditEvent.findOne({ action: 'unit.signing_certificate.install' }).lean();
    expect(installed?.entityId).toEqual(pvd._id);
    expect(JSON.stringify(installed?.details)).not.toContain('p12');

    const result = await signForUnit(pvd._id, pdf, 'Ký ban hành');
    expect(result.signed).toBe(true);
    const report = verifyPdfSignature(result.pdf);
    expect(report).toMatchObject({
      valid: true,
      reason: 'Ký ban hành',
      signer: { fingerprint: stored.fingerprint },
    });

    // Another unit's PDFs stay unsigned.
    expect((await signForUnit(other._id, pdf)).signed).toBe(false);

    const removed = await call(action, post(`/admin/units/${pvd._id}/signing`, { intent: 'remove' }, admin), {
      id: String(pvd._id),
    });
    expect(removed.location).toBe(`/admin/units/${pvd._id}/signing?ok=signingRemoved`);
    expect(await SigningCertificate.countDocuments({ unitId: pvd._id })).toBe(0);
    expect(await AuditEvent.countDocuments({ action: 'unit.signing_certificate.remove' })).toBe(1);
    expect((await signForUnit(pvd._id, pdf)).signed).toBe(false);
  });

  it('is the administrator only: school and province staff are refused, whatever the unit', async () => {
    for (const email of [
      'danguy.pvd@demo.vn',
      'doantruong.pvd@demo.vn',
      'tinhdoan@demo.vn',
      'sinhvien@demo.vn',
    ]) {
      const cookie = await signIn(email);
      const page = await call(loader, get(`/admin/units/${pvd._id}/signing`, cookie), {
        id: String(pvd._id),
      });
      expect(page.status, email).toBe(403);
      const res = await upload(pvd._id, makeTestP12(), cookie);
      expect(res.status, email).toBe(403);
    }
    expect(await SigningCertificate.countDocuments()).toBe(0);
  });

  it('answers 404 for an unknown unit', async () => {
    const id = new Types.ObjectId();
    const page = await call(loader, get(`/admin/units/${id}/signing`, admin), { id: String(id) });
    expect(page.status).toBe(404);
  });
});
