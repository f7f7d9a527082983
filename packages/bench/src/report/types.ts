import type { Table } from '../summary-table';

/** Building blocks of a report section; rendered to report.md and report.html. */
export type ReportBlock =
  | { kind: 'text'; markdown: string }
  | { kind: 'table'; table: Table }
  | { kind: 'figure'; name: string; caption?: string }
  /** A plain statement of whether a claim held, with the numbers behind it. */
  | { kind: 'verdict'; claim: string; held: boolean | 'partly' | 'n/a'; evidence: string };

export interface ReportSection {
  title: string;
  blocks: ReportBlock[];
}

export interface ReportDocument {
  title: string;
  /** Key facts shown at the top: backend, versions, profile, seeds, wall time, command. */
  meta: Record<string, string>;
  sections: ReportSection[];
}
