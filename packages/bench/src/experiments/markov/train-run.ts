import * as tf from '@tensorflow/tfjs';
import { saveCheckpoint, snapshotVariables } from '@loop/models';
import { gradientAlignment, gradientVector, HessianTracker, type HessianSnapshot } from '@loop/hessian';
import {
  groupMean,
  loopedSchedule,
  markovBatchOf,
  markovProblem,
  markovScores,
  sharedToyModels,
  shiftSchedule,
  singleSchedule,
  train,
  type EvalMetrics,
  type LoopedClassifier,
  type MarkovBatch,
  type MetricsRecord,
  type Schedule,
  type StageInfo,
  type TrainResult,
} from '@loop/shift';
import { createRng } from '@loop/tasks';
import type { ExperimentContext } from '../../experiment';
import type { DataConfig, HessianConfig, ModelConfig, ShiftConfig, TrainConfig } from './config';
import type { MarkovData } from './data';

export type ModelKind = 'single' | 'looped';

/** How a run switches architecture: pure Single, pure Looped, SHIFT at a fixed epoch, or SHIFT by SCP. */
export type RunSchedule =
  | { kind: ModelKind }
  | { kind: 'shift-at'; epoch: number }
  | { kind: 'shift-scp'; criterion: ShiftConfig['criterion'] };

export interface EpochPoint {
  epoch: number;
  loops: number;
  trainLoss: number;
  acc: number;
  accLow: number;
  accHigh: number;
  valLoss: number;
  valAcc: number;
  /** Mean gradient norm over the steps since the previous evaluation (0 at epoch 0). */
  gradNorm: number;
  /** Cumulative training wall time (ms), evaluations excluded. */
  trainMs: number;
  /** Cosine of Single-Attn's and Looped-Attn's gradients w.r.t. the shared matrices (when measured). */
  alignment?: number;
}

export interface HessianPoint {
  epoch: number;
  dim: number;
  entropy: number;
  effectiveRank: number;
  negativeMassFraction: number;
  mutualInformation: number | null;
  riverDim: number;
  valleyDim: number;
  conditionNumber: number;
  shape: 'U' | 'V';
  lowCurvatureValleyCount: number;
  /** All eigenvalues, ascending. */
  eigenvalues: number[];
  seconds: number;
}

export interface TrainRunResult {
  label: string;
  /** Seed of the language the run trained on. */
  language: number;
  seed: number;
  epochs: EpochPoint[];
  hessian: HessianPoint[];
  /** Parameters of the final architecture. */
  parameterCount: number;
  trainMs: number;
  /** Estimated training FLOPs (engine's count). */
  flops: number;
  stepsPerEpoch: number;
  shift: { epoch: number; plateauEpoch: number | null; reason: string } | null;
  final: EpochPoint;
  /** Accuracy at other sequence lengths, when requested. */
  lengthGen?: { length: number; acc: number; simpleAcc: number | null; simpleCount: number; size: number }[];
}

export interface LengthSet {
  length: number;
  batch: MarkovBatch;
  simple: number[];
}

export interface TrainRunOptions {
  label: string;
  seed: number;
  language: number;
  data: MarkovData;
  dataCfg: DataConfig;
  model: ModelConfig;
  train: TrainConfig;
  schedule: RunSchedule;
  hessian?: HessianConfig;
  alignment?: boolean;
  /** Training examples for the Hessian / alignment loss (default hessian.samples). */
  probeSamples?: number;
  lengthSets?: LengthSet[];
}

/** Everything one run holds while it trains. */
interface RunState {
  /** Single-Attn (1 loop) and Looped-Attn (K loops) on one set of weights, so SHIFT can switch. */
  model: LoopedClassifier;
  /** Loops of Looped-Attn. */
  K: number;
  runName: string;
  trainBatch: MarkovBatch;
  valBatch: MarkovBatch;
  /** The Hessian / alignment probe: the first `probeSamples` training examples (null: none). */
  hx: tf.Tensor2D | null;
  hy: tf.Tensor1D | null;
  trackers: Map<number, HessianTracker>;
  epochs: EpochPoint[];
  hessian: HessianPoint[];
  /** Cumulative training time at the last step record (ms). */
  lastTrainMs: number;
}

/**
 * Trains one toy model run with @loop/shift's engine and records, every `evalEvery` epochs (and at
 * epoch 0): accuracy on all / low-IC / high-IC training sequences, train and validation loss, the
 * gradient norm; optionally the full Hessian every `hessian.every` epochs and the gradient alignment.
 */
