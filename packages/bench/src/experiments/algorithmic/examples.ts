// `loop-bench eval --show`: test samples with a saved model's answer after every loop, the target,
// and the loop oracle T(n) and each stopping rule would pick.

import * as tf from '@tensorflow/tfjs';
import { batchRow, getTask, type AlgorithmicTask, type Batch } from '@loop/tasks';
import { STOPPING_RULES, stoppingLoops, type StoppingRule } from '@loop/models';
import { algorithmicTestBatch } from '@loop/shift';
import type { EvalOptions } from './eval';
import { oracleLoopsOf, type LoadedUnit } from './unit-weights';

type ExampleOptions = Pick<EvalOptions, 'dataSeed' | 'rules' | 'patience'>;

/** The model's answers on a batch, loop by loop, and the loop each rule picks per sample. */
interface LoopAnswers {
  /** [loop][sample][masked position]: the predicted token. */
  answers: number[][][];
  picks: Partial<Record<StoppingRule, number[]>>;
}

/**
 * `count` test samples of length n with the model's answer after every loop 1..T_max, the target,
 * and the loops oracle and each rule would pick: one line per loop.
 */
export function showExamples(u: LoadedUnit, n: number, count: number, options: ExampleOptions): string[] {
  const task = getTask(u.task);
  const looped = u.loops !== '1';
  const maxLoops = looped ? task.maxTestSteps(n) : 1;
  const batch = algorithmicTestBatch(task, options.dataSeed, n, count);
  const run = answerEveryLoop(u, task, batch, maxLoops, options);
  return exampleLines(u, task, batch, n, maxLoops, run);
}

function answerEveryLoop(
  u: LoadedUnit,
  task: AlgorithmicTask,
  batch: Batch,
  maxLoops: number,
  options: ExampleOptions,
): LoopAnswers {
  const looped = u.loops !== '1';
  const [B, T] = batch.shape;
  const answers: number[][][] = [];
  const picks: Partial<Record<StoppingRule, number[]>> = {};
  tf.tidy(() => {
    const perLoop = u.model.forward(tf.tensor2d(batch.input, [B, T], 'int32'), {
      loops: maxLoops,
      inference: true,
    });
    const mask = tf.tensor2d(batch.mask, [B, T], 'float32');
    if (looped)
      for (const r of options.rules)
        picks[r] = stoppingLoops(perLoop, mask, r, {
          trainedLoops: task.steps(u.maxTrainLength),
          ...(options.patience !== undefined ? { patience: options.patience } : {}),
        });
    for (const logits of perLoop) {
      const pred = tf.argMax(logits, -1).dataSync();
      answers.push(
        Array.from({ length: B }, (_, b) =>
          Array.from({ length: T }, (_, p) => p)
            .filter((p) => batch.mask[b * T + p]! > 0)
            .map((p) => pred[b * T + p]!),
        ),
      );
    }
  });
  return { answers, picks };
}

/** Per sample: the example and its target, then one line per loop marked right or wrong and with its pickers. */
function exampleLines(
  u: LoadedUnit,
  task: AlgorithmicTask,
  batch: Batch,
  n: number,
  maxLoops: number,
  { answers, picks }: LoopAnswers,
): string[] {
  const looped = u.loops !== '1';
  const B = batch.shape[0];
  const render = (tokens: readonly number[]): string => tokens.map((t) => task.symbols[t] ?? '?').join('');
  const oracle = oracleLoopsOf(u, task, n);
  const lines: string[] = [];
  for (let b = 0; b < B; b++) {
    const row = batchRow(batch, b);
    const target = row.target.filter((_, p) => row.mask[p]! > 0);
    lines.push(`${u.key} n=${n} sample ${b}: ${task.decodeExample(row)}   (target ${render(target)})`);
    for (let t = 1; t <= maxLoops; t++) {
      const ans = answers[t - 1]![b]!;
      const ok = ans.every((x, i) => x === target[i]);
      const marks = [
        t === oracle ? (looped ? 'T(n)' : 'one pass') : '',
        ...STOPPING_RULES.filter((r) => picks[r]?.[b] === t),
      ].filter(Boolean);
      lines.push(
        `  loop ${String(t).padStart(2)}: ${render(ans)} ${ok ? 'right' : 'wrong'}${marks.length ? `  <- ${marks.join(', ')}` : ''}`,
      );
    }
  }
  return lines;
}
