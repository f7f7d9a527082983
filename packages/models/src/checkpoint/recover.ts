/** Restoring the last good checkpoint when a save died between its two renames. */
import { existsSync, readdirSync, renameSync } from 'node:fs';
import * as path from 'node:path';
import { STATE_FILE } from './layout';

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
