/**
 * The tables of the province dashboard (`/reports`) in one neutral shape, so the page,
 * the print page and the `.xlsx` export show the same figures: built once on the server
 * by `dashboardTables()` (app/utils/reports/reports.server.ts), rendered by
 * app/components/report-tables.tsx and written by app/utils/xlsx-tables.server.ts.
 * Isomorphic: no server imports.
 */
export interface ReportCell {
  /** Text or a number (numbers are right-aligned and written as numbers in Excel). */
  value: string | number | null;
  /** Drill-down: the member table filtered to exactly the members behind the number. */
  href?: string;
  /**
   * A percentage's fraction (0.38 for "38%"): `value` is its text for the page, Excel
   * gets this number formatted as a percentage, so the recipient can compute with it.
   */
  ratio?: number;
}

export interface ReportTable {
  /** Stable id, also the anchor on the page (`#funnel`). */
  id: string;
  /** Excel sheet name: ≤ 31 characters, none of `[]:*?/\`. */
  sheet: string;
  /** Heading above the table, in the user's language. */
  title: string;
  /** Column headers, in the user's language. */
  columns: string[];
  rows: ReportCell[][];
  /** A line under the table (e.g. "cells under 5 people are hidden"). */
  note?: string;
}
