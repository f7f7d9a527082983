/**
 * Checkpoint directories (model.safetensors, optimizer.safetensors, state.json), written atomically
 * and read back with every failure named. The steps live beside this file: layout.ts (files and
 * state), write.ts, read.ts, recover.ts; variables.ts and optimizer-state.ts convert to and from
 * tfjs variables and optimizers.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { CheckpointState, JsonValue } from './layout';
import { readCheckpoint } from './read';
import { recoverCheckpointDir } from './recover';
import { replaceDirectory, writeCheckpointFiles } from './write';

export { CHECKPOINT_FORMAT, type CheckpointState, type JsonValue } from './layout';
export { recoverCheckpointDir } from './recover';
export { assignVariables, snapshotVariables } from './variables';
export { exportOptimizerState, importOptimizerState } from './optimizer-state';

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
    await writeCheckpointFiles(tmp, state);
    await replaceDirectory(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
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
