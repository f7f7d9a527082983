// The loop state to and from `<checkpointDir>/checkpoint`: `checkpoint` saves everything a resume
// needs, `initialState` starts fresh or continues bit-for-bit from what it finds there.

import * as tf from '@tensorflow/tfjs';
import {
  checkpointPath,
  hasCheckpoint,
  loadTrainState,
  saveTrainState,
  type TrainState,
} from './checkpoint-state';
import { base, freshState, type LoopState } from './loop-state';
import { criterionFor, type Run } from './run-context';

/** A fresh state, or the one in `checkpointDir` when resuming. */
export async function initialState<B>(run: Run<B>): Promise<LoopState> {
  const s = freshState(run);
  const { dir } = run;
  if (!(run.options.resume && dir && hasCheckpoint(dir))) {
    run.log.reset(null);
    return s;
  }
  const saved = await loadTrainState(dir);
  if (saved.scheduleFingerprint !== run.fingerprint) {
    throw new Error(
      `checkpoint in ${dir} was written for schedule '${saved.scheduleFingerprint}', not '${run.fingerprint}'`,
    );
  }
  if (saved.totalSteps !== run.cfg.totalSteps)
    throw new Error(
      `checkpoint in ${dir} is for ${saved.totalSteps} steps, this run has ${run.cfg.totalSteps}`,
    );
  restoreVariables(run.variables, run.paramNames, saved);
  run.optimizer.importState(saved.optimizer);
  if (run.problem.restore) run.problem.restore(saved.problem);
  s.step = saved.step;
  s.stageIndex = saved.stageIndex;
  s.stageStartStep = saved.stageStartStep;
  s.criterion = criterionFor(run, s.stageIndex);
  if (s.criterion && saved.criterion) s.criterion.restore(saved.criterion);
  s.stages = saved.stages;
  s.shifts = saved.shifts;
  s.evals = saved.evals;
  s.gradWindow = saved.gradWindow;
  s.lastEvalStep = saved.lastEvalStep;
  s.stoppedEarly = saved.stoppedEarly ?? null;
  run.log.reset(saved.metricsOffset);
  s.lastCheckpoint = checkpointPath(dir);
  s.resumed = true;
  return s;
}

/** Saves the whole state to `<checkpointDir>/checkpoint` (nothing without a checkpointDir). */
export async function checkpoint<B>(run: Run<B>, s: LoopState): Promise<string | null> {
  if (!run.dir) return null;
  // Key order is the order of the checkpoint's JSON: keep it.
  const state: TrainState = {
    step: s.step,
    totalSteps: run.cfg.totalSteps,
    stageIndex: s.stageIndex,
    stageStartStep: s.stageStartStep,
    scheduleFingerprint: run.fingerprint,
    criterion: s.criterion ? s.criterion.state() : null,
    problem: run.problem.state ? run.problem.state() : null,
    stages: s.stages,
    shifts: s.shifts,
    evals: s.evals,
    gradWindow: s.gradWindow,
    lastEvalStep: s.lastEvalStep,
    metricsOffset: run.log.offset(),
    stoppedEarly: s.stoppedEarly,
    variables: run.variables.map((v, i) => ({
      name: run.paramNames[i] as string,
      shape: v.shape.slice(),
      data: v.dataSync().slice() as Float32Array,
    })),
    optimizer: run.optimizer.exportState(),
  };
  s.lastCheckpoint = await saveTrainState(run.dir, state);
  run.log.write({ type: 'checkpoint', ...base(run, s), path: s.lastCheckpoint });
  return s.lastCheckpoint;
}

function restoreVariables(variables: readonly tf.Variable[], names: readonly string[], s: TrainState): void {
  if (s.variables.length !== variables.length) {
    throw new Error(`checkpoint has ${s.variables.length} variables, the model has ${variables.length}`);
  }
  variables.forEach((v, i) => {
    const saved = s.variables[i] as TrainState['variables'][number];
    // Matched by logical name and position (tfjs auto-names differ between processes).
    if (saved.name !== names[i] || saved.shape.join('x') !== v.shape.join('x')) {
      throw new Error(
        `checkpoint variable ${i} is '${saved.name}' [${saved.shape}], the model's is '${names[i]}' [${v.shape}]`,
      );
    }
    tf.tidy(() => v.assign(tf.tensor(saved.data, v.shape, 'float32')));
  });
}
