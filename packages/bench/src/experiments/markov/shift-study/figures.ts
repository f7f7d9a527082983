// The SHIFT study's figures: loss curves of the first run with SCP's points, and training time and
// final accuracy by shift point.

import { barChart, lineChart, lossChart, type Datum } from '../../../charts/specs';
import type { ExperimentContext } from '../../../experiment';
import type { CoreRuns } from '../core';
import type { EpochPoint, TrainRunResult } from '../train-run';
import type { Aggregate } from './stats';
import type { ScpPoint } from './sweep';

/** Loss curves of the first run (with SHIFT at SCP's point) and Single-Attn's validation loss and gradient norm. */
export async function curveFigures(
  ctx: ExperimentContext<unknown>,
  core: CoreRuns,
  scp0: ScpPoint,
  firstScpRun: TrainRunResult | null,
): Promise<void> {
  const s0 = core.single[0]!;
  const marks = [
    ...(scp0.plateauEpoch !== null
      ? [{ x: scp0.plateauEpoch, label: `plateau (epoch ${scp0.plateauEpoch})`, color: '#d62728' }]
      : []),
    ...(scp0.shiftEpoch !== null
      ? [{ x: scp0.shiftEpoch, label: `SCP shift (epoch ${scp0.shiftEpoch})`, color: '#2ca02c' }]
      : []),
  ];
  const ep = s0.epochs.filter((e) => e.epoch > 0);
  const lossRuns: [string, TrainRunResult][] = [
    ['Single-Attn', s0],
    ['Looped-Attn', core.looped[0]!],
    ...(firstScpRun ? [['SHIFT (SCP)', firstScpRun] as [string, TrainRunResult]] : []),
  ];
  await ctx.figure(
    'shift-loss',
    lossChart({
      title: `Training and validation loss (language ${s0.language}, seed ${s0.seed})`,
      data: lossRuns.flatMap(([model, run]) =>
        run.epochs.flatMap((e) => [
          { epoch: e.epoch, loss: e.trainLoss, model, split: 'train' },
          { epoch: e.epoch, loss: e.valLoss, model, split: 'validation' },
        ]),
      ),
      x: 'epoch',
      xTitle: 'epoch',
      marks: marks.filter((m) => m.label.startsWith('SCP')),
    }),
  );
  const single = (name: string, title: string, yTitle: string, value: (e: EpochPoint) => number) =>
    ctx.figure(
      name,
      lineChart({
        title: `${title} (language ${s0.language}, seed ${s0.seed})`,
        data: ep.map((e) => ({ epoch: e.epoch, value: value(e) })),
        x: 'epoch',
        y: 'value',
        yTitle,
        marks,
      }),
    );
  await single('shift-val-loss', 'Single-Attn validation loss', 'validation loss', (e) => e.valLoss);
  await single(
    'shift-grad-norm',
    'Single-Attn gradient norm, mean per epoch',
    'gradient norm',
    (e) => e.gradNorm,
  );
}

/** Training time and final accuracy by shift point (the paper's efficiency and performance figures). */
export async function sweepFigures(
  ctx: ExperimentContext<unknown>,
  agg: readonly Aggregate[],
): Promise<void> {
  const bars: Datum[] = agg.map((a) => ({
    schedule: a.role,
    time: a.trainS.mean,
    lo: a.trainS.mean - a.trainS.std,
    hi: a.trainS.mean + a.trainS.std,
  }));
  await ctx.figure(
    'shift-efficiency',
    barChart({
      title: 'Total training time by shift point (same number of epochs)',
      data: bars,
      x: 'schedule',
      y: 'time',
      yTitle: 'training wall time (s)',
      error: { lower: 'lo', upper: 'hi' },
    }),
  );
  const accBars: Datum[] = agg.flatMap((a) => [
    { schedule: a.role, metric: 'all', acc: a.acc.mean },
    { schedule: a.role, metric: 'high-IC', acc: a.accHigh.mean },
  ]);
  await ctx.figure(
    'shift-performance',
    barChart({
      title: 'Final training accuracy by shift point',
      data: accBars,
      x: 'schedule',
      y: 'acc',
      yTitle: 'accuracy',
      color: 'metric',
      xOffset: 'metric',
    }),
  );
}
