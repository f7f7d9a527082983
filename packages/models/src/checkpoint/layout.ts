/** The on-disk layout of a checkpoint directory: its files, the state file, and the state they hold. */
import type { TensorMap } from './safetensors';

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
export const MODEL_FILE = 'model.safetensors';
export const OPT_FILE = 'optimizer.safetensors';
export const STATE_FILE = 'state.json';

/** state.json: everything but the tensors, and each tensor file's size (to detect truncation). */
export interface StateFile {
  format: string;
  step: number;
  config: JsonValue;
  optimizer: JsonValue | null;
  hasOptimizerTensors: boolean;
  rng: JsonValue | null;
  extra: JsonValue | null;
  files: Record<string, number>;
}
