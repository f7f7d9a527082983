/** The steps of `loadCheckpoint`: state.json, its format and config, then the tensor files. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  CHECKPOINT_FORMAT,
  MODEL_FILE,
  OPT_FILE,
  STATE_FILE,
  type CheckpointState,
  type JsonValue,
  type StateFile,
} from './layout';
import { recoverCheckpointDir } from './recover';
import { decodeSafetensors, type TensorMap } from './safetensors';

/** JSON with sorted keys (undefined members dropped), so configs compare regardless of key order. */
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

async function readIn(dir: string, name: string): Promise<Buffer> {
  try {
    return await fs.readFile(path.join(dir, name));
  } catch (err) {
    throw new Error(
      `loadCheckpoint: cannot read ${path.join(dir, name)} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      { cause: err },
    );
  }
}

async function readStateFile(dir: string): Promise<StateFile> {
  try {
    return JSON.parse((await readIn(dir, STATE_FILE)).toString('utf8')) as StateFile;
  } catch (err) {
    if ((err as Error).message.startsWith('loadCheckpoint')) throw err;
    throw new Error(
      `loadCheckpoint: ${path.join(dir, STATE_FILE)} is corrupt or truncated (${(err as Error).message})`,
      { cause: err },
    );
  }
}

function checkStateFile(st: StateFile, expectConfig: JsonValue | undefined): void {
  if (st.format !== CHECKPOINT_FORMAT)
    throw new Error(
      `loadCheckpoint: ${STATE_FILE} has format ${String(st.format)}; expected ${CHECKPOINT_FORMAT}`,
    );
  if (expectConfig !== undefined && canonical(expectConfig) !== canonical(st.config)) {
    throw new Error(
      `loadCheckpoint: config mismatch: checkpoint has ${JSON.stringify(st.config)} but the model has ${JSON.stringify(expectConfig)}`,
    );
  }
}

/** A tensor file, checked against the size state.json recorded for it. */
async function readTensorFile(dir: string, st: StateFile, name: string): Promise<TensorMap> {
  const buf = await readIn(dir, name);
  const expected = st.files?.[name];
  if (expected !== undefined && buf.length !== expected) {
    throw new Error(
      `loadCheckpoint: ${path.join(dir, name)} is truncated or corrupt: ${buf.length} bytes, expected ${expected}`,
    );
  }
  return decodeSafetensors(buf, `loadCheckpoint: ${path.join(dir, name)}`).tensors;
}

/** The checkpoint in `dir`; every failure is an Error whose message names the file and the problem. */
export async function readCheckpoint(
  dir: string,
  options: { expectConfig?: JsonValue },
): Promise<CheckpointState> {
  const target = path.resolve(dir);
  recoverCheckpointDir(target);
  const st = await readStateFile(target);
  checkStateFile(st, options.expectConfig);
  const weights = await readTensorFile(target, st, MODEL_FILE);
  const state: CheckpointState = { weights, config: st.config, step: st.step };
  if (st.hasOptimizerTensors)
    state.optimizer = { state: st.optimizer, tensors: await readTensorFile(target, st, OPT_FILE) };
  if (st.rng !== null && st.rng !== undefined) state.rng = st.rng;
  if (st.extra !== null && st.extra !== undefined) state.extra = st.extra;
  return state;
}
