import * as tf from '@tensorflow/tfjs';
import { existsSync, promises as fs, readdirSync, renameSync } from 'node:fs';
import * as path from 'node:path';
import { decodeSafetensors, encodeSafetensors, TensorMap } from './safetensors';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface CheckpointState {
  /** Model weights by logical name. */
  weights: TensorMap;
  /** Model config (compared on load when `expectConfig` is given). */
  config: JsonValue;
  /** Training step reached. */
  step: number;
  /** Optimiser: JSON hyper-parameters/counters and its slot tensors (e.g. Adam moments). */
  optimizer?: { state: JsonValue; tensors: TensorMap };
  /** RNG state(s) (e.g. @loop/tasks `rng.state()`). */
  rng?: JsonValue;
  /** Anything else JSON (schedule stage, metrics, ...). */
  extra?: JsonValue;
}

export const CHECKPOINT_FORMAT = 'loop-checkpoint/1';
const MODEL_FILE = 'model.safetensors';
const OPT_FILE = 'optimizer.safetensors';
const STATE_FILE = 'state.json';

interface StateFile {
  format: string;
  step: number;
  config: JsonValue;
  optimizer: JsonValue | null;
  hasOptimizerTensors: boolean;
  rng: JsonValue | null;
  extra: JsonValue | null;
  files: Record<string, number>;
}

/**
 * Directories cannot be swapped atomically: `saveCheckpoint` moves the previous checkpoint aside
 * (`<dir>.old-*`) before renaming the new one in. If a process died between those two renames,
 * put the newest complete aside copy back so the last good checkpoint is never lost. Returns
 * whether `dir` now holds a checkpoint. Called by `saveCheckpoint`/`loadCheckpoint`; trainers
 * checking for a checkpoint should call it first.
 */
export function recoverCheckpointDir(dir: string): boolean {
  const target = path.resolve(dir);
  if (existsSync(path.join(target, STATE_FILE))) return true;
  if (existsSync(target)) return false;
  const parent = path.dirname(target);
  if (!existsSync(parent)) return false;
  const prefix = `${path.basename(target)}.old-`;
  const aside = readdirSync(parent)
    .filter((name) => name.startsWith(prefix) && existsSync(path.join(parent, name, STATE_FILE)))
    .sort((a, b) => asideTime(b, prefix) - asideTime(a, prefix));
  if (aside.length === 0) return false;
  renameSync(path.join(parent, aside[0]!), target);
  return true;
}

/** `<dir>.old-<pid>-<ms>` -> ms, for picking the newest copy. */
function asideTime(name: string, prefix: string): number {
  const ms = Number(name.slice(prefix.length).split('-')[1]);
  return Number.isFinite(ms) ? ms : 0;
}

/**
 * Write a checkpoint directory atomically: everything goes to a sibling temp directory which is
 * then renamed over `dir` (an existing `dir` is moved aside first and removed afterwards), so a
 * crash leaves either the old or the new checkpoint, never a half-written one.
 */
