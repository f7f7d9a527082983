import { TASK_NAMES, getTask, type TaskName } from '@loop/tasks';

/** Configuration of the looped GPT-2 model (the FOP-Loop-Adaptive model of Fan et al., 2024). */
export interface GPTConfig {
  /** Input token ids are in [0, vocabSize); also the one-hot / table width of the read-in. */
  vocabSize: number;
  nEmbd: number;
  nHead: number;
  /** Blocks per loop (the looped unit). */
  nLayer: number;
  /** true: h_t = LN_f(Blocks(h_{t-1} + e)), h_0 = 0. false ("-WO"): h_0 = e, h_t = LN_f(Blocks(h_{t-1})). */
  inputInjection: boolean;
  /** 'none' (NoPE, the reference default) or a learned table of `maxSeqLen` positions. */
  positional: 'none' | 'learned';
  /** 'onehot': one-hot(vocabSize) -> linear with bias; 'embedding': a vocabSize x nEmbd table (no bias). */
  readIn: 'onehot' | 'embedding';
  /** Required when positional = 'learned'. */
  maxSeqLen?: number;
  /** Read-out classes (default vocabSize). */
  outputSize?: number;
}

export type { TaskName };

/**
 * The reference configuration for an algorithmic task, from @loop/tasks' `reference` settings:
 * n_embd 256, NoPE, input injection, the task's layers/heads and read-in (binary tasks a one-hot
 * of width 6, unique-set a 60-row table).
 */
export function gptConfigForTask(taskName: TaskName, overrides: Partial<GPTConfig> = {}): GPTConfig {
  if (!(TASK_NAMES as readonly string[]).includes(taskName)) {
    throw new Error(
      `gptConfigForTask: taskName must be one of ${TASK_NAMES.join(', ')}; got '${String(taskName)}'`,
    );
  }
  const task = getTask(taskName);
  const ref = task.reference;
  const config: GPTConfig = {
    vocabSize: task.vocabSize,
    nEmbd: ref.nEmbd,
    nHead: ref.nHead,
    nLayer: ref.nLayer,
    inputInjection: true,
    positional: 'none',
    readIn: ref.readIn,
    ...overrides,
  };
  return validateGPTConfig(config);
}

function positiveInt(name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new Error(`GPTConfig.${name} must be a positive integer; got ${String(v)}`);
  }
}

/** Throws an Error naming the bad field; returns the config unchanged when valid. */
export function validateGPTConfig(config: GPTConfig): GPTConfig {
  positiveInt('vocabSize', config.vocabSize);
  positiveInt('nEmbd', config.nEmbd);
  positiveInt('nHead', config.nHead);
  positiveInt('nLayer', config.nLayer);
  if (config.nEmbd % config.nHead !== 0) {
    throw new Error(`GPTConfig.nHead must divide nEmbd; got nEmbd ${config.nEmbd}, nHead ${config.nHead}`);
  }
  if (typeof config.inputInjection !== 'boolean') {
    throw new Error(`GPTConfig.inputInjection must be a boolean; got ${String(config.inputInjection)}`);
  }
  if (config.positional !== 'none' && config.positional !== 'learned') {
    throw new Error(`GPTConfig.positional must be 'none' or 'learned'; got '${String(config.positional)}'`);
  }
  if (config.readIn !== 'onehot' && config.readIn !== 'embedding') {
    throw new Error(`GPTConfig.readIn must be 'onehot' or 'embedding'; got '${String(config.readIn)}'`);
  }
  if (config.positional === 'learned') positiveInt('maxSeqLen', config.maxSeqLen);
  if (config.outputSize !== undefined) positiveInt('outputSize', config.outputSize);
  return config;
}
