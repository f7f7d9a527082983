/** The model's parameters by logical name: their layout, initialisation and views by block. */
import * as tf from '@tensorflow/tfjs';
import type { BlockParams } from './block';
import type { GPTConfig } from './config';
import { initValues, type InitKind } from './init';

export interface ParamSpec {
  /** Logical name, stable across instances (used by checkpoints), e.g. `h.0.attn.c_attn.w`. */
  name: string;
  shape: number[];
  init: InitKind;
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

/**
 * Name -> tensor map of the variables, or of `weights` standing in for them (same order and shapes,
 * checked here).
 */
export function paramsByName(
  specs: readonly ParamSpec[],
  variables: readonly tf.Tensor[],
  weights?: readonly tf.Tensor[],
): Record<string, tf.Tensor> {
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
}

/** One variable per spec, named `<prefix>/<logical name>`, initialised from `seed` (backend-independent). */
export function createVariables(specs: readonly ParamSpec[], prefix: string, seed: number): tf.Variable[] {
  // tidy disposes the initial tensors; the variables (kept by tidy) own copies of their data.
  return specs.map((s) =>
    tf.tidy(() =>
      tf.variable(
        tf.tensor(
          initValues(
            s.shape.reduce((a, b) => a * b, 1),
            s.init,
            seed,
            s.name,
          ),
          s.shape,
        ),
        true,
        `${prefix}/${s.name}`,
      ),
    ),
  );
}
