// Everything a run needs to continue bit-for-bit: weights, optimiser moments, stage, criterion,
// data position (problem state: RNG streams, epoch order), counters and the metrics-log offset.
// Stored with @loop/models' saveCheckpoint (an atomically replaced folder: weights and Adam
// moments as safetensors, the rest as JSON) in `<checkpointDir>/checkpoint`, so the weights load
// with loadCheckpoint + assignVariables(model.variables, weights, model.variableNames) elsewhere.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, recoverCheckpointDir, saveCheckpoint, type TensorMap } from '@loop/models';
import type { CriterionState } from '../criterion/scp';
import type { OptimizerState } from '../optim/adamw';
import type { JsonValue } from '../util/json';
import type { EvalRecord, ShiftEvent, StageSummary } from './records';

const FORMAT = '@loop/shift train-state 1';

export interface NamedArray {
  /** Logical parameter name (the problem's `variableNames`, else `param<i>`). */
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface TrainState {
  step: number;
  totalSteps: number;
  stageIndex: number;
  stageStartStep: number;
  /** Stage names + loops, to refuse resuming with a different schedule. */
  scheduleFingerprint: string;
  criterion: CriterionState | null;
  problem: JsonValue;
  stages: StageSummary[];
  shifts: ShiftEvent[];
  evals: EvalRecord[];
  gradWindow: { sum: number; count: number };
  lastEvalStep: number;
  metricsOffset: number | null;
  /** Set when early stopping ended the run: a resume returns at once (absent in older checkpoints). */
  stoppedEarly?: { step: number; reason: string } | null;
  variables: NamedArray[];
  optimizer: OptimizerState;
}

type EngineJson = Omit<TrainState, 'variables' | 'optimizer' | 'problem' | 'step'>;

/** The folder holding the checkpoint inside `checkpointDir` (replaced as a whole on every save). */
export function checkpointPath(dir: string): string {
  return join(dir, 'checkpoint');
}

export function hasCheckpoint(dir: string): boolean {
  // A kill between saveCheckpoint's two renames leaves the last good copy aside: restore it.
  recoverCheckpointDir(checkpointPath(dir));
  return existsSync(join(checkpointPath(dir), 'state.json'));
}

/** Step of the checkpoint in `dir` without loading its tensors (null when there is none). */
export function checkpointStep(dir: string): number | null {
  if (!hasCheckpoint(dir)) return null;
  return (JSON.parse(readFileSync(join(checkpointPath(dir), 'state.json'), 'utf8')) as { step: number }).step;
}

/** Writes the state atomically to `<dir>/checkpoint`; returns that folder. */
export async function saveTrainState(dir: string, state: TrainState): Promise<string> {
  const { variables, optimizer, problem, step, ...engine } = state;
  const weights: TensorMap = {};
  const moments: TensorMap = {};
  variables.forEach((v, i) => {
    weights[v.name] = { shape: v.shape, data: v.data };
    moments[`m/${v.name}`] = { shape: v.shape, data: optimizer.m[i] as Float32Array };
    moments[`v/${v.name}`] = { shape: v.shape, data: optimizer.v[i] as Float32Array };
  });
  const path = checkpointPath(dir);
  await saveCheckpoint(path, {
    weights,
    config: { format: FORMAT, parameters: variables.map((v) => [v.name, v.shape]) },
    step,
    optimizer: { state: { type: optimizer.type, step: optimizer.step }, tensors: moments },
    rng: problem,
    extra: engine as unknown as JsonValue,
  });
  return path;
}

/** Reads a checkpoint written by `saveTrainState`; a corrupt or foreign checkpoint gives a clear error. */
export async function loadTrainState(dir: string): Promise<TrainState> {
  const path = checkpointPath(dir);
  const ck = await loadCheckpoint(path);
  const config = ck.config as { format?: string; parameters?: [string, number[]][] } | null;
  if (
    !config ||
    config.format !== FORMAT ||
    !Array.isArray(config.parameters) ||
    !ck.optimizer ||
    !ck.extra
  ) {
    throw new Error(`${path} is not a @loop/shift training checkpoint (config.format is not '${FORMAT}')`);
  }
  const tensor = (map: TensorMap, key: string): Float32Array => {
    const t = map[key];
    if (!t || !(t.data instanceof Float32Array))
      throw new Error(`${path}: tensor '${key}' is missing or not float32`);
    return t.data;
  };
  const moments = ck.optimizer.tensors;
  const opt = ck.optimizer.state as { type: OptimizerState['type']; step: number };
  return {
    ...(ck.extra as unknown as EngineJson),
    step: ck.step,
    problem: (ck.rng ?? null) as JsonValue,
    variables: config.parameters.map(([name, shape]) => ({ name, shape, data: tensor(ck.weights, name) })),
    optimizer: {
      type: opt.type,
      step: opt.step,
      m: config.parameters.map(([name]) => tensor(moments, `m/${name}`)),
      v: config.parameters.map(([name]) => tensor(moments, `v/${name}`)),
    },
  };
}
