// The SHIFT study on the Markov language: SCP replayed on the core Single-Attn runs, SHIFT trained at
// a sweep of shift points, compared with pure Looped-Attn. The steps live in shift-study/: sweep.ts
// (the runs), stats.ts (aggregates and SHIFT-vs-Looped numbers), figures.ts, report.ts.

import type { ExperimentContext } from '../../experiment';
import type { ReportSection } from '../../report/types';
import type { Table } from '../../summary-table';
import type { CoreRuns } from './core';
import { curveFigures, sweepFigures } from './shift-study/figures';
import { shiftSection, shiftSummary } from './shift-study/report';
import { aggregate, sweepStats } from './shift-study/stats';
import { runSweep, type ShiftCfg } from './shift-study/sweep';

export { scpOnRun } from './shift-study/sweep';

export async function shiftStudy(
  ctx: ExperimentContext<unknown>,
  core: CoreRuns,
  cfg: ShiftCfg,
): Promise<{ sections: ReportSection[]; summary: Table; results: object }> {
  const { points, scp, firstScpRun } = await runSweep(ctx, core, cfg);
  await curveFigures(ctx, core, scp[0]!, firstScpRun);
  const agg = aggregate(points);
  await sweepFigures(ctx, agg);
  const stats = sweepStats(core, points, scp, agg, cfg.train.epochs);
  return {
    sections: [shiftSection(cfg, scp, agg, stats, core.seeds.length)],
    summary: shiftSummary(agg),
    results: {
      scp,
      points,
      speedupAtScp: stats.speedup,
      speedupAtScpCI: stats.speedupCI,
      accDiffAtScp: stats.accDiff,
      highDiffAtScp: stats.highDiff,
      modelledSpeedupAtScp: stats.modelled,
      flopSpeedupAtScp: stats.flopSpeedup,
    },
  };
}