export async function trainRun(ctx: ExperimentContext<unknown>, o: TrainRunOptions): Promise<TrainRunResult> {
  const st = setUpRun(o);
  const problem = markovProblem({
    language: o.data.language,
    model: st.model,
    train: o.data.train,
    validation: o.data.val,
    batchSize: o.train.batchSize,
    seed: o.seed,
    evaluate: (ectx) => evaluate(ectx),
  });
  const spe = problem.stepsPerEpoch!;
  const bar = ctx.progress.start(`${st.runName}`, o.train.epochs);
  const startLoops =
    o.schedule.kind === 'looped' || (o.schedule.kind === 'shift-at' && o.schedule.epoch <= 0) ? st.K : 1;
  measureEpoch(ctx, o, st, 0, startLoops, 0, 0);
  const evaluate = (ectx: { step: number; stage: StageInfo }): EvalMetrics => {
    const epoch = Math.round(ectx.step / spe);
    const loops = ectx.stage.loops.kind === 'fixed' ? ectx.stage.loops.loops : st.K;
    // gradNorm / trainMs of this evaluation are filled from the engine's eval record (onMetrics).
    const p = measureEpoch(ctx, o, st, epoch, loops, NaN, st.lastTrainMs);
    bar.tick(o.train.evalEvery, `acc ${p.acc.toFixed(3)} high ${p.accHigh.toFixed(3)}`);
    return { valLoss: p.valLoss, valAcc: p.valAcc, trainAcc: p.acc, accLow: p.accLow, accHigh: p.accHigh };
  };
  const result = await train({
    problem,
    schedule: scheduleOf(o.schedule, st.K, spe),
    optimizer: { type: o.train.optimizer, lr: o.train.lr, weightDecay: o.train.weightDecay },
    epochs: o.train.epochs,
    evalEvery: { epochs: o.train.evalEvery },
    handleSigint: false,
    onMetrics: (r) => recordTiming(st, r),
  });
  bar.done();
  const out = resultOf(o, st, result, spe);
  await saveFinalWeights(ctx, o, st, result);
  st.hx?.dispose();
  st.hy?.dispose();
  st.model.dispose();
  return out;
}

function setUpRun(o: TrainRunOptions): RunState {
  const trainBatch = markovBatchOf(o.data.train);
  const width = trainBatch.prefixLen;
  const model = sharedToyModels({
    dim: o.model.dim,
    vocabSize: o.dataCfg.vocabSize,
    loops: [1, o.model.loops],
    seed: o.seed,
    gating: o.model.gating,
    positional: o.model.variant === 'positional' ? 'sinusoidal' : 'none',
  });
  // The Hessian / alignment probe: the first rows of the training set.
  const probe = Math.min(o.probeSamples ?? o.hessian?.samples ?? 0, trainBatch.rows);
  return {
    model,
    K: o.model.loops,
    runName: `${o.label}/seed${o.seed}`,
    trainBatch,
    valBatch: markovBatchOf(o.data.val),
    hx:
      probe > 0
        ? tf.keep(tf.tensor2d(trainBatch.input.slice(0, probe * width), [probe, width], 'int32'))
        : null,
    hy: probe > 0 ? tf.keep(tf.tensor1d(trainBatch.target.slice(0, probe), 'int32')) : null,
    trackers: new Map(),
    epochs: [],
    hessian: [],
    lastTrainMs: 0,
  };
}

/** The engine's schedule of a run: epochs become steps once the steps per epoch are known. */
function scheduleOf(s: RunSchedule, K: number, stepsPerEpoch: number): Schedule {
  switch (s.kind) {
    case 'single':
      return singleSchedule();
    case 'looped':
      return loopedSchedule(K);
    case 'shift-scp':
      return shiftSchedule({ criterion: s.criterion, loops: K });
    case 'shift-at':
      return s.epoch <= 0
        ? loopedSchedule(K)
        : shiftSchedule({ shiftStep: s.epoch * stepsPerEpoch, loops: K });
  }
}

