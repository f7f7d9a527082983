/**
 * The looped GPT-2 model (reference FOP-Loop): variables from a seed and a forward that returns the
 * logits after every loop. Parameters: param-specs.ts; the forward pass: looped-forward.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { validateGPTConfig, type GPTConfig } from './config';
import { loopedForward, loopedForwardInference } from './looped-forward';
import { createVariables, gptParamSpecs, paramsByName } from './param-specs';

export { blockParams, gptParamSpecs, type ParamSpec } from './param-specs';
export { loopedForward, readIn, readOut } from './looped-forward';

export interface ForwardOptions {
  /** Number of loops (>= 1); one logits tensor is returned per loop. */
  loops: number;
  /** Use these tensors instead of the variables (same order and shapes as `variables`), e.g. for HVPs. */
  weights?: readonly tf.Tensor[];
  /**
   * Evaluation only (no gradients through the result): each loop's intermediates are released as
   * the loop ends, so memory holds about one loop's activations instead of all of them (T_max = 40
   * loops at n_embd 128 and 256 rows otherwise overflows the 4 GB wasm heap). Same values.
   */
  inference?: boolean;
}

export interface LoopedGPT {
  readonly config: GPTConfig;
  /** Trainable variables in a stable order; tf names are `<instance>/<logical name>` (unique). */
  readonly variables: tf.Variable[];
  /** Logical names, aligned with `variables` (instance prefix removed). */
  readonly variableNames: string[];
  /** Logits [B, T, outputSize] after every loop (index t-1 = after loop t). */
  forward(tokens: tf.Tensor2D, options: ForwardOptions): tf.Tensor3D[];
  parameterCount(): number;
  dispose(): void;
}

let instanceCounter = 0;

/** Throws unless `loops` is an integer >= 1 and `tokens` is 2-D. */
function checkForwardArgs(tokens: tf.Tensor2D, loops: number): void {
  if (!Number.isInteger(loops) || loops < 1) {
    throw new Error(`forward: options.loops must be an integer >= 1; got ${String(loops)}`);
  }
  if (tokens.rank !== 2)
    throw new Error(`forward: tokens must be a 2-D [batch, seqLen] tensor; got rank ${tokens.rank}`);
}

/** Create the looped GPT-2 model with GPT-2 initialisation from `seed` (backend-independent). */
export function createLoopedGPT(config: GPTConfig, options: { seed: number }): LoopedGPT {
  validateGPTConfig(config);
  if (!options || !Number.isFinite(options.seed)) {
    throw new Error(`createLoopedGPT: options.seed must be a finite number; got ${String(options?.seed)}`);
  }
  const specs = gptParamSpecs(config);
  const variables = createVariables(specs, `loopgpt${instanceCounter++}`, options.seed);
  const variableNames = specs.map((s) => s.name);
  const paramCount = specs.reduce((acc, s) => acc + s.shape.reduce((a, b) => a * b, 1), 0);

  return {
    config,
    variables,
    variableNames,
    forward(tokens, opts) {
      const loops = opts?.loops;
      checkForwardArgs(tokens, loops);
      if (opts.inference === true)
        return loopedForwardInference(config, paramsByName(specs, variables, opts.weights), tokens, loops);
      return tf.tidy(() =>
        loopedForward(config, paramsByName(specs, variables, opts.weights), tokens, loops),
      );
    },
    parameterCount: () => paramCount,
    dispose() {
      variables.forEach((v) => v.dispose());
    },
  };
}
