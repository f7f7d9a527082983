import * as tf from '@tensorflow/tfjs';
import { saveCheckpoint, snapshotVariables } from '@loop/models';
import { gradientAlignment, gradientVector, HessianTracker, type HessianSnapshot } from '@loop/hessian';
import {
  loopedSchedule,
  shiftSchedule,
  singleSchedule,
  train,
  type EvalMetrics,
  type Schedule,
} from '@loop/shift';
import { createRng } from '@loop/tasks';
import type { ExperimentContext } from '../experiment';
import type { DataConfig, HessianConfig, ModelConfig, ShiftConfig, TrainConfig } from './config';
import type { MarkovData } from './data';
import {
  createToyPair,
  lossWith,
  markovProblem,
  meanOf,
  paramsOf,
  predict,
  subset,
  type PrefixBatch,
  type ToyPair,
} from './problem';

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

export function toBatch(input: Int32Array, target: Int32Array, width: number): PrefixBatch {
  return { input, target, size: target.length, width };
}

export interface LengthSet {
  length: number;
  batch: PrefixBatch;
  simple: number[];
}

/**
 * Trains one toy model run with @loop/shift's engine and records, every `evalEvery` epochs (and at
 * epoch 0): accuracy on all / low-IC / high-IC training sequences, train and validation loss, the
 * gradient norm; optionally the full Hessian every `hessian.every` epochs and the gradient alignment.
 */