export async function saveCheckpoint(dir: string, state: CheckpointState): Promise<void> {
  if (!Number.isInteger(state.step) || state.step < 0)
    throw new Error(`saveCheckpoint: state.step must be an integer >= 0; got ${state.step}`);
  const target = path.resolve(dir);
  await fs.mkdir(path.dirname(target), { recursive: true });
  recoverCheckpointDir(target);
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  await fs.mkdir(tmp, { recursive: true });
  try {
    const files: Record<string, number> = {};
    const model = encodeSafetensors(state.weights, { format: CHECKPOINT_FORMAT });
    await fs.writeFile(path.join(tmp, MODEL_FILE), model);
    files[MODEL_FILE] = model.length;
    if (state.optimizer) {
      const opt = encodeSafetensors(state.optimizer.tensors, { format: CHECKPOINT_FORMAT });
      await fs.writeFile(path.join(tmp, OPT_FILE), opt);
      files[OPT_FILE] = opt.length;
    }
    const json: StateFile = {
      format: CHECKPOINT_FORMAT,
      step: state.step,
      config: state.config,
      optimizer: state.optimizer?.state ?? null,
      hasOptimizerTensors: Boolean(state.optimizer),
      rng: state.rng ?? null,
      extra: state.extra ?? null,
      files,
    };
    await fs.writeFile(path.join(tmp, STATE_FILE), JSON.stringify(json, null, 2));
    const old = `${target}.old-${process.pid}-${Date.now()}`;
    let moved = false;
    try {
      await fs.rename(target, old);
      moved = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    await fs.rename(tmp, target);
    if (moved) await fs.rm(old, { recursive: true, force: true });
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

function canonical(v: JsonValue): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A checkpoint that cannot be loaded (missing, truncated, corrupt, other format or config). */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/**
 * Read a checkpoint written by `saveCheckpoint`. Missing, truncated or corrupt files, and (when
 * `expectConfig` is given) a different config, throw a CheckpointError naming the file and the problem.
 */
export async function loadCheckpoint(
  dir: string,
  options: { expectConfig?: JsonValue } = {},
): Promise<CheckpointState> {
  try {
    return await readCheckpoint(dir, options);
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    throw new CheckpointError(
      msg.startsWith('loadCheckpoint') ? msg : `loadCheckpoint: ${path.resolve(dir)}: ${msg}`,
      {
        cause: err,
      },
    );
  }
}

async function readCheckpoint(dir: string, options: { expectConfig?: JsonValue }): Promise<CheckpointState> {
  const target = path.resolve(dir);
  recoverCheckpointDir(target);
  const read = async (name: string): Promise<Buffer> => {
    try {
      return await fs.readFile(path.join(target, name));
    } catch (err) {
      throw new Error(
        `loadCheckpoint: cannot read ${path.join(target, name)} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
        { cause: err },
      );
    }
  };
  let st: StateFile;
  try {
    st = JSON.parse((await read(STATE_FILE)).toString('utf8')) as StateFile;
  } catch (err) {
    if ((err as Error).message.startsWith('loadCheckpoint')) throw err;
    throw new Error(
      `loadCheckpoint: ${path.join(target, STATE_FILE)} is corrupt or truncated (${(err as Error).message})`,
      { cause: err },
    );
  }
  if (st.format !== CHECKPOINT_FORMAT)
    throw new Error(
      `loadCheckpoint: ${STATE_FILE} has format ${String(st.format)}; expected ${CHECKPOINT_FORMAT}`,
    );
  if (options.expectConfig !== undefined && canonical(options.expectConfig) !== canonical(st.config)) {
    throw new Error(
      `loadCheckpoint: config mismatch: checkpoint has ${JSON.stringify(st.config)} but the model has ${JSON.stringify(options.expectConfig)}`,
    );
  }
  const loadFile = async (name: string): Promise<TensorMap> => {
    const buf = await read(name);
    const expected = st.files?.[name];
    if (expected !== undefined && buf.length !== expected) {
      throw new Error(
        `loadCheckpoint: ${path.join(target, name)} is truncated or corrupt: ${buf.length} bytes, expected ${expected}`,
      );
    }
    return decodeSafetensors(buf, `loadCheckpoint: ${path.join(target, name)}`).tensors;
  };
  const weights = await loadFile(MODEL_FILE);
  const state: CheckpointState = { weights, config: st.config, step: st.step };
  if (st.hasOptimizerTensors) state.optimizer = { state: st.optimizer, tensors: await loadFile(OPT_FILE) };
  if (st.rng !== null && st.rng !== undefined) state.rng = st.rng;
  if (st.extra !== null && st.extra !== undefined) state.extra = st.extra;
  return state;
}

/** Copy variables' values into a name -> Float32Array map (names default to the variables' own). */
export function snapshotVariables(
  vars: readonly tf.Variable[],
  names: readonly string[] = vars.map((v) => v.name),
): TensorMap {
  if (names.length !== vars.length)
    throw new Error(`snapshotVariables: names has ${names.length} entries for ${vars.length} variables`);
  const out: TensorMap = {};
  vars.forEach((v, i) => {
    out[names[i]] = { shape: v.shape.slice(), data: Float32Array.from(v.dataSync()) };
  });
  return out;
}

/** Assign a snapshot back; every name must be present with the variable's shape. */
export function assignVariables(
  vars: readonly tf.Variable[],
  weights: TensorMap,
  names: readonly string[] = vars.map((v) => v.name),
): void {
  if (names.length !== vars.length)
    throw new Error(`assignVariables: names has ${names.length} entries for ${vars.length} variables`);
  vars.forEach((v, i) => {
    const w = weights[names[i]];
    if (!w)
      throw new Error(
        `assignVariables: checkpoint has no tensor '${names[i]}' (has: ${Object.keys(weights).slice(0, 8).join(', ')}...)`,
      );
    if (!tf.util.arraysEqual(w.shape, v.shape)) {
      throw new Error(
        `assignVariables: tensor '${names[i]}' has shape [${w.shape.join(', ')}] but the variable has [${v.shape.join(', ')}]`,
      );
    }
  });
  vars.forEach((v, i) => {
    const w = weights[names[i]];
    tf.tidy(() => v.assign(tf.tensor(w.data, w.shape, w.data instanceof Int32Array ? 'int32' : 'float32')));
  });
}

const ACC_FIELDS = ['accBeta1', 'accBeta2'] as const;

/**
 * Snapshot a tfjs optimizer (Adam, SGD, ...) into checkpoint form. Slot names `<tf var name>/<slot>`
 * are rewritten to `<logical name>/<slot>` so they load into another model instance.
 */
export async function exportOptimizerState(
  optimizer: tf.Optimizer,
  vars: readonly tf.Variable[],
  names: readonly string[],
  state: JsonValue = null,
): Promise<{ state: JsonValue; tensors: TensorMap }> {
  const named = await optimizer.getWeights();
  const tensors: TensorMap = {};
  named.forEach((nt, i) => {
    let key = nt.name;
    vars.forEach((v, j) => {
      if (key.startsWith(`${v.name}/`)) key = `${names[j]}${key.slice(v.name.length)}`;
    });
    const data =
      nt.tensor.dtype === 'int32'
        ? Int32Array.from(nt.tensor.dataSync())
        : Float32Array.from(nt.tensor.dataSync());
    // Prefix the position: tfjs optimizers restore slots by order.
    tensors[`${String(i).padStart(5, '0')}:${key}`] = { shape: nt.tensor.shape.slice(), data };
  });
  // Adam/Adamax keep running products beta^t outside getWeights(); setWeights recomputes them with
  // pow(), which differs in the last bit. Save them so a resumed step is bit-identical.
  for (const field of ACC_FIELDS) {
    const acc = (optimizer as unknown as Record<string, unknown>)[field];
    if (acc instanceof tf.Variable) {
      const v = acc as tf.Tensor;
      tensors[`acc:${field}`] = { shape: [...v.shape], data: Float32Array.from(v.dataSync()) };
    }
  }
  return { state, tensors };
}

/** Restore an optimizer snapshot from `exportOptimizerState` onto the variables of another instance. */
export async function importOptimizerState(
  optimizer: tf.Optimizer,
  vars: readonly tf.Variable[],
  names: readonly string[],
  saved: { tensors: TensorMap },
): Promise<void> {
  const keys = Object.keys(saved.tensors)
    .filter((k) => !k.startsWith('acc:'))
    .sort();
  const named: { name: string; tensor: tf.Tensor }[] = keys.map((k) => {
    let name = k.slice(k.indexOf(':') + 1);
    names.forEach((n, j) => {
      if (name.startsWith(`${n}/`)) name = `${vars[j].name}${name.slice(n.length)}`;
    });
    const t = saved.tensors[k];
    return { name, tensor: tf.tensor(t.data, t.shape, t.data instanceof Int32Array ? 'int32' : 'float32') };
  });
  await optimizer.setWeights(named);
  named.forEach((n) => n.tensor.dispose());
  for (const field of ACC_FIELDS) {
    const acc = (optimizer as unknown as Record<string, unknown>)[field];
    const t = saved.tensors[`acc:${field}`];
    if (acc instanceof tf.Variable && t) tf.tidy(() => acc.assign(tf.tensor(t.data, t.shape)));
  }
}
