/** The two steps of `saveCheckpoint`: write every file into a fresh directory, then swap it in. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  CHECKPOINT_FORMAT,
  MODEL_FILE,
  OPT_FILE,
  STATE_FILE,
  type CheckpointState,
  type StateFile,
} from './layout';
import { encodeSafetensors } from './safetensors';

/** The model (and optimizer) tensors, then state.json recording each tensor file's size. */
export async function writeCheckpointFiles(dir: string, state: CheckpointState): Promise<void> {
  const files: Record<string, number> = {};
  const model = encodeSafetensors(state.weights, { format: CHECKPOINT_FORMAT });
  await fs.writeFile(path.join(dir, MODEL_FILE), model);
  files[MODEL_FILE] = model.length;
  if (state.optimizer) {
    const opt = encodeSafetensors(state.optimizer.tensors, { format: CHECKPOINT_FORMAT });
    await fs.writeFile(path.join(dir, OPT_FILE), opt);
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
  await fs.writeFile(path.join(dir, STATE_FILE), JSON.stringify(json, null, 2));
}

/**
 * Rename `tmp` to `target`, moving an existing `target` aside first (`<target>.old-<pid>-<ms>`, which
 * `recoverCheckpointDir` restores if the process dies between the renames) and removing it after.
 */
export async function replaceDirectory(tmp: string, target: string): Promise<void> {
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
}
