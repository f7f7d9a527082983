// Saved models of the algorithmic study: writing a unit's final weights, loading them back from a
// run folder, and scoring them at chosen lengths and loop counts (what `loop-bench eval` prints).

import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TASK_NAMES, batchRow, getTask, type AlgorithmicTask, type TaskName } from '@loop/tasks';
import {
  CheckpointError,
  STOPPING_RULES,
  assignVariables,
  createLoopedGPT,
  loadCheckpoint,
  saveCheckpoint,
  snapshotVariables,
  stoppingLoops,
  type GPTConfig,
  type JsonValue,
  type LoopedGPT,
  type StoppingRule,
} from '@loop/models';
import { algorithmicTestBatch, lengthScores } from '@loop/shift';
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

export interface EvalOptions {
  lengths: readonly number[];
  /** Samples per length and the seed of their stream (the unit's own seed reproduces its test sets). */
  size: number;
  dataSeed: number;
  rules: readonly StoppingRule[];
  patience?: number;
  /** Fixed loop counts scored besides oracle and the rules. */
  loops: readonly number[];
}

export interface EvalRow {
  n: number;
  /** Loops of the oracle column: T(n) for a looped model, 1 for Single-Attn. */
  oracleLoops: number;
  oracle: number;
  rules: Partial<Record<StoppingRule, { acc: number; loops: number }>>;
  fixed: Record<string, number>;
}

const oracleLoopsOf = (u: LoadedUnit, task: AlgorithmicTask, n: number): number =>
  u.loops === '1' ? 1 : task.steps(n);

/** Scores a loaded unit at every requested length (oracle, each stopping rule, each fixed loop count). */
export function evaluateUnit(u: LoadedUnit, options: EvalOptions): EvalRow[] {
  const task = getTask(u.task);
  const looped = u.loops !== '1';
  const trainedLoops = looped ? task.steps(u.maxTrainLength) : 1;
  return options.lengths.map((n) => {
    const batch = algorithmicTestBatch(task, options.dataSeed, n, options.size);
    const steps = Int32Array.from(batch.steps, () => oracleLoopsOf(u, task, n));
    const scores = lengthScores(
      u.model,
      { ...batch, steps },
      {
        maxLoops: looped ? task.maxTestSteps(n) : 1,
        rules: looped ? options.rules : [],
        trainedLoops,
        ...(options.patience !== undefined ? { patience: options.patience } : {}),
      },
    );
    const fixed: Record<string, number> = {};
    for (const k of options.loops) {
      fixed[String(k)] = lengthScores(
        u.model,
        { ...batch, steps: new Int32Array(batch.shape[0]).fill(k) },
        { maxLoops: k, rules: [] },
      ).oracle;
    }
    return { n, oracleLoops: steps[0] ?? 1, oracle: scores.oracle, rules: scores.rules, fixed };
  });
}

/**
 * `count` test samples of length n with the model's answer after every loop 1..T_max, the target,
 * and the loops oracle and each rule would pick: one line per loop.
 */
export function showExamples(
  u: LoadedUnit,
  n: number,
  count: number,
  options: Pick<EvalOptions, 'dataSeed' | 'rules' | 'patience'>,
): string[] {
  const task = getTask(u.task);
  const looped = u.loops !== '1';
  const maxLoops = looped ? task.maxTestSteps(n) : 1;
  const batch = algorithmicTestBatch(task, options.dataSeed, n, count);
  const [B, T] = batch.shape;
  const answers: number[][][] = []; // [loop][sample][masked position]
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
