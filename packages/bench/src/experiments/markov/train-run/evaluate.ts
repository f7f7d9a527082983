// One evaluation of a run: accuracies by IC group and losses on the training and validation sets,
// the gradient alignment and (when due) the Hessian, recorded as metrics and kept in the run state.

import { gradientAlignment, gradientVector } from '@loop/hessian';
import { groupMean, markovScores, type EvalMetrics, type MetricsRecord, type StageInfo } from '@loop/shift';
import type { ExperimentContext } from '../../../experiment';
import { hessianSnapshot } from './hessian';
import type { RunState } from './state';
import type { EpochPoint, TrainRunOptions } from './types';

/** The engine's `evaluate` hook: the point of the epoch the engine reached, as the metrics it logs. */
export function evaluateAt(
  ctx: ExperimentContext<unknown>,
  o: TrainRunOptions,
  st: RunState,
  e: { step: number; stage: StageInfo },
  stepsPerEpoch: number,
): EvalMetrics {
  const epoch = Math.round(e.step / stepsPerEpoch);
  const loops = e.stage.loops.kind === 'fixed' ? e.stage.loops.loops : st.K;
  // gradNorm / trainMs of this evaluation are filled from the engine's eval record (recordTiming).
  const p = measureEpoch(ctx, o, st, epoch, loops, NaN, st.lastTrainMs);
  st.bar.tick(o.train.evalEvery, `acc ${p.acc.toFixed(3)} high ${p.accHigh.toFixed(3)}`);
  return { valLoss: p.valLoss, valAcc: p.valAcc, trainAcc: p.acc, accLow: p.accLow, accHigh: p.accHigh };
}

/** The engine's step and eval records give the training time and each evaluation's gradient norm. */
export function recordTiming(st: RunState, r: MetricsRecord): void {
  if (r.type === 'step') st.lastTrainMs = r.trainMs;
  if (r.type === 'eval') {
    const p = st.epochs[st.epochs.length - 1];
    if (p && Number.isNaN(p.gradNorm)) {
      p.gradNorm = r.gradNorm;
      p.trainMs = r.trainMs;
    }
  }
}

/** One evaluation: accuracies and losses, the gradient alignment and (when due) the Hessian. */
export function measureEpoch(
  ctx: ExperimentContext<unknown>,
  o: TrainRunOptions,
  st: RunState,
  epoch: number,
  loops: number,
  gradNorm: number,
  trainMs: number,
): EpochPoint {
  const { model, hx, hy } = st;
  const tr = markovScores(model, loops, st.trainBatch);
  const va = markovScores(model, loops, st.valBatch);
  const point: EpochPoint = {
    epoch,
    loops,
    trainLoss: groupMean(tr.loss),
    acc: groupMean(tr.correct),
    accLow: groupMean(tr.correct, o.data.low),
    accHigh: groupMean(tr.correct, o.data.high),
    valLoss: groupMean(va.loss),
    valAcc: groupMean(va.correct),
    gradNorm,
    trainMs,
  };
  if (o.alignment && hx && hy) {
    const shared = model.parameters(1);
    const g1 = gradientVector(() => model.loss(hx, hy, 1), shared);
    const gK = gradientVector(() => model.loss(hx, hy, st.K), shared);
    point.alignment = gradientAlignment(g1, gK);
  }
  st.epochs.push(point);
  const { epoch: _e, loops: _l, ...values } = point;
  ctx.metric({ series: 'train', run: st.runName, step: epoch, values });
  if (o.hessian && hx && (epoch % o.hessian.every === 0 || epoch === o.train.epochs))
    hessianSnapshot(ctx, st, epoch, loops);
  return point;
}
