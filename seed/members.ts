/**
 * Members: member i comes from its own stream seeded by (seed, i), so any batch can be
 * generated in any order; index 0 is the fixed demo student (see generate.ts).
 */
import type { ObjectId } from 'bson';
import { latestGpa10 } from '../app/domain/latest-gpa.ts';
import { stageIndex, type Stage } from '../app/domain/stages.ts';
import { memberSearchKey, nameSortKey } from '../app/domain/text.ts';
import { MALE_GIVEN, MALE_MIDDLE, MINORITIES, RELIGIONS } from './data.ts';
import { Random, hashInts } from './random.ts';
import {
  addDays,
  addMonths,
  clamp,
  CURRENT_SCHOOL_YEAR,
  DATA_START,
  daysBetween,
  DEMO_STUDENT,
  maxDate,
  memberId,
  minDate,
  REFERENCE_DATE,
  schoolYearOf,
  stableId,
  sum,
  utc,
} from './common.ts';
import { COHORTS, buildOrgTree, type BranchInfo, type OrgTree, type SchoolInfo } from './org-tree.ts';
import { demoStudentPlacement } from './users.ts';
import { pickName } from './names.ts';
import { buildPipeline, earliestSelection, planStages, STAGE_GAP, STAGE_WEIGHTS } from './pipeline.ts';
import type { SeedMember } from './types.ts';
import { makeAcademicTerms, makeActivities, makeAwards, makeUnionRatings } from './records.ts';

export interface GenerationContext {
  seed: number;
  tree: OrgTree;
  /** Weighted school list for picking a member's school. */
  schoolWeights: [SchoolInfo, number][];
  branchesBySchoolCohort: Map<string, BranchInfo[]>;
  unionUserBySchool: Map<string, ObjectId>;
  partyUserBySchool: Map<string, ObjectId>;
}

export function createContext(seed: number, tree: OrgTree = buildOrgTree()): GenerationContext {
  const branchesBySchoolCohort = new Map<string, BranchInfo[]>();
  for (const s of tree.schools) {
    for (const b of s.branches) {
      const key = `${s.def.code}:${b.cohort}`;
      const list = branchesBySchoolCohort.get(key) ?? [];
      list.push(b);
      branchesBySchoolCohort.set(key, list);
    }
  }
  const unionUserBySchool = new Map<string, ObjectId>();
  const partyUserBySchool = new Map<string, ObjectId>();
  for (const s of tree.schools) {
    const code = s.def.code.toLowerCase();
    unionUserBySchool.set(s.def.code, stableId('user', `doantruong.${code}@demo.vn`));
    partyUserBySchool.set(s.def.code, stableId('user', `danguy.${code}@demo.vn`));
  }
  return {
    seed,
    tree,
    schoolWeights: tree.schools.map((s) => [s, s.def.weight]),
    branchesBySchoolCohort,
    unionUserBySchool,
    partyUserBySchool,
  };
}

/** Members [from, to) of the data set; index 0 is the demo student. */
export function generateMembers(ctx: GenerationContext, from: number, to: number): SeedMember[] {
  const out: SeedMember[] = [];
  for (let i = from; i < to; i++) out.push(generateMember(ctx, i));
  return out;
}

