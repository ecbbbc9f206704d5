/**
 * Between stored documents and the criteria engine: the member fields the engine
 * reads, and a stored set as the engine's set.
 * Both the criteria service and the stored verdicts (eligibility) build on it.
 */
import type { Types } from 'mongoose';
import type { CriteriaSetStatus } from '../../../models/criteria-set';
import { type CriteriaPurpose, type CriteriaSet, type Rule, type SchoolKind } from '~/domain/criteria';

export interface LeanSet {
  _id: Types.ObjectId;
  unitId: Types.ObjectId;
  schoolKind: SchoolKind;
  schoolYear: string;
  purpose: CriteriaPurpose;
  version: number;
  status: CriteriaSetStatus;
  name: string;
  rules: Rule[];
  passMark?: number | null;
  basedOn?: Types.ObjectId | null;
  createdAt?: Date;
  updatedAt?: Date;
  activatedAt?: Date | null;
  retiredAt?: Date | null;
  history?: { at: Date; by?: Types.ObjectId | null; action: string; note?: string | null }[];
  __v?: number;
}

export function toEngineSet(doc: LeanSet): CriteriaSet {
  return {
    id: String(doc._id),
    name: doc.name,
    schoolKind: doc.schoolKind,
    schoolYear: doc.schoolYear,
    version: doc.version,
    purpose: doc.purpose,
    rules: doc.rules,
    ...(typeof doc.passMark === 'number' ? { passMark: doc.passMark } : {}),
  };
}

/** Fields the engine reads: the projection of every bulk evaluation. */
export const ENGINE_PROJECTION = {
  dateOfBirth: 1,
  'union.joinedAt': 1,
  unionRatings: 1,
  academicTerms: 1,
  'awards.title': 1,
  'awards.kind': 1,
  'awards.level': 1,
  'awards.date': 1,
  'awards.verified': 1,
  'activities.days': 1,
  'activities.startDate': 1,
  'activities.endDate': 1,
  'activities.verifiedAt': 1,
  'pipeline.certificate.issuedAt': 1,
  'pipeline.certificate.expiresAt': 1,
} as const;
