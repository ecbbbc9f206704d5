/**
 * A unit's signing certificate (issue 20): the PKCS#12 file as uploaded, at most one per
 * unit. The file is encrypted by its passphrase, which is never stored: it comes from the
 * environment (SIGNING_PASSPHRASE_<unit code>, else SIGNING_PASSPHRASE). The names and
 * dates are copied out at install time so pages show them without opening the file.
 * Kept apart from Unit so that reading units never loads the file.
 */
import type mongoose from 'mongoose';
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';

/** A PKCS#12 with a key and a chain of a few certificates is a few KB; this leaves room. */
export const SIGNING_P12_MAX_BYTES = 64 * 1024;

export const signingCertificateSchema = new Schema(
  {
    unitId: { type: Schema.Types.ObjectId, ref: 'Unit', required: true },
    p12: { type: Buffer, required: true },
    subject: { type: String, required: true },
    issuer: { type: String, required: true },
    serialNumber: { type: String, required: true },
    fingerprint: { type: String, required: true },
    notBefore: { type: Date, required: true },
    notAfter: { type: Date, required: true },
    installedBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    installedAt: { type: Date, required: true },
  },
  { timestamps: false },
);

signingCertificateSchema.index({ unitId: 1 }, { unique: true });
signingCertificateSchema.index({ fingerprint: 1 });

export type SigningCertificateFields = InferSchemaType<typeof signingCertificateSchema>;
export type SigningCertificateDocument = mongoose.HydratedDocument<SigningCertificateFields>;

export const SigningCertificate = defineModel<SigningCertificateFields>(
  'SigningCertificate',
  signingCertificateSchema,
);
