import * as tf from '@tensorflow/tfjs';
import { causalMaskBias } from './attention';
import { BlockParams, gptBlock } from './block';
import { GPTConfig, validateGPTConfig } from './config';
import { InitKind, initValues } from './init';
import { layerNorm } from '@loop/runtime';
import { linear } from './mlp';

export interface ParamSpec {
  /** Logical name, stable across instances (used by checkpoints), e.g. `h.0.attn.c_attn.w`. */
  name: string;
  shape: number[];
  init: InitKind;
}

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

/** Parameter layout of a config in the stable order used by `variables`. */
export function gptParamSpecs(config: GPTConfig): ParamSpec[] {
  const { vocabSize: V, nEmbd: C, nLayer: L } = config;
  const O = config.outputSize ?? V;
  const std = 0.02;
  const residualStd = 0.02 / Math.sqrt(2 * L);
  const normal = (s: number): InitKind => ({ kind: 'normal', std: s });
  const zeros: InitKind = { kind: 'zeros' };
  const ones: InitKind = { kind: 'ones' };
  const specs: ParamSpec[] = [{ name: 'wte.w', shape: [V, C], init: normal(std) }];
  if (config.readIn === 'onehot') specs.push({ name: 'wte.b', shape: [C], init: zeros });
  if (config.positional === 'learned')
    specs.push({ name: 'wpe.w', shape: [config.maxSeqLen as number, C], init: normal(std) });
  for (let i = 0; i < L; i++) {
    const p = `h.${i}.`;
    specs.push(
      { name: `${p}ln_1.g`, shape: [C], init: ones },
      { name: `${p}ln_1.b`, shape: [C], init: zeros },
      { name: `${p}attn.c_attn.w`, shape: [C, 3 * C], init: normal(std) },
      { name: `${p}attn.c_attn.b`, shape: [3 * C], init: zeros },
      { name: `${p}attn.c_proj.w`, shape: [C, C], init: normal(residualStd) },
      { name: `${p}attn.c_proj.b`, shape: [C], init: zeros },
      { name: `${p}ln_2.g`, shape: [C], init: ones },
      { name: `${p}ln_2.b`, shape: [C], init: zeros },
      { name: `${p}mlp.c_fc.w`, shape: [C, 4 * C], init: normal(std) },
      { name: `${p}mlp.c_fc.b`, shape: [4 * C], init: zeros },
      { name: `${p}mlp.c_proj.w`, shape: [4 * C, C], init: normal(residualStd) },
      { name: `${p}mlp.c_proj.b`, shape: [C], init: zeros },
    );
  }
  specs.push(
    { name: 'ln_f.g', shape: [C], init: ones },
    { name: 'ln_f.b', shape: [C], init: zeros },
    { name: 'lm_head.w', shape: [C, O], init: normal(std) },
    { name: 'lm_head.b', shape: [O], init: zeros },
  );
  return specs;
}

/** Block `i`'s tensors out of a name -> tensor map. */
export function blockParams(p: Record<string, tf.Tensor>, i: number): BlockParams {
  const g = (n: string): tf.Tensor => p[`h.${i}.${n}`];
  return {
    ln1G: g('ln_1.g'),
    ln1B: g('ln_1.b'),
    attnW: g('attn.c_attn.w'),
    attnB: g('attn.c_attn.b'),
    attnProjW: g('attn.c_proj.w'),
    attnProjB: g('attn.c_proj.b'),
    ln2G: g('ln_2.g'),
    ln2B: g('ln_2.b'),
    fcW: g('mlp.c_fc.w'),
    fcB: g('mlp.c_fc.b'),
    fcProjW: g('mlp.c_proj.w'),
    fcProjB: g('mlp.c_proj.b'),
  };
}

/** Read-in e = onehot(x) W (+ b) (+ wpe[:T]) as [B*T, C]; one-hot matMul because wasm has no gather gradient. */
export function readIn(config: GPTConfig, p: Record<string, tf.Tensor>, tokens: tf.Tensor2D): tf.Tensor2D {
  const [B, T] = tokens.shape;
  const oh = tf.reshape(tf.cast(tf.oneHot(tf.cast(tokens, 'int32'), config.vocabSize), 'float32'), [
    B * T,
    config.vocabSize,
  ]);
  let e: tf.Tensor = linear(oh, p['wte.w'], config.readIn === 'onehot' ? p['wte.b'] : undefined);
  if (config.positional === 'learned') {
    const C = config.nEmbd;
    const pos = tf.slice(p['wpe.w'], [0, 0], [T, C]);
    e = tf.reshape(tf.add(tf.reshape(e, [B, T, C]), pos), [B * T, C]);
  }
  return e as tf.Tensor2D;
}

/** Read-out: LN_f is applied by the loop; this is the linear head on [B*T, C] -> [B, T, O]. */
export function readOut(
  config: GPTConfig,
  p: Record<string, tf.Tensor>,
  h2d: tf.Tensor,
  batch: number,
  seqLen: number,
): tf.Tensor3D {
  const O = config.outputSize ?? config.vocabSize;
  return tf.reshape(linear(h2d, p['lm_head.w'], p['lm_head.b']), [batch, seqLen, O]);
}

/**
 * Looped forward (reference FOP-Loop): e = readIn(x);
 * with injection h_0 = 0, h_t = LN_f(Blocks(h_{t-1} + e)); without ("-WO") h_0 = e,
 * h_t = LN_f(Blocks(h_{t-1})); logits_t = readOut(h_t) for t = 1..loops.
 */
