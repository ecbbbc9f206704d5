/** The shape of a generated member, as inserted into the members collection. */
import type { ObjectId } from 'bson';
import type { ThptRating } from '../app/domain/criteria/types.ts';
import type { Stage } from '../app/domain/stages.ts';
import type { SchoolKind } from '../models/unit.ts';

export interface SeedHistoryEntry {
  stage: Stage;
  at: Date;
  by: ObjectId | null;
  note?: string;
  refNo?: string;
  refDate?: Date;
}

export interface SeedMember {
  _id: ObjectId;
  fullName: string;
  searchKey: string;
  nameSortKey: string;
  dateOfBirth: Date;
  gender: 'male' | 'female' | 'other';
  studentCode: string;
  email?: string;
  phone?: string;
  ethnicity: string;
  religion: string;
  citizenId: string;
  schoolId: ObjectId;
  branchId: ObjectId;
  partyCellId: ObjectId | null;
  ancestors: ObjectId[];
  schoolKind: SchoolKind;
  schoolYear: string;
  cohort: number;
  union: { joinedAt: Date; cardNumber: string };
  unionRatings: { year: string; level: 'excellent' | 'good' | 'complete' | 'incomplete' }[];
  academicTerms: {
    year: string;
    term: 1 | 2 | 3;
    scale: 4 | 10;
    gpa: number;
    conductScore?: number;
    conductRating?: ThptRating;
    studyRating?: ThptRating;
  }[];
  latestGpa10: number | null;
  awards: {
    _id: ObjectId;
    title: string;
    kind: 'giay_khen' | 'bang_khen' | 'title';
    level: 'school' | 'province' | 'central';
    date: Date;
    decisionNo: string;
    issuer: string;
    verified: boolean;
  }[];
  activities: {
    _id: ObjectId;
    campaign: string;
    role: string;
    days: number;
    hours: number;
    startDate: Date;
    endDate: Date;
    verifiedBy: ObjectId | null;
    verifiedAt?: Date;
  }[];
  consent?: { version: string; givenAt: Date; withdrawnAt?: Date; guardianName?: string };
  pipeline: SeedPipeline;
  createdAt: Date;
  updatedAt: Date;
  __v: number;
}

export interface SeedPipeline {
  stage: Stage;
  stageSince: Date;
  history: SeedHistoryEntry[];
  certificate?: { number: string; issuer: string; issuedAt: Date; expiresAt: Date };
  helperName?: string;
  unionResolution?: { number: string; date: Date };
  application?: { receivedAt: Date };
  personalHistory?: { receivedAt: Date; verification: 'pending' | 'verified' | 'issues'; verifiedAt?: Date };
  introducers?: {
    name: string;
    official: boolean;
    monthsTogether?: number;
    kind: 'party_member' | 'union';
    refNo?: string;
  }[];
  opinions?: { source: string; date: Date; summary: string }[];
  branchVote?: {
    meetingDate: Date;
    yes: number;
    no: number;
    officialMemberCount: number;
    resolutionNo: string;
  };
  committeeResolution?: { number: string; date: Date };
  decision?: { number: string; date: Date; issuer: string };
  ceremonyDate?: Date;
  probation?: { start: Date; end: Date };
  officialDate?: Date;
  returnReason?: string;
}
