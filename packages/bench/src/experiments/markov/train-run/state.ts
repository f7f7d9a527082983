// Everything one run holds while it trains, in one plain record, its set-up and tear-down, and the
// engine schedule the run's switching rule becomes.

import * as tf from '@tensorflow/tfjs';
import type { HessianTracker } from '@loop/hessian';
import {
  loopedSchedule,
  markovBatchOf,
  sharedToyModels,
  shiftSchedule,
  singleSchedule,
  type LoopedClassifier,
  type MarkovBatch,
  type Schedule,
} from '@loop/shift';
import type { ExperimentContext } from '../../../experiment';
import type { ProgressTask } from '../../../progress';
import type { EpochPoint, HessianPoint, RunSchedule, TrainRunOptions } from './types';

export interface RunState {
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
  /** One Hessian tracker per loop count (its parameters differ between Single and Looped). */
  trackers: Map<number, HessianTracker>;
  epochs: EpochPoint[];
  hessian: HessianPoint[];
  /** Cumulative training time at the last step record (ms). */
  lastTrainMs: number;
  bar: ProgressTask;
}

export function setUpRun(ctx: ExperimentContext<unknown>, o: TrainRunOptions): RunState {
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
  const runName = `${o.label}/seed${o.seed}`;
  return {
    model,
    K: o.model.loops,
    runName,
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
    bar: ctx.progress.start(runName, o.train.epochs),
  };
}

export function disposeRun(st: RunState): void {
  st.hx?.dispose();
  st.hy?.dispose();
  st.model.dispose();
}

/** Loops at epoch 0: Looped-Attn's when the run starts looped (pure Looped, or SHIFT at epoch 0). */
export function startLoops(s: RunSchedule, K: number): number {
  return s.kind === 'looped' || (s.kind === 'shift-at' && s.epoch <= 0) ? K : 1;
}

/** The engine's schedule of a run: epochs become steps once the steps per epoch are known. */
export function scheduleOf(s: RunSchedule, K: number, stepsPerEpoch: number): Schedule {
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
