// Adam and AdamW written out with tfjs ops so the moments can be exported for checkpoints
// (tf.train.adam hides them). Equations follow torch.optim.Adam / AdamW:
//   Adam : g <- g + wd * p (L2 penalty folded into the gradient)
//   AdamW: p <- p * (1 - lr * wd) (decoupled decay, Loshchilov & Hutter)
//   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  t <- t + 1
//   p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)

import * as tf from '@tensorflow/tfjs';
import { fusedAdamUpdate, nativeAdamActive } from '@loop/models';
import { checkNumber, fail } from '../util/validate';

export interface OptimizerConfig {
  type: 'adamw' | 'adam';
  /** Base learning rate (> 0); a learning-rate schedule scales it per step. */
  lr: number;
  betas?: [number, number];
  eps?: number;
  /** AdamW: decoupled decay; Adam: L2 penalty added to the gradient. Default 0.01 for adamw, 0 for adam. */
  weightDecay?: number;
  /** Parameters (by variable name) that get weight decay; default: all. */
  decay?: (variableName: string) => boolean;
}

export interface ResolvedOptimizerConfig {
  type: 'adamw' | 'adam';
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
}

/** Optimiser state in variable order; Float32Arrays are exact copies of the moment tensors. */
export interface OptimizerState {
  type: 'adamw' | 'adam';
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

export interface Optimizer {
  readonly config: ResolvedOptimizerConfig;
  /** Number of updates applied so far (t in the bias corrections). */
  readonly step: number;
  /** One update of every variable with its gradient (same order as the variables) at learning rate `lr`. */
  apply(grads: readonly tf.Tensor[], lr: number): void;
  /** Zero the moments and the step count (used when a schedule resets the optimiser at a stage switch). */
  reset(): void;
  exportState(): OptimizerState;
  importState(state: OptimizerState): void;
  dispose(): void;
}

export function resolveOptimizerConfig(
  config: OptimizerConfig,
  field = 'optimizer',
): ResolvedOptimizerConfig {
  if (config === null || typeof config !== 'object')
    fail(field, config, "an object { type: 'adamw' | 'adam', lr, ... }");
  if (config.type !== 'adamw' && config.type !== 'adam')
    fail(`${field}.type`, config.type, "'adamw' or 'adam'");
  checkNumber(`${field}.lr`, config.lr, { min: 0, minExclusive: true });
  const betas = config.betas ?? [0.9, 0.999];
  if (!Array.isArray(betas) || betas.length !== 2)
    fail(`${field}.betas`, betas, 'a pair [beta1, beta2] in [0, 1)');
  checkNumber(`${field}.betas[0]`, betas[0], { min: 0, max: 0.999999999 });
  checkNumber(`${field}.betas[1]`, betas[1], { min: 0, max: 0.999999999 });
  const eps = checkNumber(`${field}.eps`, config.eps ?? 1e-8, { min: 0, minExclusive: true });
  const weightDecay = checkNumber(
    `${field}.weightDecay`,
    config.weightDecay ?? (config.type === 'adamw' ? 0.01 : 0),
    { min: 0 },
  );
  return { type: config.type, lr: config.lr, betas: [betas[0], betas[1]], eps, weightDecay };
}

/**
 * Variables that share a weight-decay flag, updated as one flat vector: the update is elementwise,
 * so running it on the concatenation is bitwise the same as per variable, with ~15 kernels per group
 * instead of ~15 per variable (the per-kernel overhead dominates the step of small models on wasm).
 */
interface ParamGroup {
  indices: number[];
  sizes: number[];
  decay: boolean;
  m: tf.Variable;
  v: tf.Variable;
}

function flatten(ts: readonly tf.Tensor[]): tf.Tensor1D {
  const flat = ts.map((t) => tf.reshape(t, [-1]));
  return (flat.length === 1 ? flat[0] : tf.concat(flat)) as tf.Tensor1D;
}

export function createOptimizer(config: OptimizerConfig, variables: readonly tf.Variable[]): Optimizer {
  const cfg = resolveOptimizerConfig(config);
  const [b1, b2] = cfg.betas;
  const decays = variables.map((v) => cfg.weightDecay > 0 && (config.decay ? config.decay(v.name) : true));
  const makeGroups = (): ParamGroup[] =>
    [true, false]
      .map((decay) => variables.map((_, i) => i).filter((i) => decays[i] === decay))
      .filter((indices) => indices.length > 0)
      .map((indices) => {
        const size = indices.reduce((a, i) => a + (variables[i] as tf.Variable).size, 0);
        return {
          indices,
          sizes: indices.map((i) => (variables[i] as tf.Variable).size),
          decay: decays[indices[0] as number] as boolean,
          m: tf.tidy(() => tf.variable(tf.zeros([size]), false)),
          v: tf.tidy(() => tf.variable(tf.zeros([size]), false)),
        };
      });
  let groups = makeGroups();
  // Constant scalars uploaded once, not once per kernel call.
  const consts = {
    b1: tf.keep(tf.scalar(b1)),
    oneMinusB1: tf.keep(tf.scalar(1 - b1)),
    b2: tf.keep(tf.scalar(b2)),
    oneMinusB2: tf.keep(tf.scalar(1 - b2)),
    eps: tf.keep(tf.scalar(cfg.eps)),
    wd: tf.keep(tf.scalar(cfg.weightDecay)),
  };
  let t = 0;

  const disposeMoments = () => {
    groups.forEach((g) => {
      g.m.dispose();
      g.v.dispose();
    });
  };

  /** Per-variable copies of a group's flat moment, in variable order. */
  const unflatten = (which: 'm' | 'v'): Float32Array[] => {
    const out: Float32Array[] = new Array<Float32Array>(variables.length);
    for (const g of groups) {
      const flat = g[which].dataSync() as Float32Array;
      let offset = 0;
      g.indices.forEach((i, k) => {
        const n = g.sizes[k] as number;
        out[i] = flat.slice(offset, offset + n);
        offset += n;
      });
    }
    return out;
  };

  return {
    config: cfg,
    get step() {
      return t;
    },
    apply(grads, lr) {
      if (grads.length !== variables.length) {
        throw new Error(`optimizer.apply: got ${grads.length} gradients for ${variables.length} variables`);
      }
      t += 1;
      const bc1 = 1 - Math.pow(b1, t);
      const sqrtBc2 = Math.sqrt(1 - Math.pow(b2, t));
      const stepSize = lr / bc1;
      tf.tidy(() => {
        // On wasm one native kernel per group does the whole update, bitwise these ops
        // (adam-kernel.ts in @loop/models): no concatenation, no split, one pass over memory.
        const native = nativeAdamActive() && grads.every((g) => g.dtype === 'float32');
        for (const group of groups) {
          const params = group.indices.map((i) => variables[i] as tf.Variable);
          if (native && params.every((v) => v.dtype === 'float32')) {
            const out = fusedAdamUpdate(
              params,
              group.indices.map((i) => grads[i] as tf.Tensor),
              group.m,
              group.v,
              {
                decay: group.decay && cfg.type === 'adamw' ? 1 - lr * cfg.weightDecay : null,
                l2: group.decay && cfg.type === 'adam' ? cfg.weightDecay : null,
                b1,
                oneMinusB1: 1 - b1,
                b2,
                oneMinusB2: 1 - b2,
                sqrtBc2,
                eps: cfg.eps,
                step: stepSize,
              },
            );
            group.m.assign(out.m);
            group.v.assign(out.v);
            params.forEach((v, k) => v.assign(out.params[k] as tf.Tensor));
            continue;
          }
          const p = flatten(params);
          let g: tf.Tensor = flatten(group.indices.map((i) => grads[i] as tf.Tensor));
          let param: tf.Tensor = p;
          if (group.decay && cfg.type === 'adam') g = tf.add(g, tf.mul(p, consts.wd));
          if (group.decay && cfg.type === 'adamw') param = tf.mul(p, 1 - lr * cfg.weightDecay);
          const mi = tf.add(tf.mul(group.m, consts.b1), tf.mul(g, consts.oneMinusB1));
          const vi = tf.add(tf.mul(group.v, consts.b2), tf.mul(tf.square(g), consts.oneMinusB2));
          const denom = tf.add(tf.div(tf.sqrt(vi), sqrtBc2), consts.eps);
          group.m.assign(mi);
          group.v.assign(vi);
          const next = tf.sub(param, tf.mul(tf.div(mi, denom), stepSize));
          const parts = params.length === 1 ? [next] : tf.split(next, group.sizes);
          params.forEach((v, k) => v.assign(tf.reshape(parts[k] as tf.Tensor, v.shape)));
        }
      });
    },
    reset() {
      disposeMoments();
      groups = makeGroups();
      t = 0;
    },
    exportState() {
      return { type: cfg.type, step: t, m: unflatten('m'), v: unflatten('v') };
    },
    importState(state) {
      if (state.type !== cfg.type) {
        throw new Error(`optimizer state is for '${state.type}' but this optimizer is '${cfg.type}'`);
      }
      if (state.m.length !== variables.length || state.v.length !== variables.length) {
        throw new Error(`optimizer state has ${state.m.length} moments for ${variables.length} variables`);
      }
      variables.forEach((p, i) => {
        const size = p.size;
        if ((state.m[i] as Float32Array).length !== size || (state.v[i] as Float32Array).length !== size) {
          throw new Error(
            `optimizer state for variable ${i} ('${p.name}') has the wrong size (expected ${size})`,
          );
        }
      });
      for (const g of groups) {
        for (const which of ['m', 'v'] as const) {
          const flat = new Float32Array(g[which].size);
          let offset = 0;
          for (const i of g.indices) {
            const src = state[which][i] as Float32Array;
            flat.set(src, offset);
            offset += src.length;
          }
          tf.tidy(() => g[which].assign(tf.tensor1d(flat, 'float32')));
        }
      }
      t = state.step;
    },
    dispose() {
      disposeMoments();
      Object.values(consts).forEach((c) => c.dispose());
    },
  };
}
