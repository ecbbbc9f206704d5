/**
 * An issued official document (issue 20, part 2): the record behind a QR code. It keeps
 * what the paper prints and what rebuilds it (form, members, step, number, day) and the
 * sha256 of the content as built when issued; "current" or "superseded" is computed when
 * shown by rebuilding from today's record (docs/decisions/029-issued-documents.md), so
 * nothing here is ever updated except the formats downloaded.
 */
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';
import { FORM_CODES } from '../app/domain/documents/types.ts';
import { TRANSITION_IDS } from '../app/domain/pipeline/transitions.ts';

export const DOCUMENT_FORMAT_NAMES = ['docx', 'pdf'] as const;

export const issuedDocumentSchema = new Schema(
  {
    // 128 random bits, base64url (22 characters): the /verify/<code> path.
    code: { type: String, required: true, unique: true, match: /^[A-Za-z0-9_-]{22,}$/ },
    form: { type: String, required: true, enum: FORM_CODES },
    step: { type: String, required: true, enum: TRANSITION_IDS },
    // The members the document names, in the order it lists them; more than one: a batch.
    memberIds: { type: [Schema.Types.ObjectId], ref: 'Member', required: true },
    batch: { type: Boolean, required: true, default: false },
    // The issuing school, and its ancestors (province, school) for `{ ancestors: unitId }` scope.
    unitId: { type: Schema.Types.ObjectId, ref: 'Unit', required: true },
    ancestors: { type: [Schema.Types.ObjectId], default: [] },
    // As printed: the issuing body's name, "Số 12-NQ/ĐU", the recorded day (yyyy-mm-dd).
    issuer: { type: String, default: null },
    number: { type: String, default: null },
    refDay: { type: String, default: null },
    contentHash: { type: String, required: true, match: /^[0-9a-f]{64}$/ },
    issuedAt: { type: Date, required: true },
    issuedBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    formats: { type: [{ type: String, enum: DOCUMENT_FORMAT_NAMES }], default: [] },
    // Set when a PDF of it was first signed with the issuing unit's certificate (/verify shows it).
    signature: {
      type: new Schema(
        { subject: String, fingerprint: String, signedAt: Date },
        { _id: false, versionKey: false },
      ),
      default: null,
    },
  },
  { versionKey: false },
);

// One record per issued content: the hash covers the form and the members it is issued
// for (issued.ts `hashedContent`), so two clerks issuing the same paper at once get one code.
issuedDocumentSchema.index({ contentHash: 1, batch: 1 }, { unique: true });
// A member's documents (pipeline tab, student portal), newest first.
issuedDocumentSchema.index({ memberIds: 1, form: 1, issuedAt: -1 });

export type IssuedDocumentFields = InferSchemaType<typeof issuedDocumentSchema>;

export const IssuedDocument = defineModel<IssuedDocumentFields>('IssuedDocument', issuedDocumentSchema);