function generateMember(ctx: GenerationContext, index: number): SeedMember {
  const isDemo = index === 0;
  // The demo student draws from a fixed stream so it is identical for every seed.
  const rng = new Random(isDemo ? hashInts(0x5eed, 0) : hashInts(ctx.seed, index));
  const idSeed = isDemo ? 0 : ctx.seed;
  const demo = isDemo ? demoStudentPlacement(ctx.tree) : null;
  const school = demo ? demo.school : rng.weighted(ctx.schoolWeights);
  const def = school.def;
  const kind = def.kind;
  const drawn: Stage = demo
    ? DEMO_STUDENT.stage
    : rng.weighted(STAGE_WEIGHTS[kind === 'high_school' ? 'high_school' : 'higher']);
  const plan = planStages(rng, drawn, kind);
  const reached = plan.forward[plan.forward.length - 1];
  const reachedIdx = stageIndex(reached);
  // planStages may stop earlier than drawn when the minimum durations cannot fit.
  const stage: Stage = plan.exit ?? reached;

  // Dates of each forward stage after 'member', placed backwards from a recent end.
  const gapStages = plan.forward.slice(2);
  let gaps = gapStages.map((s) => rng.int(STAGE_GAP[s][0], STAGE_GAP[s][1]));
  const exitMin = plan.exit ? 10 : 0;
  let exitGap = plan.exit ? rng.int(exitMin, plan.exit === 'struck_off' ? 200 : 120) : 0;
  const chainDays = sum(gaps) + exitGap;
  // Someone still on probation had the ceremony less than 12 months ago.
  const maxAgo = stage === 'probation' ? 330 : stage === 'official' ? 500 : 300;
  const latestEnd = addDays(REFERENCE_DATE, -20);
  let end = addDays(REFERENCE_DATE, -rng.int(20, maxAgo));

  const cohorts = COHORTS[kind];
  let cohort: number;
  let outstandingAt: Date | null = null;
  if (demo) {
    cohort = DEMO_STUDENT.cohort;
  } else if (reachedIdx >= 1) {
    let start = addDays(end, -chainDays);
    const fits = cohorts.filter((c) => earliestSelection(kind, c) <= start);
    cohort = fits.length ? rng.pick(fits) : cohorts[0];
    const earliest = earliestSelection(kind, cohort);
    if (start < earliest) {
      // Not enough time since enrolment: end as late as allowed and shrink every gap
      // toward its minimum, so each step still takes a plausible time (planStages
      // guarantees the minimums fit).
      start = earliest;
      end = latestEnd;
      const mins = gapStages.map((s) => STAGE_GAP[s][0]);
      const minTotal = sum(mins) + exitMin;
      const spare = chainDays - minTotal;
      const factor = clamp((daysBetween(start, end) - minTotal) / Math.max(1, spare), 0, 1);
      gaps = gaps.map((g, k) => mins[k] + Math.floor((g - mins[k]) * factor));
      exitGap = exitMin + Math.floor((exitGap - exitMin) * factor);
    }
    outstandingAt = start;
  } else {
    cohort = rng.pick(cohorts);
  }
  const cohortStart = utc(cohort, 9, 5);
  const recordStart = maxDate(cohortStart, DATA_START);

  // Identity.
  const gender: 'male' | 'female' = demo
    ? DEMO_STUDENT.gender
    : rng.chance(kind === 'university' ? 0.58 : kind === 'college' ? 0.38 : 0.53)
      ? 'female'
      : 'male';
  const minority = !demo && rng.chance(def.minorityShare);
  const ethnicity = minority ? rng.weighted(MINORITIES[def.region]) : 'Kinh';
  const fullName = demo ? DEMO_STUDENT.fullName : pickName(rng, gender, ethnicity);
  const entryAge =
    kind === 'high_school'
      ? 15
      : kind === 'college'
        ? rng.weighted([
            [18, 6],
            [19, 3],
            [20, 1],
          ] as const)
        : rng.chance(0.9)
          ? 18
          : 19;
  let dateOfBirth = demo ? DEMO_STUDENT.dateOfBirth : utc(cohort - entryAge, rng.int(1, 12), rng.int(1, 28));
  if (stage === 'aged_out')
    dateOfBirth = utc(REFERENCE_DATE.getUTCFullYear() - 31, rng.int(1, 12), rng.int(1, 28));

  const studentCode = `${String(cohort).slice(2)}${String(school.number).padStart(2, '0')}${String(index).padStart(6, '0')}`;
  const branches = ctx.branchesBySchoolCohort.get(`${def.code}:${cohort}`)!;
  const branch = demo ? demo.branch : rng.pick(branches);
  const unionUser = ctx.unionUserBySchool.get(def.code)!;
  const partyUser = ctx.partyUserBySchool.get(def.code)!;

  const { pipeline, dates } = buildPipeline(rng, {
    index,
    def,
    kind,
    demo: !!demo,
    stage,
    plan,
    reached,
    reachedIdx,
    gaps,
    exitGap,
    outstandingAt,
    recordStart,
    cohortStart,
    branch,
    unionUser,
    partyUser,
  });

  // Vote needs age ≥ 18 on the meeting date: move the birth date back if a compressed chain broke that.
  if (pipeline.branchVote) {
    const limit = addMonths(pipeline.branchVote.meetingDate, -18 * 12 - 1);
    if (dateOfBirth > limit) dateOfBirth = addDays(limit, -rng.int(0, 200));
  }

  const reachedOutstanding = reachedIdx >= 1;
  const quality = rng.normal() + (reachedOutstanding ? 0.9 : 0);

  // Union: joined at 15-16 (often on 26/3, the Union's founding day).
  const joinYear = dateOfBirth.getUTCFullYear() + (rng.chance(0.7) ? 16 : 15);
  let joinedAt = rng.chance(0.6) ? utc(joinYear, 3, 26) : utc(joinYear, rng.int(1, 12), rng.int(1, 28));
  if (joinedAt < addMonths(dateOfBirth, 15 * 12)) joinedAt = addMonths(dateOfBirth, 15 * 12 + 1);
  const latestJoin = addDays(REFERENCE_DATE, -20);
  if (joinedAt > latestJoin) {
    // Youngest grade-10 students: keep "joined at 15 or older" by making them born a little earlier.
    joinedAt = addDays(latestJoin, -rng.int(0, 40));
    if (addMonths(dateOfBirth, 15 * 12) > joinedAt) dateOfBirth = addMonths(joinedAt, -15 * 12 - 1);
  }
  const union = { joinedAt, cardNumber: `${def.region === 'kt' ? '62' : '51'}${rng.digits(8)}` };

  const unionRatings = makeUnionRatings(rng, cohort, joinedAt, dates.outstanding, reachedOutstanding);
  const academicTerms = makeAcademicTerms(rng, kind, def.scale, cohort, quality);
  const context = { rng, seed: idSeed, index, def, cohortStart, strong: reachedOutstanding };
  const awards = makeAwards(context);
  const activities = makeActivities(context, dateOfBirth, unionUser, awards.length);

  // Consent (Law 91/2025, in force 2026): most have given it; a guardian joins in for minors.
  let consent: SeedMember['consent'];
  if (isDemo || rng.chance(0.82)) {
    const givenAt = maxDate(addDays(utc(2026, 1, 5), rng.int(0, 250)), recordStart);
    const at = minDate(givenAt, addDays(REFERENCE_DATE, -1));
    consent = { version: '2026-01', givenAt: at };
    if (at < addMonths(dateOfBirth, 18 * 12)) {
      consent.guardianName = `${fullName.split(' ')[0]} ${rng.weighted(MALE_MIDDLE)} ${rng.pick(MALE_GIVEN)}`;
    }
    if (!isDemo && rng.chance(0.02)) consent.withdrawnAt = addDays(at, rng.int(5, 60));
  }
  // The demo student has not consented yet, so the first sign-in shows the consent page
  // (the random draws above still run: the rest of the data set stays the same).
  if (isDemo) consent = undefined;

  const religion = isDemo
    ? 'Không'
    : rng.weighted(
        def.region === 'kt'
          ? ([
              ['Không', 70],
              ['Công giáo', 18],
              ['Tin Lành', 7],
              ['Phật giáo', 5],
            ] as const)
          : RELIGIONS,
      );
  const provinceCode = def.region === 'kt' ? '062' : '051';
  const centuryGender = (gender === 'male' ? 0 : 1) + (dateOfBirth.getUTCFullYear() >= 2000 ? 2 : 0);
  const citizenId = `${provinceCode}${centuryGender}${String(dateOfBirth.getUTCFullYear()).slice(2)}${rng.digits(6)}`;
  const phonePrefix = rng.pick([
    '032',
    '035',
    '038',
    '070',
    '077',
    '086',
    '090',
    '093',
    '097',
    '098',
    '039',
    '081',
  ]);

  const exitedSchool = plan.exit === 'transferred' || plan.exit === 'aged_out';
  const schoolYear = exitedSchool ? schoolYearOf(pipeline.stageSince) : CURRENT_SCHOOL_YEAR;
  const ancestors = [...branch.unit.ancestors, branch.unit._id];
  const partyCellId = reachedOutstanding ? branch.partyCell._id : null;
  const email =
    kind === 'high_school'
      ? undefined
      : isDemo
        ? DEMO_STUDENT.email
        : `${studentCode}@sv.${def.code.toLowerCase()}.edu.vn`;

  const member: SeedMember = {
    _id: memberId(ctx.seed, index),
    fullName,
    searchKey: memberSearchKey(fullName, studentCode),
    nameSortKey: nameSortKey(fullName),
    dateOfBirth,
    gender,
    studentCode,
    phone: `${phonePrefix}${rng.digits(7)}`,
    ethnicity,
    religion,
    citizenId,
    schoolId: school.unit._id,
    branchId: branch.unit._id,
    partyCellId,
    ancestors,
    schoolKind: kind,
    schoolYear,
    cohort,
    union,
    unionRatings,
    academicTerms,
    latestGpa10: latestGpa10(academicTerms),
    awards,
    activities,
    pipeline,
    createdAt: recordStart,
    updatedAt: pipeline.stageSince,
    __v: 0,
  };
  if (email) member.email = email;
  if (consent) member.consent = consent;
  return member;
}
