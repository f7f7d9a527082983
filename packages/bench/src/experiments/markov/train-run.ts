// One Markov training run (Single-Attn, Looped-Attn or SHIFT) through @loop/shift's engine, with the
// bench's own evaluation. `trainRun` below names its steps over one run record; the pieces live in
// train-run/: types.ts (options and results), state.ts (the run record, set-up, schedule),
// evaluate.ts (one evaluation), hessian.ts (Hessian snapshots), result.ts (result and weights),
// length-sets.ts (test sets at other lengths).

import { markovProblem, train } from '@loop/shift';
import type { ExperimentContext } from '../../experiment';
import { evaluateAt, measureEpoch, recordTiming } from './train-run/evaluate';
import { resultOf, saveFinalWeights } from './train-run/result';
import { disposeRun, scheduleOf, setUpRun, startLoops } from './train-run/state';
import type { TrainRunOptions, TrainRunResult } from './train-run/types';

export type {
  EpochPoint,
  HessianPoint,
  LengthSet,
  ModelKind,
  RunSchedule,
  TrainRunOptions,
  TrainRunResult,
} from './train-run/types';
export { lengthSets, type LengthReference } from './train-run/length-sets';

/**
 * Trains one toy model run with @loop/shift's engine and records, every `evalEvery` epochs (and at
 * epoch 0): accuracy on all / low-IC / high-IC training sequences, train and validation loss, the
 * gradient norm; optionally the full Hessian every `hessian.every` epochs and the gradient alignment.
 */
export async function trainRun(ctx: ExperimentContext<unknown>, o: TrainRunOptions): Promise<TrainRunResult> {
  const st = setUpRun(ctx, o);
  const problem = markovProblem({
    language: o.data.language,
    model: st.model,
    train: o.data.train,
    validation: o.data.val,
    batchSize: o.train.batchSize,
    seed: o.seed,
    // Called by the engine during `train`, after `spe` below is set.
    evaluate: (e) => evaluateAt(ctx, o, st, e, spe),
  });
  const spe = problem.stepsPerEpoch!;
  // The engine evaluates from the first evalEvery epochs on; epoch 0 is measured here.
  measureEpoch(ctx, o, st, 0, startLoops(o.schedule, st.K), 0, 0);
  const result = await train({
    problem,
    schedule: scheduleOf(o.schedule, st.K, spe),
    optimizer: { type: o.train.optimizer, lr: o.train.lr, weightDecay: o.train.weightDecay },
    epochs: o.train.epochs,
    evalEvery: { epochs: o.train.evalEvery },
    handleSigint: false,
    onMetrics: (r) => recordTiming(st, r),
  });
  st.bar.done();
  const out = resultOf(o, st, result, spe);
  await saveFinalWeights(ctx, o, st, result);
  disposeRun(st);
  return out;
}
