// Adam and AdamW written out with tfjs ops so the moments can be exported for checkpoints
// (tf.train.adam hides them). Equations follow torch.optim.Adam / AdamW:
//   Adam : g <- g + wd * p (L2 penalty folded into the gradient)
//   AdamW: p <- p * (1 - lr * wd) (decoupled decay, Loshchilov & Hutter)
//   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  t <- t + 1
//   p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)

import * as tf from '@tensorflow/tfjs';
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

export function createOptimizer(config: OptimizerConfig, variables: readonly tf.Variable[]): Optimizer {
  const cfg = resolveOptimizerConfig(config);
  const [b1, b2] = cfg.betas;
  const decays = variables.map((v) => cfg.weightDecay > 0 && (config.decay ? config.decay(v.name) : true));
  const zeros = () => variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  let m = zeros();
  let v = zeros();
  let t = 0;

  const disposeMoments = () => {
    m.forEach((x) => x.dispose());
    v.forEach((x) => x.dispose());
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
        variables.forEach((p, i) => {
          let g = grads[i] as tf.Tensor;
          let param: tf.Tensor = p;
          if (decays[i] && cfg.type === 'adam') g = tf.add(g, tf.mul(p, cfg.weightDecay));
          if (decays[i] && cfg.type === 'adamw') param = tf.mul(p, 1 - lr * cfg.weightDecay);
          const mi = tf.add(tf.mul(m[i] as tf.Variable, b1), tf.mul(g, 1 - b1));
          const vi = tf.add(tf.mul(v[i] as tf.Variable, b2), tf.mul(tf.square(g), 1 - b2));
          const denom = tf.add(tf.div(tf.sqrt(vi), sqrtBc2), cfg.eps);
          (m[i] as tf.Variable).assign(mi);
          (v[i] as tf.Variable).assign(vi);
          p.assign(tf.sub(param, tf.mul(tf.div(mi, denom), stepSize)));
        });
      });
    },
    reset() {
      disposeMoments();
      m = zeros();
      v = zeros();
      t = 0;
    },
    exportState() {
      return {
        type: cfg.type,
        step: t,
        m: m.map((x) => x.dataSync().slice() as Float32Array),
        v: v.map((x) => x.dataSync().slice() as Float32Array),
      };
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
        tf.tidy(() => {
          (m[i] as tf.Variable).assign(tf.tensor(state.m[i] as Float32Array, p.shape, 'float32'));
          (v[i] as tf.Variable).assign(tf.tensor(state.v[i] as Float32Array, p.shape, 'float32'));
        });
      });
      t = state.step;
    },
    dispose: disposeMoments,
  };
}
