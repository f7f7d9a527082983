// Observation 2's figures: entropy and mutual information over training, the river/valley summary,
// and eigenvalue histograms at selected epochs.

import { histogramChart, lineChart, type Datum } from '../../../charts/specs';
import type { ExperimentContext } from '../../../experiment';
import { bandOf, meanCI } from '../../../verdict-rules';
import type { HessianConfig } from '../config';
import type { HessianPoint, TrainRunResult } from '../train-run';
import { NAME, type Runs } from './measures';

/** Mean and 95% interval over runs of a Hessian metric at each snapshot epoch. */
function hessCurve(
  runs: readonly TrainRunResult[],
  model: string,
  f: (h: HessianPoint) => number | null,
): Datum[] {
  const first = runs[0]?.hessian ?? [];
  return first
    .map((h, i) => {
      const c = meanCI(runs.map((r) => (r.hessian[i] ? (f(r.hessian[i]) ?? NaN) : NaN)));
      return { epoch: h.epoch, model, ...bandOf(c) };
    })
    .filter((d) => Number.isFinite(d.value));
}

/** Snapshot epochs nearest the wanted ones; those past the last snapshot only while none is kept yet. */
function nearestEpochs(available: readonly number[], wanted: readonly number[]): number[] {
  const out = new Set<number>();
  for (const w of wanted) {
    let best = available[0]!;
    for (const a of available) if (Math.abs(a - w) < Math.abs(best - w)) best = a;
    if (w <= available[available.length - 1]! || out.size === 0) out.add(best);
  }
  return [...out].sort((a, b) => a - b);
}

/** Entropy and mutual information over training, with 95% bands over runs. */
export async function curveFigures(
  ctx: ExperimentContext<unknown>,
  single: Runs,
  looped: Runs,
): Promise<void> {
  const n = single.length;
  const both = (title: string, name: string, yTitle: string, f: (h: HessianPoint) => number | null) =>
    ctx.figure(
      name,
      lineChart({
        title: `${title}, mean and 95% interval over ${n} run(s)`,
        data: [...hessCurve(single, NAME.single, f), ...hessCurve(looped, NAME.looped, f)],
        x: 'epoch',
        y: 'value',
        yTitle,
        color: 'model',
        band: { lower: 'lower', upper: 'upper' },
      }),
    );
  await both('Hessian matrix entropy (|λ| convention, nats)', 'obs2-entropy', 'entropy', (h) => h.entropy);
  await both(
    'Mutual information between consecutive Hessian snapshots',
    'obs2-mutual-information',
    'MI (nats)',
    (h) => h.mutualInformation,
  );
}

/** River dimension, valley condition number and low-curvature valley count over training, one facet each. */
export async function riverValleyFigure(
  ctx: ExperimentContext<unknown>,
  single: Runs,
  looped: Runs,
): Promise<void> {
  const rvData: Datum[] = [];
  for (const [m, runs] of [
    ['single', single],
    ['looped', looped],
  ] as const) {
    for (const [label, f] of [
      ['valley condition number (log10)', (h: HessianPoint) => Math.log10(h.conditionNumber)],
      ['low-curvature valley eigenvalues', (h: HessianPoint) => h.lowCurvatureValleyCount],
      ['river dimension', (h: HessianPoint) => h.riverDim],
    ] as const) {
      for (const d of hessCurve(runs, NAME[m], f)) rvData.push({ ...d, metric: label });
    }
  }
  await ctx.figure(
    'obs2-river-valley',
    lineChart({
      title: 'River/valley summary over training (each model with its own thresholds)',
      data: rvData,
      x: 'epoch',
      y: 'value',
      yTitle: '',
      color: 'model',
      column: 'metric',
      independentY: true,
      width: 240,
      height: 180,
    }),
  );
}

/** Eigenvalue histograms at selected epochs, pooled over every run with Hessians. */
export async function eigenvalueFigures(
  ctx: ExperimentContext<unknown>,
  single: Runs,
  looped: Runs,
  cfg: HessianConfig,
): Promise<void> {
  for (const [m, runs] of [
    ['looped', looped],
    ['single', single],
  ] as const) {
    const epochs = nearestEpochs(
      runs[0]!.hessian.map((h) => h.epoch),
      cfg.histogramEpochs,
    );
    const data: Datum[] = [];
    for (const run of runs)
      for (const h of run.hessian.filter((x) => epochs.includes(x.epoch)))
        for (const v of h.eigenvalues)
          data.push({ epoch: `epoch ${String(h.epoch).padStart(4, ' ')}`, eigenvalue: v });
    await ctx.figure(
      `obs2-eigenvalues-${m}`,
      histogramChart({
        title: `${NAME[m]}: Hessian eigenvalues pooled over ${runs.length} run(s), counts on a symlog scale`,
        data,
        field: 'eigenvalue',
        column: 'epoch',
        logCount: true,
        maxbins: 40,
      }),
    );
  }
}
