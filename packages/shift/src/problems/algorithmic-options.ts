// Options of algorithmicProblem and their validation: everything is checked when the problem is
// built, with the curriculum and the stopping rules resolved to plain values.

import { curriculum, curriculumRampSteps, type AlgorithmicTask, type CurriculumSpec } from '@loop/tasks';
import { STOPPING_RULES, type LoopedGPT, type StoppingRule } from '@loop/models';
import { checkInt, fail } from '../util/validate';

export interface AlgorithmicProblemOptions {
  task: AlgorithmicTask;
  model: LoopedGPT;
  /** Training batch size (reference 64). */
  batchSize: number;
  /** Seed of every data stream (training batches, validation set, test sets). */
  seed: number;
  /** Length curriculum (default: the task's reference values); `{ fixed: n }` trains on lengths 1..n from the start. */
  curriculum?: CurriculumSpec | { fixed: number };
  /** Validation set: `size` samples with lengths 1..maxLength (default: the curriculum's final max length). */
  validation?: { size: number; maxLength?: number };
  /** Samples of a fresh training-distribution batch scored at each evaluation (default batchSize; 0 = skip). */
  trainEvalSize?: number;
  /** Length-generalization test lengths (default none), `testSize` samples each (default 256). */
  testLengths?: readonly number[];
  testSize?: number;
  /** Evaluate the test lengths at every evaluation (default) or only at the final one. */
  testAt?: 'every' | 'final';
  /**
   * Stopping rules scored at every test length beside oracle T(n) (default: all of STOPPING_RULES);
   * `rule` is the one reported as `adaptive` (default 'confidence-batch', the reference rule).
   */
  stopping?: { rule?: StoppingRule; rules?: readonly StoppingRule[]; patience?: number };
  /** Rows per forward pass during evaluation (default 256). */
  evalBatchSize?: number;
  /**
   * Score one test length at every evaluation (oracle T(n) only), as metric `probe.oracleAcc`:
   * e.g. twice the training length, to see when length generalization stops moving.
   */
  probe?: { length: number; size: number };
}

/** Maximum training length by step. */
export interface Curriculum {
  at(step: number): number;
  rampSteps: number;
  finalMax: number;
}

/** The validated options, defaults filled in. */
export interface AlgorithmicSettings {
  task: AlgorithmicTask;
  model: LoopedGPT;
  batchSize: number;
  cur: Curriculum;
  evalBatchSize: number;
  trainEvalSize: number;
  testSize: number;
  testAt: 'every' | 'final';
  testLengths: number[];
  /** The rule reported as `adaptive`. */
  stoppingRule: StoppingRule;
  /** Every rule scored, `stoppingRule` first. */
  stoppingRules: StoppingRule[];
  patience: number | undefined;
}

function makeCurriculum(task: AlgorithmicTask, spec: AlgorithmicProblemOptions['curriculum']): Curriculum {
  if (spec && 'fixed' in spec) {
    const n = checkInt('curriculum.fixed', spec.fixed, 1, task.maxLength);
    return { at: () => n, rampSteps: 0, finalMax: n };
  }
  const source = spec ?? task;
  const finalMax = curriculum(source, Number.MAX_SAFE_INTEGER);
  return { at: (step) => curriculum(source, step), rampSteps: curriculumRampSteps(source), finalMax };
}

/** The validated options of a problem, with the curriculum and the stopping rules resolved. */
export function settingsOf(options: AlgorithmicProblemOptions): AlgorithmicSettings {
  const { task, model } = options;
  if (!task || typeof task.batch !== 'function') fail('task', task, 'an AlgorithmicTask from getTask(name)');
  if (!model || typeof model.forward !== 'function')
    fail('model', model, 'a LoopedGPT from createLoopedGPT(config, { seed })');
  const batchSize = checkInt('batchSize', options.batchSize, 1);
  checkInt('seed', options.seed, Number.MIN_SAFE_INTEGER);
  const cur = makeCurriculum(task, options.curriculum);
  const evalBatchSize = checkInt('evalBatchSize', options.evalBatchSize ?? 256, 1);
  const trainEvalSize = checkInt('trainEvalSize', options.trainEvalSize ?? batchSize, 0);
  const testSize = checkInt('testSize', options.testSize ?? 256, 1);
  const testAt = options.testAt ?? 'every';
  if (testAt !== 'every' && testAt !== 'final') fail('testAt', testAt, "'every' or 'final'");
  const testLengths = (options.testLengths ?? []).map((n, i) =>
    checkInt(`testLengths[${i}]`, n, 1, task.maxLength),
  );
  const stoppingRule = options.stopping?.rule ?? 'confidence-batch';
  const stoppingRules = [...new Set([stoppingRule, ...(options.stopping?.rules ?? STOPPING_RULES)])];
  for (const r of stoppingRules)
    if (!STOPPING_RULES.includes(r)) fail('stopping.rules', r, `one of ${STOPPING_RULES.join(', ')}`);
  return {
    task,
    model,
    batchSize,
    cur,
    evalBatchSize,
    trainEvalSize,
    testSize,
    testAt,
    testLengths,
    stoppingRule,
    stoppingRules,
    patience: options.stopping?.patience,
  };
}