/** The engine's step and eval records give the training time and each evaluation's gradient norm. */
function recordTiming(st: RunState, r: MetricsRecord): void {
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
function measureEpoch(
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

/** The full Hessian of the probe loss under `loops`, its spectrum and landscape figures, recorded. */
function hessianSnapshot(ctx: ExperimentContext<unknown>, st: RunState, epoch: number, loops: number): void {
  let tracker = st.trackers.get(loops);
  if (!tracker) {
    tracker = new HessianTracker({
      lossFn: () => st.model.loss(st.hx!, st.hy!, loops),
      params: st.model.parameters(loops),
      method: 'full',
      includeSpectrum: true,
    });
    st.trackers.set(loops, tracker);
  }
  const snap: HessianSnapshot = tracker.snapshot(epoch);
  const eig = snap.spectrum && 'eigenvalues' in snap.spectrum ? snap.spectrum.eigenvalues : [];
  const rv = snap.riverValley;
  const h: HessianPoint = {
    epoch,
    dim: snap.dim,
    entropy: snap.entropy.entropy,
    effectiveRank: snap.entropy.effectiveRank,
    negativeMassFraction: snap.entropy.negativeMassFraction,
    mutualInformation: snap.mutualInformation?.mutualInformation ?? null,
    riverDim: rv.riverDim,
    valleyDim: rv.valleyDim,
    conditionNumber: rv.conditionNumber,
    shape: rv.shape,
    lowCurvatureValleyCount: rv.lowCurvatureValleyCount,
    eigenvalues: eig,
    seconds: snap.seconds,
  };
  st.hessian.push(h);
  const { eigenvalues: _v, shape, ...hv } = h;
  ctx.metric({
    series: 'hessian',
    run: st.runName,
    step: epoch,
    values: { ...hv, shapeV: shape === 'V' ? 1 : 0 },
  });
  ctx.histogram({ series: 'hessian', run: st.runName, step: epoch, name: 'eigenvalues', values: eig });
}

/** The run's record: per-epoch points, Hessians, shift, cost and length generalization of the final model. */
function resultOf(o: TrainRunOptions, st: RunState, result: TrainResult, spe: number): TrainRunResult {
  const finalLoops = result.stage.name === 'single' ? 1 : st.K;
  const lengthGen = o.lengthSets?.map((s) => {
    const { correct } = markovScores(st.model, finalLoops, s.batch);
    return {
      length: s.length,
      acc: groupMean(correct),
      simpleAcc: s.simple.length ? groupMean(correct, s.simple) : null,
      simpleCount: s.simple.length,
      size: s.batch.rows,
    };
  });
  const shift = result.shifts[0];
  return {
    label: o.label,
    language: o.language,
    seed: o.seed,
    epochs: st.epochs,
    hessian: st.hessian,
    parameterCount: st.model.parameters(finalLoops).reduce((s, v) => s + v.size, 0),
    trainMs: result.trainMs,
    flops: result.flops,
    stepsPerEpoch: spe,
    shift: shift
      ? {
          epoch: shift.step / spe,
          plateauEpoch: shift.plateauStep !== undefined ? shift.plateauStep / spe : null,
          reason: shift.reason,
        }
      : null,
    final: st.epochs[st.epochs.length - 1]!,
    ...(lengthGen ? { lengthGen } : {}),
  };
}

/** Final weights: every variable lives in the looped model (Single-Attn runs on its first four). */
async function saveFinalWeights(
  ctx: ExperimentContext<unknown>,
  o: TrainRunOptions,
  st: RunState,
  result: TrainResult,
): Promise<void> {
  await saveCheckpoint(ctx.out.file('weights', st.runName.replaceAll('/', '-')), {
    weights: snapshotVariables(st.model.variables, st.model.variableNames),
    config: { ...st.model.config },
    step: result.steps,
    extra: {
      label: o.label,
      language: o.language,
      seed: o.seed,
      finalLoops: result.stage.name === 'single' ? 1 : st.K,
    },
  });
}

/** Reference accuracies of a test length's set. */
export interface LengthReference {
  length: number;
  /** Share of the sampled set with IC <= the largest training IC. */
  simpleFraction: number;
  /** The same share computed exactly by enumeration (the paper's "% simple" column). */
  exactSimpleFraction: number;
  /** Bayes predictor (the cyclic matrix of the last step: beyond the training length, never a training target). */
  bayes: number;
  bayesSimple: number | null;
  /** The rule learnable from training data: the training length's last-step argmax, at every length. */
  trainingRule: number;
  trainingRuleSimple: number | null;
}

/** Test sets of other lengths (same language, cyclic transitions, same sampling rule). */
export function lengthSets(
  data: MarkovData,
  lengths: readonly number[],
  size: number,
  seed: number,
): {
  sets: LengthSet[];
  bayes: LengthReference[];
} {
  const sets = data.language.lengthGeneralizationSets({
    lengths,
    size,
    rng: createRng(seed).fork('length-gen'),
    train: data.train,
  });
  return {
    sets: sets.map((s) => {
      const simple: number[] = [];
      s.dataset.ic.forEach((ic, i) => {
        if (ic <= s.threshold) simple.push(i);
      });
      return { length: s.length, batch: markovBatchOf(s.dataset), simple };
    }),
    bayes: sets.map((s) => {
      const simpleSeqs = s.dataset.sequences.filter((_, i) => s.dataset.ic[i]! <= s.threshold);
      const l = data.language;
      return {
        length: s.length,
        simpleFraction: s.simpleFraction,
        exactSimpleFraction: l.simpleFraction({ length: s.length, threshold: s.threshold }),
        bayes: l.bayesOptimalAccuracy(s.dataset),
        bayesSimple: simpleSeqs.length ? l.bayesOptimalAccuracy(simpleSeqs) : null,
        trainingRule: l.trainingRuleAccuracy(s.dataset),
        trainingRuleSimple: simpleSeqs.length ? l.trainingRuleAccuracy(simpleSeqs) : null,
      };
    }),
  };
}
