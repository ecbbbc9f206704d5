/**
 * The figures of the province's annual report on developing the Party among pupils and
 * students (issue 20, part 3): per school, per school kind and in total, against the
 * year's targets, with the bottlenecks. Pure: the service counts per school and per
 * school × stage in the database, this module adds them up and orders them, so the
 * unit tests pin every sum and percentage once.
 */
import { compareVietnamese } from './text.ts';

export const REPORT_SCHOOL_KINDS = ['university', 'college', 'high_school'] as const;
export type ReportSchoolKind = (typeof REPORT_SCHOOL_KINDS)[number];

/** One school's counts for the year, as the service reads them. */
export interface SchoolTally {
  id: string;
  name: string;
  kind: ReportSchoolKind;
  /** Union members on record (not exited): the pupils or students the school follows. */
  members: number;
  /** Outstanding members introduced to the Party in the year (Union resolution dated in it). */
  selected: number;
  /** Admitted in the year (admission decision dated in it). */
  admitted: number;
  /** Recognised as official members in the year (official date in it). */
  official: number;
  /** Records open in the pipeline now, and those past a due date. */
  open: number;
  overdue: number;
  /** The year's admissions target, null when none is set. */
  target: number | null;
}

/** Open records of one school at one stage now. */
export interface StageTally {
  schoolId: string;
  stage: string;
  open: number;
  overdue: number;
  /** The earliest missed due day ("2026-03-02"), or null. */
  oldestDue: string | null;
}

export interface Totals {
  schools: number;
  members: number;
  selected: number;
  admitted: number;
  official: number;
  open: number;
  overdue: number;
  /** Sum of the targets set; null when no school has one. */
  target: number | null;
  /** Admitted at the schools with a target, over their targets (0–1+), or null. */
  achievement: number | null;
}

export interface AnnualFigures {
  year: number;
  /** Schools by kind (university, college, upper-secondary), then by name. */
  schools: SchoolTally[];
  kinds: ({ kind: ReportSchoolKind } & Totals)[];
  total: Totals;
  /** Members of universities and colleges, and of upper-secondary schools (the article's split). */
  students: { higher: number; upperSecondary: number };
  /** Schools with a target that admitted fewer than it, furthest behind first. */
  belowTarget: { name: string; admitted: number; target: number }[];
  /** Open stages by overdue records, then by records waiting. */
  stages: { stage: string; open: number; overdue: number }[];
  /** Overdue records per school and stage, most first. */
  overdue: { school: string; stage: string; count: number; oldestDue: string | null }[];
}

function totals(schools: SchoolTally[]): Totals {
  const sum = (f: (s: SchoolTally) => number) => schools.reduce((a, s) => a + f(s), 0);
  const targeted = schools.filter((s) => s.target !== null);
  const target = targeted.length ? targeted.reduce((a, s) => a + (s.target ?? 0), 0) : null;
  const admittedTargeted = targeted.reduce((a, s) => a + s.admitted, 0);
  return {
    schools: schools.length,
    members: sum((s) => s.members),
    selected: sum((s) => s.selected),
    admitted: sum((s) => s.admitted),
    official: sum((s) => s.official),
    open: sum((s) => s.open),
    overdue: sum((s) => s.overdue),
    target,
    achievement: target ? admittedTargeted / target : null,
  };
}

export function annualFigures(year: number, tallies: SchoolTally[], stages: StageTally[]): AnnualFigures {
  const kindOrder = (k: ReportSchoolKind) => REPORT_SCHOOL_KINDS.indexOf(k);
  const schools = [...tallies].sort(
    (a, b) => kindOrder(a.kind) - kindOrder(b.kind) || compareVietnamese(a.name, b.name),
  );
  const kinds = REPORT_SCHOOL_KINDS.map((kind) => ({
    kind,
    ...totals(schools.filter((s) => s.kind === kind)),
  })).filter((k) => k.schools > 0);
  const name = new Map(schools.map((s) => [s.id, s.name]));
  const byStage = new Map<string, { stage: string; open: number; overdue: number }>();
  for (const t of stages) {
    const row = byStage.get(t.stage) ?? { stage: t.stage, open: 0, overdue: 0 };
    row.open += t.open;
    row.overdue += t.overdue;
    byStage.set(t.stage, row);
  }
  return {
    year,
    schools,
    kinds,
    total: totals(schools),
    students: {
      higher: schools.filter((s) => s.kind !== 'high_school').reduce((a, s) => a + s.members, 0),
      upperSecondary: schools.filter((s) => s.kind === 'high_school').reduce((a, s) => a + s.members, 0),
    },
    belowTarget: schools
      .filter((s): s is SchoolTally & { target: number } => s.target !== null && s.admitted < s.target)
      .map((s) => ({ name: s.name, admitted: s.admitted, target: s.target }))
      .sort((a, b) => b.target - b.admitted - (a.target - a.admitted) || compareVietnamese(a.name, b.name)),
    stages: [...byStage.values()]
      .filter((s) => s.open > 0)
      .sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.stage.localeCompare(b.stage)),
    overdue: stages
      .filter((t) => t.overdue > 0 && name.has(t.schoolId))
      .map((t) => ({
        school: name.get(t.schoolId)!,
        stage: t.stage,
        count: t.overdue,
        oldestDue: t.oldestDue,
      }))
      .sort((a, b) => b.count - a.count || compareVietnamese(a.school, b.school)),
  };
}
