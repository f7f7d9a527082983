import { enableSecondOrderGradients } from '@loop/hessian';
import type { ExperimentContext } from '../experiment';
import type { DataConfig, HessianConfig, LengthGenConfig, ModelConfig, TrainConfig } from './config';
import { markovData, type MarkovData } from './data';
import { lengthSets, trainRun, type TrainRunResult } from './train-run';

export interface SeedSummary {
  seed: number;
  bayes: MarkovData['bayes'];
  ceiling: MarkovData['ceiling'];
  lowCount: number;
  highCount: number;
  /** IC range of the low and high groups. */
  trainSize: number;
  lengthBayes?: { length: number; simpleFraction: number; bayes: number; bayesSimple: number | null }[];
}

export interface CoreRuns {
  seeds: SeedSummary[];
  single: TrainRunResult[];
  looped: TrainRunResult[];
}

export interface CoreOptions {
  data: DataConfig;
  model: ModelConfig;
  train: TrainConfig;
  hessian?: HessianConfig;
  lengthGen?: LengthGenConfig;
  alignment?: { samples: number };
}

/**
 * Trains Single-Attn and Looped-Attn for every seed on the same data (one resumable unit per model x
 * seed), with the measurements the requested parts need.
 */
export async function coreRuns(ctx: ExperimentContext<unknown>, o: CoreOptions): Promise<CoreRuns> {
  enableSecondOrderGradients();
  const out: CoreRuns = { seeds: [], single: [], looped: [] };
  for (const [i, seed] of ctx.seeds.entries()) {
    const data = markovData(o.data, seed);
    const ls = o.lengthGen ? lengthSets(data, o.lengthGen.lengths, o.lengthGen.size, seed) : undefined;
    out.seeds.push({
      seed,
      bayes: data.bayes,
      ceiling: data.ceiling,
      lowCount: data.low.length,
      highCount: data.high.length,
      trainSize: data.train.size,
      ...(ls ? { lengthBayes: ls.bayes } : {}),
    });
    const withHessian = o.hessian && i < o.hessian.seeds ? o.hessian : undefined;
    for (const kind of ['single', 'looped'] as const) {
      const key = `core-${kind}-seed${seed}${withHessian ? '-hessian' : ''}${o.alignment ? '-align' : ''}${ls ? '-lengths' : ''}`;
      const r = await ctx.unit(key, () =>
        trainRun(ctx, {
          label: kind,
          seed,
          data,
          dataCfg: o.data,
          model: o.model,
          train: o.train,
          schedule: { kind },
          ...(withHessian ? { hessian: withHessian } : {}),
          ...(o.alignment
            ? {
                alignment: true,
                probeSamples: withHessian
                  ? Math.max(withHessian.samples, o.alignment.samples)
                  : o.alignment.samples,
              }
            : {}),
          ...(ls ? { lengthSets: ls.sets } : {}),
        }),
      );
      out[kind].push(r);
    }
  }
  return out;
}