export async function trainRun(
  ctx: ExperimentContext<unknown>,
  o: {
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
  },
): Promise<TrainRunResult> {
  const { data } = o;
  const width = o.dataCfg.length - 1;
  const trainBatch = toBatch(data.train.input, data.train.target, width);
  const valBatch = toBatch(data.val.input, data.val.target, width);
  const pair = createToyPair({
    dim: o.model.dim,
    vocabSize: o.dataCfg.vocabSize,
    loops: o.model.loops,
    seed: o.seed,
    gating: o.model.gating,
    positional: o.model.variant === 'positional' ? 'sinusoidal' : 'none',
  });
  const K = o.model.loops;
  const runName = `${o.label}/seed${o.seed}`;
  const hessSubset = subset(
    trainBatch,
    Array.from({ length: Math.min(o.probeSamples ?? o.hessian?.samples ?? 0, trainBatch.size) }, (_, i) => i),
  );
  const hx =
    hessSubset.size > 0 ? tf.keep(tf.tensor2d(hessSubset.input, [hessSubset.size, width], 'int32')) : null;
  const hy = hessSubset.size > 0 ? tf.keep(tf.tensor1d(hessSubset.target, 'int32')) : null;

  const schedule: Schedule =
    o.schedule.kind === 'single'
      ? singleSchedule()
      : o.schedule.kind === 'looped'
        ? loopedSchedule(K)
        : o.schedule.kind === 'shift-scp'
          ? shiftSchedule({ criterion: o.schedule.criterion, loops: K })
          : shiftSchedule({ shiftStep: 1, loops: K }); // replaced below once stepsPerEpoch is known

  const problemBase = markovProblem({ pair, train: trainBatch, batchSize: o.train.batchSize, seed: o.seed });
  const spe = problemBase.stepsPerEpoch!;
  const finalSchedule: Schedule =
    o.schedule.kind === 'shift-at'
      ? o.schedule.epoch <= 0
        ? loopedSchedule(K)
        : shiftSchedule({ shiftStep: o.schedule.epoch * spe, loops: K })
      : schedule;

  const trackers = new Map<number, HessianTracker>();
  const trackerFor = (loops: number): HessianTracker => {
    let t = trackers.get(loops);
    if (!t) {
      t = new HessianTracker({
        lossFn: () => lossWith(pair, loops, hx!, hy!),
        params: paramsOf(pair, loops),
        method: 'full',
        includeSpectrum: true,
      });
      trackers.set(loops, t);
    }
    return t;
  };

  const epochs: EpochPoint[] = [];
  const hessian: HessianPoint[] = [];
  const bar = ctx.progress.start(`${runName}`, o.train.epochs);
  let lastTrainMs = 0;

  const measure = (epoch: number, loops: number, gradNorm: number, trainMs: number): EpochPoint => {
    const tr = predict(pair, loops, trainBatch);
    const va = predict(pair, loops, valBatch);
    const point: EpochPoint = {
      epoch,
      loops,
      trainLoss: meanOf(tr.loss),
      acc: meanOf(tr.correct),
      accLow: meanOf(tr.correct, data.low),
      accHigh: meanOf(tr.correct, data.high),
      valLoss: meanOf(va.loss),
      valAcc: meanOf(va.correct),
      gradNorm,
      trainMs,
    };
    if (o.alignment && hx && hy) {
      const g1 = gradientVector(() => lossWith(pair, 1, hx, hy), pair.shared);
      const gK = gradientVector(() => lossWith(pair, K, hx, hy), pair.shared);
      point.alignment = gradientAlignment(g1, gK);
    }
    epochs.push(point);
    const { epoch: _e, loops: _l, ...values } = point;
    ctx.metric({ series: 'train', run: runName, step: epoch, values });
    if (o.hessian && hx && (epoch % o.hessian.every === 0 || epoch === o.train.epochs)) {
      const snap: HessianSnapshot = trackerFor(loops).snapshot(epoch);
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
      hessian.push(h);
      const { eigenvalues: _v, shape, ...hv } = h;
      ctx.metric({
        series: 'hessian',
        run: runName,
        step: epoch,
        values: { ...hv, shapeV: shape === 'V' ? 1 : 0 },
      });
      ctx.histogram({ series: 'hessian', run: runName, step: epoch, name: 'eigenvalues', values: eig });
    }
    return point;
  };

  const startLoops =
    o.schedule.kind === 'looped' || (o.schedule.kind === 'shift-at' && o.schedule.epoch <= 0) ? K : 1;
  measure(0, startLoops, 0, 0);

  const evaluate = (ectx: {
    step: number;
    stage: { loops: { kind: string; loops?: number } };
  }): EvalMetrics => {
    const epoch = Math.round(ectx.step / spe);
    const loops = ectx.stage.loops.kind === 'fixed' ? (ectx.stage.loops.loops ?? 1) : K;
    // gradNorm / trainMs of this evaluation are filled from the engine's eval record (onMetrics).
    const p = measure(epoch, loops, NaN, lastTrainMs);
    bar.tick(o.train.evalEvery, `acc ${p.acc.toFixed(3)} high ${p.accHigh.toFixed(3)}`);
    return { valLoss: p.valLoss, valAcc: p.valAcc, trainAcc: p.acc, accLow: p.accLow, accHigh: p.accHigh };
  };

  const result = await train({
    problem: { ...problemBase, evaluate },
    schedule: finalSchedule,
    optimizer: { type: o.train.optimizer, lr: o.train.lr, weightDecay: o.train.weightDecay },
    epochs: o.train.epochs,
    evalEvery: { epochs: o.train.evalEvery },
    handleSigint: false,
    onMetrics: (r) => {
      if (r.type === 'step') lastTrainMs = r.trainMs;
      if (r.type === 'eval') {
        const p = epochs[epochs.length - 1];
        if (p && Number.isNaN(p.gradNorm)) {
          p.gradNorm = r.gradNorm;
          p.trainMs = r.trainMs;
        }
      }
    },
  });
  bar.done();

  const lengthGen = o.lengthSets?.map((s) => {
    const loops = result.stage.name === 'single' ? 1 : K;
    const { correct } = predict(pair, loops, s.batch);
    return {
      length: s.length,
      acc: meanOf(correct),
      simpleAcc: s.simple.length ? meanOf(correct, s.simple) : null,
      simpleCount: s.simple.length,
      size: s.batch.size,
    };
  });

  const shift = result.shifts[0];
  const finalLoops = result.stage.name === 'single' ? 1 : K;
  const out: TrainRunResult = {
    label: o.label,
    language: o.language,
    seed: o.seed,
    epochs,
    hessian,
    parameterCount: paramsOf(pair, finalLoops).reduce((s, v) => s + v.size, 0),
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
    final: epochs[epochs.length - 1]!,
    ...(lengthGen ? { lengthGen } : {}),
  };
  // Final weights: every variable lives in the looped model (Single-Attn runs on its first four).
  await saveCheckpoint(ctx.out.file('weights', runName.replaceAll('/', '-')), {
    weights: snapshotVariables(pair.looped.variables, pair.looped.variableNames),
    config: { ...pair.looped.options },
    step: result.steps,
    extra: { label: o.label, language: o.language, seed: o.seed, finalLoops },
  });
  hx?.dispose();
  hy?.dispose();
  pair.dispose();
  return out;
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
      return { length: s.length, batch: toBatch(s.dataset.input, s.dataset.target, s.length - 1), simple };
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

export type { ToyPair };
