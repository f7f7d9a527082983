// TrainProblem for the looped GPT on an algorithmic task (Appendix E.2): online sampling with the
// reference length curriculum, per-sample loops from the stage (T(n) for Looped-Attn, 1 for
// Single-Attn), FOP step loss, and evaluation of train/validation loss and exact-match accuracy plus
// length generalization with oracle (T(n) loops) and adaptive (maximum-confidence) stopping.

import * as tf from '@tensorflow/tfjs';
import { createRng, type AlgorithmicTask, type Batch, type Rng, type RngState } from '@loop/tasks';
import {
  estimateActivationBytes,
  planMicroBatches,
  stepLoss,
  type GPTConfig,
  type LoopedGPT,
} from '@loop/models';
import type { TrainProblem } from '../engine/problem';
import type { JsonValue } from '../util/json';
import { fail } from '../util/validate';
import { microBatches, tensorsOf, withStageLoops } from './algorithmic-batch';
import { evaluateAlgorithmic, evaluationData } from './algorithmic-eval';
import { settingsOf, type AlgorithmicProblemOptions } from './algorithmic-options';
import { gptTrainFlops } from './flops';

export type { AlgorithmicProblemOptions } from './algorithmic-options';

export interface AlgorithmicProblem extends TrainProblem<Batch> {
  readonly task: AlgorithmicTask;
  readonly model: LoopedGPT;
  /** Maximum training length at a 0-based step. */
  maxLengthAt(step: number): number;
  /** First step at which the curriculum is fully ramped (for `{ type: 'cosine', decayFrom }`). */
  readonly curriculumEnd: number;
}

export function algorithmicProblem(options: AlgorithmicProblemOptions): AlgorithmicProblem {
  const st = settingsOf(options);
  const { task, model, cur, batchSize } = st;
  const root = createRng(options.seed);
  // The only stream that moves between steps: it is the problem's checkpoint state.
  let trainRng: Rng = root.fork('train');
  const data = evaluationData(options, st);
  return {
    task,
    model,
    variables: model.variables,
    variableNames: model.variableNames,
    curriculumEnd: cur.rampSteps,
    maxLengthAt: (step) => cur.at(step),
    nextBatch(step) {
      return task.batch({ size: batchSize, minLength: 1, maxLength: cur.at(step), rng: trainRng });
    },
    split: microBatches,
    microBatchesFor(batch, stage) {
      // Only the wasm heap is hard-capped (4 GB, and an overflow aborts the process).
      if (tf.getBackend() !== 'wasm') return 1;
      const loops = Math.max(...withStageLoops(batch, stage.loops).steps);
      const bytes = estimateActivationBytes(model.config, { seqLen: batch.shape[1], loops });
      return planMicroBatches(batch.shape[0], bytes).length;
    },
    loss(batch, stage) {
      const b = withStageLoops(batch, stage.loops);
      const t = tensorsOf(b);
      const perLoop = model.forward(t.tokens, { loops: Math.max(...b.steps) });
      return stepLoss(perLoop, t.target, t.mask, b.steps);
    },
    evaluate: (ctx) => evaluateAlgorithmic(st, data, root, ctx),
    flops(batch, stage) {
      const b = withStageLoops(batch, stage.loops);
      return gptTrainFlops(model.config as GPTConfig, b.shape[0], b.shape[1], Math.max(...b.steps));
    },
    stepInfo(_batch, step) {
      return { maxLength: cur.at(step) };
    },
    state(): JsonValue {
      return { train: trainRng.state() as unknown as JsonValue };
    },
    restore(state) {
      const s = state as { train?: unknown } | null;
      if (!s || typeof s !== 'object' || !s.train)
        fail('problem state', state, '{ train: RngState } from a checkpoint of algorithmicProblem');
      trainRng = createRng.fromState(s.train as RngState);
    },
  };
}
