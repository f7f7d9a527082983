import { enableSecondOrderGradients } from '@loop/hessian';
import { ownsUnit, type Shard } from '../../shard/shard';
import type { ExperimentContext } from '../../experiment';
import type { DataConfig, HessianConfig, LengthGenConfig, ModelConfig, TrainConfig } from './config';
import { markovData, type MarkovData } from './data';
import { lengthSets, trainRun, type LengthReference, type TrainRunResult } from './train-run';

/** One replicate of the study: a training seed (initialisation, sampling) on one language. */
export interface SeedSummary {
  /** Seed of the language (transition matrices). */
  language: number;
  seed: number;
  bayes: MarkovData['bayes'];
  ceiling: MarkovData['ceiling'];
  lowCount: number;
  highCount: number;
  /** IC range of the low and high groups. */
  trainSize: number;
  lengthBayes?: LengthReference[];
}

/**
 * Everything needed to recompute a language's "% simple" column and Bayes references from the
 * recorded numbers alone (results.json `languages`).
 */
export interface LanguageRecord {
  seed: number;
  vocabSize: number;
  length: number;
  alpha: number;
  concentration: number;
  trainSize: number;
  /** transitions[k][i][j] = P(next = j | current = i) at step t with t mod K = k (0-based t). */
  transitions: number[][][];
  /** Exact share of sequences with IC <= the largest training IC, per test length (enumeration). */
  simpleFraction: { length: number; fraction: number }[];
  /** Exact expected Bayes accuracy under q at the training length. */
  expectedBayes: number;
}

export interface CoreRuns {
  languages: LanguageRecord[];
  /** Replicates in order: language, then seed; single[i] and looped[i] belong to seeds[i]. */
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
  /** Run only the replicates with index = i mod n (a `--shard i/n` slice; `loop-bench merge` combines). */
  shard?: Shard | null;
}

/** The replicates of a run: every seed on every language, language first. */
export function replicates(
  data: Pick<DataConfig, 'languages'>,
  seeds: readonly number[],
): { language: number; seed: number; seedIndex: number }[] {
  return data.languages.flatMap((language) =>
    seeds.map((seed, seedIndex) => ({ language, seed, seedIndex })),
  );
}

/** Unit-key prefix of a replicate (language first, so units of one language sort together). */
export function replicateKey(r: { language: number; seed: number }): string {
  return `lang${r.language}-seed${r.seed}`;
}

export function languageRecord(
  data: MarkovData,
  cfg: DataConfig,
  lengths: readonly number[],
): LanguageRecord {
  const l = data.language;
  return {
    seed: l.seed,
    vocabSize: l.vocabSize,
    length: l.length,
    alpha: l.alpha,
    concentration: l.concentration,
    trainSize: cfg.size,
    transitions: l.transitions.map((m) => m.map((row) => [...row])),
    simpleFraction: lengths.map((length) => ({ length, fraction: l.simpleFraction({ length }) })),
    expectedBayes: l.expectedBayesAccuracy(),
  };
}

/**
 * Trains Single-Attn and Looped-Attn for every (language, seed) replicate on the same data (one
 * resumable unit per model x replicate), with the measurements the requested parts need.
 */
export async function coreRuns(ctx: ExperimentContext<unknown>, o: CoreOptions): Promise<CoreRuns> {
  enableSecondOrderGradients();
  const out: CoreRuns = { languages: [], seeds: [], single: [], looped: [] };
  for (const [r, rep] of replicates(o.data, ctx.seeds).entries()) {
    if (!ownsUnit(o.shard ?? null, r)) continue;
    const { language, seed } = rep;
    const data = markovData(o.data, language, seed);
    if (rep.seedIndex === 0)
      out.languages.push(languageRecord(data, o.data, o.lengthGen?.lengths ?? [o.data.length]));
    const ls = o.lengthGen ? lengthSets(data, o.lengthGen.lengths, o.lengthGen.size, seed) : undefined;
    out.seeds.push({
      language,
      seed,
      bayes: data.bayes,
      ceiling: data.ceiling,
      lowCount: data.low.length,
      highCount: data.high.length,
      trainSize: data.train.size,
      ...(ls ? { lengthBayes: ls.bayes } : {}),
    });
    const withHessian = o.hessian && rep.seedIndex < o.hessian.seeds ? o.hessian : undefined;
    for (const kind of ['single', 'looped'] as const) {
      const key = `core-${kind}-${replicateKey(rep)}${withHessian ? '-hessian' : ''}${o.alignment ? '-align' : ''}${ls ? '-lengths' : ''}`;
      const r = await ctx.unit(key, () =>
        trainRun(ctx, {
          label: `${kind}/lang${language}`,
          seed,
          language,
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
