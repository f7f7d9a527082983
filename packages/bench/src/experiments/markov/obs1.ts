// Observation 1 (sample-level accuracy by information content): both models master the low-IC
// sequences, Looped-Attn ends higher on high-IC ones and keeps rising after Single-Attn stalls.
// `observation1` below names its steps over one record (obs1/setup.ts); the pieces live in obs1/:
// measures.ts (per-run measurements), figures.ts, tables.ts, verdicts.ts, results.ts (results.json).

import type { ExperimentContext } from '../../experiment';
import type { ReportBlock, ReportSection } from '../../report/types';
import type { Table } from '../../summary-table';
import type { CoreRuns } from './core';
import { accuracyFigures, lossFigure } from './obs1/figures';
import { obs1Results } from './obs1/results';
import { obs1Setup } from './obs1/setup';
import { budgetTableOf, introText, langTableOf, reachTableOf, summaryTableOf } from './obs1/tables';
import { obs1Verdicts } from './obs1/verdicts';

export {
  REACH_TOLERANCE,
  STALL_TOLERANCE,
  budgetsOf,
  curve,
  firstReach,
  lateRise,
  stallEpoch,
} from './obs1/measures';

export async function observation1(
  ctx: ExperimentContext<unknown>,
  core: CoreRuns,
): Promise<{ sections: ReportSection[]; summary: Table; results: object }> {
  const o = obs1Setup(core);
  await accuracyFigures(ctx, o);
  await lossFigure(ctx, o);
  const blocks: ReportBlock[] = [
    introText(o),
    {
      kind: 'figure',
      name: 'obs1-loss',
      caption:
        'Training loss (solid) and validation loss (dashed) of both models, mean over every language and seed.',
    },
    {
      kind: 'figure',
      name: 'obs1-accuracy-low',
      caption: 'Low-IC training sequences, per language; flat line: the Bayes predictor on the group.',
    },
    {
      kind: 'figure',
      name: 'obs1-accuracy-high',
      caption: 'High-IC training sequences, per language; flat line: the Bayes predictor on the group.',
    },
    { kind: 'table', table: langTableOf(o) },
    { kind: 'table', table: budgetTableOf(o) },
    { kind: 'table', table: reachTableOf(o) },
    ...obs1Verdicts(o),
  ];
  return {
    sections: [{ title: 'Observation 1: sample-level accuracy by information content', blocks }],
    summary: summaryTableOf(o),
    results: obs1Results(o),
  };
}
