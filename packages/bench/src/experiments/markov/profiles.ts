import { PAPER_MARKOV_LANGUAGE_SEEDS } from '@loop/tasks';
import type {
  CoreProfileName,
  ExperimentProfiles,
  ProfileName,
  ProfileSettings,
} from '../../config/profiles';

/**
 * Profiles of the Markov study. The paper kept V = 3, length 4, three transition matrices, Adam and
 * three loops; it lost alpha, the dataset size, the embedding width, how the matrices were drawn and
 * the learning rate. The language family and draws are fitted to its fingerprints (the "% simple"
 * column 100 / 99.5 / 64.5 / 0 / 0 and the trained accuracies 69.25% / 72.29%: docs/markov-fit.md);
 * the slow regime (full batch, Adam 1e-3, 400 epochs) is where its phases play out (epochs ~50-400).
 */
/** Fitted draws of the paper's language family (Dirichlet(10) rows, alpha 6), closest first. */
const PAPER_LANGUAGES = PAPER_MARKOV_LANGUAGE_SEEDS;
const DATA = {
  vocabSize: 3,
  length: 4,
  alpha: 6,
  concentration: 10,
  languages: [PAPER_LANGUAGES[0]] as number[],
  splitBy: 'examples' as const,
};
const MODEL = { variant: 'paper' as const, loops: 3, gating: 'scalar' as const };
const TRAIN = { optimizer: 'adam' as const, weightDecay: 0, evalEvery: 1 };
const HESSIAN = { relativeEpsilon: 0.01, delta: 1, lowCurvature: 0.1 };
const THEORY = { valleyDim: 10, riverDim: 5, uMin: 0.5, vMin: 0.01, lr: 0.5, couplingScale: 0.01 };
/** The paper's slow regime: full batch (batchSize = size), Adam 1e-3, 400 epochs. */
const PAPER_SIZE = 1000;
const PAPER_DIM = 4;
const PAPER_TRAIN = { ...TRAIN, epochs: 400, batchSize: PAPER_SIZE, lr: 0.001 };
const PAPER_SHIFT = {
  criterion: { plateauDelta: 0.001, plateauPatience: 5, gradDelta: 0.2, gradPatience: 2, maxWait: 30 },
  laterFractions: [0.33, 0.67],
};

/** Hessians every 10 epochs on `hessianSeeds` seeds per language, 5,000 test sequences per length. */
function paperScale(hessianSeeds: number) {
  return {
    hessian: {
      ...HESSIAN,
      every: 10,
      samples: PAPER_SIZE,
      histogramEpochs: [1, 10, 50, 60, 150, 170, 400],
      seeds: hessianSeeds,
    },
    lengthGen: { lengths: [4, 5, 6, 7, 8], size: 5000 },
    shift: PAPER_SHIFT,
    theory: { ...THEORY, steps: 2000, alignmentSamples: 2000 },
  } as const;
}

const PROFILES = {
  smoke: {
    seeds: 1,
    why: 'seconds: 200 sequences, d = 3, 4 epochs; checks the pipeline, not the paper',
    data: { ...DATA, size: 200, valSize: 100 },
    model: { ...MODEL, dim: 3 },
    train: { ...TRAIN, epochs: 4, batchSize: 100, lr: 0.01 },
    hessian: { ...HESSIAN, every: 2, samples: 100, histogramEpochs: [0, 2, 4], seeds: 1 },
    lengthGen: { lengths: [4, 5, 6], size: 100 },
    shift: {
      criterion: { plateauDelta: 0.01, plateauPatience: 1, gradDelta: 0.5, gradPatience: 1, maxWait: 1 },
      laterFractions: [0.5],
    },
    theory: { ...THEORY, steps: 100, alignmentSamples: 100 },
  },
  quick: {
    seeds: 3,
    why: "minutes on 2 cores: the paper's fitted language and slow regime on its closest draw only, 3 seeds; full Hessians every 40 epochs on the first seed",
    data: { ...DATA, size: PAPER_SIZE, valSize: 500 },
    model: { ...MODEL, dim: PAPER_DIM },
    train: PAPER_TRAIN,
    hessian: { ...HESSIAN, every: 40, samples: PAPER_SIZE, histogramEpochs: [0, 40, 160, 400], seeds: 1 },
    lengthGen: { lengths: [4, 5, 6, 7, 8], size: 2000 },
    shift: { ...PAPER_SHIFT, laterFractions: [0.5] },
    theory: { ...THEORY, steps: 1000, alignmentSamples: 1000 },
  },
  full: {
    seeds: 20,
    why: 'an hour or more on 2 cores: the paper profile on every fitted draw with 20 seeds, Hessians on 5 seeds per draw',
    data: { ...DATA, languages: [...PAPER_LANGUAGES], size: PAPER_SIZE, valSize: 1000 },
    model: { ...MODEL, dim: PAPER_DIM },
    train: PAPER_TRAIN,
    ...paperScale(5),
  },
  paper: {
    seeds: 10,
    why: "the paper's regime: fitted language (Dirichlet(10), alpha 6, draws 12, 966, 491), full batch of 1,000 sequences, Adam 1e-3, 400 epochs, d = 4, no positions; 10 seeds on each of 3 languages, Hessians every 10 epochs on 3 seeds per language",
    data: { ...DATA, languages: PAPER_LANGUAGES.slice(0, 3), size: PAPER_SIZE, valSize: 1000 },
    model: { ...MODEL, dim: PAPER_DIM },
    train: PAPER_TRAIN,
    ...paperScale(3),
  },
} as const;

export type Section = 'data' | 'model' | 'train' | 'hessian' | 'lengthGen' | 'shift' | 'theory';

export function profilesFor<K extends Section>(keys: readonly K[]): ExperimentProfiles<Record<K, unknown>> {
  const pick = (p: CoreProfileName) => {
    const src = PROFILES[p] as unknown as Record<Section, unknown>;
    return {
      seeds: PROFILES[p].seeds,
      why: PROFILES[p].why,
      config: Object.fromEntries(keys.map((k) => [k, src[k]])) as Record<K, unknown>,
    };
  };
  return { smoke: pick('smoke'), quick: pick('quick'), full: pick('full'), paper: pick('paper') };
}

/** Adds `shard: null` to every profile's config (the markov command's `--shard` field). */
export function withShard<T extends ExperimentProfiles<Record<string, unknown>>>(profiles: T): T {
  const out = {} as ExperimentProfiles<Record<string, unknown>>;
  for (const [name, p] of Object.entries(profiles) as [
    ProfileName,
    ProfileSettings<Record<string, unknown>>,
  ][])
    out[name] = { ...p, config: { shard: null, ...p.config } };
  return out as T;
}
