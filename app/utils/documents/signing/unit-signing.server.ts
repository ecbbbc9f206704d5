/**
 * A unit's signing certificate: install (an administrator uploads the PKCS#12), remove,
 * show, and sign that unit's PDFs with it. The passphrase is read from the environment at
 * each use and never written anywhere: `SIGNING_PASSPHRASE_<unit code>` (the code upper-
 * cased, anything but A–Z and 0–9 as "_", e.g. SIGNING_PASSPHRASE_PVD), else
 * `SIGNING_PASSPHRASE`.
 */
import { Types } from 'mongoose';
import { SigningCertificate, SIGNING_P12_MAX_BYTES } from '../../../../models/signing-certificate';
import { Unit } from '../../../../models/unit';
import type { MessageKey } from '~/i18n';
import { appendAudit } from '../../audit/audit.server';
import type { AuthUser } from '../../auth/auth.server';
import { unitScopeFilter } from '../../auth/permissions.server';
import { notFound } from '../../responses.server';
import { inTransaction } from '../../transaction.server';
import { openP12, P12Error, P12Signer, type CertificateInfo, type P12Problem } from './p12-signer.server';

export function passphraseVariable(unitCode: string): string {
  return `SIGNING_PASSPHRASE_${unitCode.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export function passphraseFor(unitCode: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[passphraseVariable(unitCode)] ?? env.SIGNING_PASSPHRASE;
}

export type InstallProblem = P12Problem | 'missing' | 'tooLarge' | 'noPassphrase';

export const INSTALL_MESSAGES: Record<InstallProblem, MessageKey> = {
  missing: 'signing.error.missing',
  tooLarge: 'signing.error.tooLarge',
  badFile: 'signing.error.badFile',
  badPassphrase: 'signing.error.badPassphrase',
  noKey: 'signing.error.noKey',
  expired: 'signing.error.expired',
  notYetValid: 'signing.error.notYetValid',
  noPassphrase: 'signing.error.noPassphrase',
};

export interface InstalledCertificate extends CertificateInfo {
  installedAt: Date;
}

async function unitInScope(user: AuthUser, unitId: Types.ObjectId) {
  const unit = await Unit.findOne({ _id: unitId, ...unitScopeFilter(user) })
    .select({ code: 1, name: 1 })
    .lean();
  if (!unit) throw notFound();
  return unit;
}

const publicFields = {
  subject: 1,
  issuer: 1,
  serialNumber: 1,
  fingerprint: 1,
  notBefore: 1,
  notAfter: 1,
  installedAt: 1,
} as const;

/** What the unit's page shows: the certificate's names and dates, and the variable to set. */
export async function signingStatus(user: AuthUser, unitId: Types.ObjectId) {
  const unit = await unitInScope(user, unitId);
  const cert = await SigningCertificate.findOne({ unitId }).select(publicFields).lean();
  return {
    unit: { id: String(unit._id), name: unit.name, code: unit.code },
    variable: passphraseVariable(unit.code),
    passphraseSet: passphraseFor(unit.code) !== undefined,
    certificate: cert
      ? {
          subject: cert.subject,
          issuer: cert.issuer,
          serialNumber: cert.serialNumber,
          fingerprint: cert.fingerprint,
          notBefore: cert.notBefore,
          notAfter: cert.notAfter,
          installedAt: cert.installedAt,
        }
      : null,
  };
}

/**
 * Installs (or replaces) the unit's certificate after opening it with the passphrase from
 * the environment: a file that is not PKCS#12, a wrong passphrase, no key, or a certificate
 * not valid today is refused with its reason and nothing is written.
 */
export async function installCertificate(
  user: AuthUser,
  unitId: Types.ObjectId,
  file: FormDataEntryValue | null,
): Promise<{ ok: true; certificate: CertificateInfo } | { ok: false; problem: InstallProblem }> {
  const unit = await unitInScope(user, unitId);
  if (!(file instanceof File) || file.size === 0) return { ok: false, problem: 'missing' };
  if (file.size > SIGNING_P12_MAX_BYTES) return { ok: false, problem: 'tooLarge' };
  const passphrase = passphraseFor(unit.code);
  if (passphrase === undefined) return { ok: false, problem: 'noPassphrase' };
  const p12 = Buffer.from(await file.arrayBuffer());
  let info: CertificateInfo;
  try {
    info = openP12(p12, passphrase).info;
  } catch (error) {
    if (error instanceof P12Error) return { ok: false, problem: error.problem };
    throw error;
  }
  await SigningCertificate.init();
  await inTransaction(async () => {
    const before = await SigningCertificate.findOneAndUpdate(
      { unitId },
      { $set: { p12, ...info, installedBy: new Types.ObjectId(user.id), installedAt: new Date() } },
      { upsert: true, returnDocument: 'before', projection: { subject: 1, fingerprint: 1 } },
    ).lean();
    await appendAudit({
      actorId: user.id,
      action: 'unit.signing_certificate.install',
      entity: 'Unit',
      entityId: unitId,
      unitId,
      // Names and the fingerprint only: the file and its key never reach the log.
      details: {
        before: before ? { subject: before.subject, fingerprint: before.fingerprint } : null,
        after: {
          subject: info.subject,
          issuer: info.issuer,
          fingerprint: info.fingerprint,
          notAfter: info.notAfter,
        },
      },
    });
  });
  return { ok: true, certificate: info };
}

/** Removes the unit's certificate; its PDFs are issued unsigned from then on. */
export async function removeCertificate(user: AuthUser, unitId: Types.ObjectId): Promise<boolean> {
  await unitInScope(user, unitId);
  return inTransaction(async () => {
    const removed = await SigningCertificate.findOneAndDelete(
      { unitId },
      { projection: { subject: 1, fingerprint: 1 } },
    ).lean();
    if (!removed) return false;
    await appendAudit({
      actorId: user.id,
      action: 'unit.signing_certificate.remove',
      entity: 'Unit',
      entityId: unitId,
      unitId,
      details: { before: { subject: removed.subject, fingerprint: removed.fingerprint }, after: null },
    });
    return true;
  });
}

export type UnsignedReason = 'noCertificate' | 'noPassphrase' | InstallProblem;

export type SignForUnitResult =
  | { signed: true; pdf: Buffer; signer: { kind: string; subject: string; fingerprint: string } }
  | { signed: false; pdf: Buffer; reason: UnsignedReason };

/** The reason written in the signature when the caller gives none. */
export const DEFAULT_SIGNING_REASON = 'Ký ban hành văn bản';

/**
 * The PDF signed with the unit's certificate, or unchanged with `signed: false` and why
 * (no certificate installed, its passphrase missing from the environment, or the
 * certificate no longer valid). The caller decides whether an unsigned PDF may go out;
 * the unit is the one whose name heads the document (its issuer). Callers check scope.
 */
export async function signForUnit(
  unitId: Types.ObjectId | string,
  pdf: Buffer,
  reason = DEFAULT_SIGNING_REASON,
): Promise<SignForUnitResult> {
  const id = new Types.ObjectId(String(unitId));
  const cert = await SigningCertificate.findOne({ unitId: id }).select({ p12: 1, fingerprint: 1 }).lean();
  if (!cert) return { signed: false, pdf, reason: 'noCertificate' };
  const unit = await Unit.findOne({ _id: id }).select({ code: 1 }).lean();
  const passphrase = unit ? passphraseFor(unit.code) : undefined;
  if (passphrase === undefined) return { signed: false, pdf, reason: 'noPassphrase' };
  let signer: P12Signer;
  try {
    signer = new P12Signer(Buffer.from(cert.p12.buffer ?? cert.p12), passphrase);
  } catch (error) {
    if (error instanceof P12Error) return { signed: false, pdf, reason: error.problem };
    throw error;
  }
  const signed = await signer.sign(pdf, reason);
  return { signed: true, pdf: signed, signer: { ...signer.describe(), fingerprint: cert.fingerprint } };
}

/** The unit whose installed certificate has this fingerprint (for /verify: "signed by a certificate installed here"). */
export async function unitOfCertificate(fingerprint: string) {
  const cert = await SigningCertificate.findOne({ fingerprint }).select({ unitId: 1 }).lean();
  if (!cert) return null;
  const unit = await Unit.findOne({ _id: cert.unitId }).select({ name: 1 }).lean();
  return unit ? { id: String(unit._id), name: unit.name } : null;
}