export function loopedForward(
  config: GPTConfig,
  p: Record<string, tf.Tensor>,
  tokens: tf.Tensor2D,
  loops: number,
): tf.Tensor3D[] {
  const { e, ...fixed } = loopSetup(config, p, tokens);
  const out: tf.Tensor3D[] = [];
  let h: tf.Tensor = e;
  for (let t = 1; t <= loops; t++) {
    const [next, logits] = oneLoop(config, p, { h, e, t, ...fixed });
    h = next;
    out.push(logits);
  }
  return out;
}

interface LoopInputs {
  h: tf.Tensor;
  e: tf.Tensor;
  t: number;
  blocks: ReturnType<typeof blockParams>[];
  dims: { batch: number; seqLen: number; nHead: number };
  maskBias: tf.Tensor;
}

/** What every loop reads: the read-in e, the block parameters, the shapes and the causal mask. */
function loopSetup(config: GPTConfig, p: Record<string, tf.Tensor>, tokens: tf.Tensor2D) {
  const [B, T] = tokens.shape;
  if (config.positional === 'learned' && T > (config.maxSeqLen as number)) {
    throw new Error(`forward: sequence length ${T} exceeds GPTConfig.maxSeqLen ${String(config.maxSeqLen)}`);
  }
  return {
    e: readIn(config, p, tokens) as tf.Tensor,
    blocks: Array.from({ length: config.nLayer }, (_, i) => blockParams(p, i)),
    dims: { batch: B, seqLen: T, nHead: config.nHead },
    maskBias: causalMaskBias(T),
  };
}

/** Loop t: h_t = LN_f(Blocks(h_{t-1} + e)) (without injection: of h_{t-1}) and its read-out. */
function oneLoop(config: GPTConfig, p: Record<string, tf.Tensor>, x: LoopInputs): [tf.Tensor, tf.Tensor3D] {
  // With injection h_0 = 0, so the first loop's input h_0 + e is just e.
  let u: tf.Tensor = config.inputInjection && x.t > 1 ? tf.add(x.h, x.e) : x.h;
  for (const bp of x.blocks) u = gptBlock(u, bp, x.dims, x.maskBias);
  const h = layerNorm(u, p['ln_f.g'], p['ln_f.b']);
  return [h, readOut(config, p, h, x.dims.batch, x.dims.seqLen)];
}

/**
 * The same forward for evaluation: each loop in its own tidy scope, keeping only h_t and the
 * logits, so peak memory is one loop's activations. The ops and their order are those of
 * `loopedForward`: the values are identical.
 */
function loopedForwardInference(
  config: GPTConfig,
  p: Record<string, tf.Tensor>,
  tokens: tf.Tensor2D,
  loops: number,
): tf.Tensor3D[] {
  // The outer scope releases the read-in, mask and parameter views; each loop's scope its intermediates.
  return tf.tidy(() => {
    const { e, ...fixed } = loopSetup(config, p, tokens);
    const out: tf.Tensor3D[] = [];
    let h: tf.Tensor = e;
    for (let t = 1; t <= loops; t++) {
      const prev = h;
      const [next, logits] = tf.tidy(() => oneLoop(config, p, { h: prev, e, t, ...fixed }));
      if (prev !== e) prev.dispose();
      h = next;
      out.push(logits);
    }
    return out;
  });
}

let instanceCounter = 0;

/** Create the looped GPT-2 model with GPT-2 initialisation from `seed` (backend-independent). */
export function createLoopedGPT(config: GPTConfig, options: { seed: number }): LoopedGPT {
  validateGPTConfig(config);
  if (!options || !Number.isFinite(options.seed)) {
    throw new Error(`createLoopedGPT: options.seed must be a finite number; got ${String(options?.seed)}`);
  }
  const specs = gptParamSpecs(config);
  const prefix = `loopgpt${instanceCounter++}`;
  // tidy disposes the initial tensors; the variables (kept by tidy) own copies of their data.
  const variables = specs.map((s) =>
    tf.tidy(() =>
      tf.variable(
        tf.tensor(
          initValues(
            s.shape.reduce((a, b) => a * b, 1),
            s.init,
            options.seed,
            s.name,
          ),
          s.shape,
        ),
        true,
        `${prefix}/${s.name}`,
      ),
    ),
  );
  const variableNames = specs.map((s) => s.name);
  const paramCount = specs.reduce((acc, s) => acc + s.shape.reduce((a, b) => a * b, 1), 0);

  const paramMap = (weights?: readonly tf.Tensor[]): Record<string, tf.Tensor> => {
    const src = weights ?? variables;
    if (src.length !== specs.length) {
      throw new Error(
        `forward: options.weights must hold ${specs.length} tensors (one per variable); got ${src.length}`,
      );
    }
    const map: Record<string, tf.Tensor> = {};
    specs.forEach((s, i) => {
      if (!tf.util.arraysEqual(src[i].shape, s.shape)) {
        throw new Error(
          `forward: weight ${s.name} must have shape [${s.shape.join(', ')}]; got [${src[i].shape.join(', ')}]`,
        );
      }
      map[s.name] = src[i];
    });
    return map;
  };

  return {
    config,
    variables,
    variableNames,
    forward(tokens, opts) {
      const loops = opts?.loops;
      if (!Number.isInteger(loops) || loops < 1) {
        throw new Error(`forward: options.loops must be an integer >= 1; got ${String(loops)}`);
      }
      if (tokens.rank !== 2)
        throw new Error(`forward: tokens must be a 2-D [batch, seqLen] tensor; got rank ${tokens.rank}`);
      if (opts.inference === true)
        return loopedForwardInference(config, paramMap(opts.weights), tokens, loops);
      return tf.tidy(() => loopedForward(config, paramMap(opts.weights), tokens, loops));
    },
    parameterCount: () => paramCount,
    dispose() {
      variables.forEach((v) => v.dispose());
    },
  };
}
