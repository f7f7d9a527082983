// Observation 2 (Hessian-level dynamics): Single-Attn's landscape settles while Looped-Attn's keeps
// moving, the final valleys are U- and V-shaped, and Assumption 1 holds. `observation2` below names
// its steps; the pieces live in obs2/: measures.ts (per-run Hessian measurements), stats.ts (the
// record the tables and verdicts read), figures.ts, tables.ts, verdicts.ts, results.ts (results.json).

import type { ExperimentContext } from '../../experiment';
import type { ReportBlock, ReportSection } from '../../report/types';
import type { Table } from '../../summary-table';
import type { HessianConfig } from './config';
import type { CoreRuns } from './core';
import { curveFigures, eigenvalueFigures, riverValleyFigure } from './obs2/figures';
import { withHessian } from './obs2/measures';
import { obs2Results } from './obs2/results';
import { obs2Stats } from './obs2/stats';
import { assumptionTableOf, obs2SummaryOf, sensitivityTableOf, summaryTableOf } from './obs2/tables';
import { obs2Verdicts } from './obs2/verdicts';

export { assumptionCheck, shapeSensitivity } from './obs2/measures';

type Part = { sections: ReportSection[]; summary: Table; results: object };

/** The section for runs without Hessian snapshots (a fresh object each call, as callers may extend it). */
function noHessianPart(): Part {
  return {
    sections: [
      {
        title: 'Observation 2: Hessian dynamics',
        blocks: [{ kind: 'text', markdown: 'No Hessian snapshots were recorded in this run.' }],
      },
    ],
    summary: { columns: [], rows: [] },
    results: {},
  };
}

export async function observation2(
  ctx: ExperimentContext<unknown>,
  core: CoreRuns,
  cfg: HessianConfig,
): Promise<Part> {
  const single = withHessian(core.single);
  const looped = withHessian(core.looped);
  if (single.length === 0 || looped.length === 0) return noHessianPart();
  await curveFigures(ctx, single, looped);
  await riverValleyFigure(ctx, single, looped);
  await eigenvalueFigures(ctx, single, looped, cfg);
  const st = obs2Stats(single, looped, cfg);
  const table = summaryTableOf(single, looped, cfg);
  const blocks: ReportBlock[] = [
    { kind: 'figure', name: 'obs2-entropy', caption: 'Matrix entropy of the Hessian over epochs.' },
    {
      kind: 'figure',
      name: 'obs2-mutual-information',
      caption: 'Mutual information between the Hessians of consecutive snapshots.',
    },
    {
      kind: 'figure',
      name: 'obs2-eigenvalues-looped',
      caption:
        'Looped-Attn eigenvalue histograms at selected epochs (the paper: 1, 10, 50, 60, 150, 170, 400).',
    },
    {
      kind: 'figure',
      name: 'obs2-eigenvalues-single',
      caption: 'Single-Attn eigenvalue histograms at selected epochs (the paper: 10, 150).',
    },
    {
      kind: 'figure',
      name: 'obs2-river-valley',
      caption: 'River dimension, valley condition number and low-curvature valley eigenvalues over training.',
    },
    { kind: 'table', table },
    { kind: 'table', table: assumptionTableOf(st.finalChecks, single, cfg) },
    { kind: 'table', table: sensitivityTableOf(st.sensitivity) },
    ...obs2Verdicts(single, looped, cfg, st),
  ];
  return {
    sections: [{ title: 'Observation 2: Hessian-level dynamics and the river/valley landscape', blocks }],
    summary: obs2SummaryOf(table),
    results: obs2Results(single, st),
  };
}
