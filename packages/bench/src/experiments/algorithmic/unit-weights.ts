// A unit's saved model: writing its final weights into the run folder, finding the units a folder
// holds, and loading one back (final weights, or the last training checkpoint of older runs).

import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TASK_NAMES, type AlgorithmicTask, type TaskName } from '@loop/tasks';
import {
  CheckpointError,
  assignVariables,
  createLoopedGPT,
  loadCheckpoint,
  saveCheckpoint,
  snapshotVariables,
  type GPTConfig,
  type JsonValue,
  type LoopedGPT,
} from '@loop/models';
import { RunDirError, readJsonFile } from '../../io/run-dir';
import { METHODS, taskSettings, unitModelConfig, type AlgorithmicConfig, type Method } from './config';

/** Folder of a unit's final weights inside a run folder. */
export function weightsDir(runDir: string, key: string): string {
  return join(runDir, 'weights', key);
}

/** What a weights folder records beside the GPT config (state.json `extra`). */
export interface SavedUnitInfo {
  task: TaskName;
  method: Method;
  seed: number;
  /** Longest training length and longest length the run tested. */
  maxTrainLength: number;
  testLength: number;
  /** Loops the final stage ran per sample: 'T(n)' or '1'. */
  loops: string;
}

/**
 * Writes a unit's final weights as a float32 safetensors checkpoint whose config is the model's
 * GPTConfig: `loadCheckpoint(dir)` + `createLoopedGPT(state.config)` + `assignVariables` restore it.
 */
export async function saveUnitWeights(
  dir: string,
  model: LoopedGPT,
  step: number,
  info: SavedUnitInfo,
): Promise<void> {
  await saveCheckpoint(dir, {
    weights: snapshotVariables(model.variables, model.variableNames),
    config: model.config as unknown as JsonValue,
    step,
    extra: info as unknown as JsonValue,
  });
}

export interface LoadedUnit extends SavedUnitInfo {
  key: string;
  model: LoopedGPT;
  task: TaskName;
  /** Where the weights came from. */
  source: string;
  step: number;
}

/** `parity-looped-seed0` -> its task, method and seed (task and method names contain hyphens). */
export function parseUnitKey(key: string): { task: TaskName; method: Method; seed: number } | null {
  for (const task of TASK_NAMES)
    for (const method of METHODS) {
      const m = new RegExp(`^${task}-${method}-seed(\\d+)$`).exec(key);
      if (m) return { task, method, seed: Number(m[1]) };
    }
  return null;
}

/** Units of a run folder that have saved weights (final weights, else a training checkpoint). */
export function savedUnits(runDir: string): string[] {
  const keys = new Set<string>();
  for (const sub of ['weights', 'checkpoints']) {
    const d = join(runDir, sub);
    if (!existsSync(d)) continue;
    for (const name of readdirSync(d)) if (parseUnitKey(name)) keys.add(name);
  }
  return [...keys].sort();
}

function runConfig(runDir: string): AlgorithmicConfig {
  const file = join(runDir, 'config.json');
  if (!existsSync(file))
    throw new RunDirError(
      `eval ${runDir}: no config.json there; pass a folder written by loop-bench algorithmic`,
    );
  const rec = readJsonFile<{ experiment?: string; config?: AlgorithmicConfig }>(file);
  if (rec.experiment !== 'algorithmic' || !rec.config)
    throw new RunDirError(
      `eval ${runDir}: config.json is from the ${String(rec.experiment)} experiment; eval scores algorithmic runs`,
    );
  return rec.config;
}

/**
 * Loads one unit's model from a run folder: `weights/<key>/` (final weights, self-describing), or
 * for runs before weights were saved, the last training checkpoint with the model rebuilt from
 * the run's config.json.
 */
export async function loadUnit(runDir: string, key: string): Promise<LoadedUnit> {
  const dir = resolve(runDir);
  const parsed = parseUnitKey(key);
  if (!parsed)
    throw new RunDirError(
      `eval: --unit ${key} is not a unit name (task-method-seedN, e.g. parity-looped-seed0); units here: ${savedUnits(dir).join(', ') || 'none'}`,
    );
  const final = weightsDir(dir, key);
  if (existsSync(final)) {
    const state = await loadCheckpoint(final);
    const info = state.extra as unknown as SavedUnitInfo;
    const model = createLoopedGPT(state.config as unknown as GPTConfig, { seed: 0 });
    assignVariables(model.variables, state.weights, model.variableNames);
    return { ...info, key, model, source: final, step: state.step };
  }
  const ckpt = join(dir, 'checkpoints', key, 'checkpoint');
  if (!existsSync(ckpt))
    throw new RunDirError(
      `eval: no saved weights for ${key} in ${dir} (looked for weights/${key} and checkpoints/${key}); units here: ${savedUnits(dir).join(', ') || 'none'}`,
    );
  const config = runConfig(dir);
  const s = taskSettings(config, parsed.task);
  const model = createLoopedGPT(unitModelConfig(config, s, parsed.method), { seed: 0 });
  try {
    const state = await loadCheckpoint(ckpt);
    assignVariables(model.variables, state.weights, model.variableNames);
    return {
      ...parsed,
      key,
      model,
      source: ckpt,
      step: state.step,
      maxTrainLength: s.maxTrainLength,
      testLength: s.testLength,
      loops: parsed.method === 'single' ? '1' : 'T(n)',
    };
  } catch (err) {
    model.dispose();
    if (err instanceof CheckpointError) throw err;
    throw new CheckpointError(`eval: ${ckpt}: ${(err as Error).message}`);
  }
}

/** Loops of the oracle column at length n: T(n) for a looped model, 1 for Single-Attn. */
export const oracleLoopsOf = (u: LoadedUnit, task: AlgorithmicTask, n: number): number =>
  u.loops === '1' ? 1 : task.steps(n);
