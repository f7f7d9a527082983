// The theory study: the quadratic river-valley simulation of Appendix F (U vs V valley) and, when the
// core runs measured it, the gradient alignment of Theorem 3. The pieces live in theory/:
// valley-figures.ts, valley-report.ts, alignment.ts; the simulation itself is theory-sim.ts.

import type { ExperimentContext } from '../../experiment';
import type { ReportSection } from '../../report/types';
import type { Table } from '../../summary-table';
import type { TheoryConfig } from './config';
import type { CoreRuns } from './core';
import { alignmentSection } from './theory/alignment';
import { valleyFigures } from './theory/valley-figures';
import { valleySection, type Valleys } from './theory/valley-report';
import { assumptionOne, compareValleys } from './theory-sim';

export async function theoryStudy(
  ctx: ExperimentContext<unknown>,
  cfg: TheoryConfig,
  core: CoreRuns | null,
): Promise<{ sections: ReportSection[]; summary: Table; results: object }> {
  const cmp = compareValleys({
    dim: cfg.valleyDim,
    riverDim: cfg.riverDim,
    uMin: cfg.uMin,
    vMin: cfg.vMin,
    lr: cfg.lr,
    steps: cfg.steps,
    seed: ctx.seed,
    couplingScale: cfg.couplingScale,
  });
  await valleyFigures(ctx, cfg, cmp);
  const a1 = assumptionOne(cmp.spectra.u, cmp.spectra.v, 0.1);
  const sections: ReportSection[] = [valleySection(cfg, cmp, a1)];
  let alignment: object = {};
  // Runs record the alignment only when the config asks for it (a `theory` section with core runs).
  if (core && core.single[0]?.epochs[0]?.alignment !== undefined) {
    const a = await alignmentSection(ctx, core);
    sections.push(a.section);
    alignment = a.results;
  }
  return {
    sections,
    summary: valleySummary(cmp),
    results: {
      simulation: {
        u: { bound: cmp.u.forceBound, dominantForce: cmp.u.dominantForce, final: cmp.u.final },
        v: { bound: cmp.v.forceBound, dominantForce: cmp.v.dominantForce, final: cmp.v.final },
        assumption1: a1,
      },
      alignment,
    },
  };
}

function valleySummary(cmp: Valleys): Table {
  return {
    title: 'Theory',
    columns: ['valley', 'unforced force', 'bound', 'final loss'],
    rows: [
      ['U', cmp.u.dominantForce, cmp.u.forceBound, cmp.u.final.loss],
      ['V', cmp.v.dominantForce, cmp.v.forceBound, cmp.v.final.loss],
    ],
  };
}
