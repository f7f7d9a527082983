import { PAPER_MARKOV_LANGUAGE_SEEDS } from '@loop/tasks';
import { z } from 'zod';
import { formatShard, parseShard, type Shard } from '../../shard/shard';
import type {
  CoreProfileName,
  ExperimentProfiles,
  ProfileName,
  ProfileSettings,
} from '../../config/profiles';
import { defineExperiment, type ExperimentContext, type ExperimentOutput } from '../../experiment';
import type { ReportSection } from '../../report/types';
import type { Table } from '../../summary-table';
import {
  checkHessianSamples,
  dataSchema,
  hessianSchema,
  lengthGenSchema,
  modelSchema,
  shiftSchema,
  theorySchema,
  trainSchema,
} from './config';
import { coreRuns, type CoreRuns } from './core';
import { observation1 } from './obs1';
import { observation2 } from './obs2';
import { shiftStudy } from './shift-study';
import { table1 } from './table1';
import { theoryStudy } from './theory';

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
    hessian: {
      ...HESSIAN,
      every: 10,
      samples: PAPER_SIZE,
      histogramEpochs: [1, 10, 50, 60, 150, 170, 400],
      seeds: 5,
    },
    lengthGen: { lengths: [4, 5, 6, 7, 8], size: 5000 },
    shift: PAPER_SHIFT,
    theory: { ...THEORY, steps: 2000, alignmentSamples: 2000 },
  },
  paper: {
    seeds: 10,
    why: "the paper's regime: fitted language (Dirichlet(10), alpha 6, draws 12, 966, 491), full batch of 1,000 sequences, Adam 1e-3, 400 epochs, d = 4, no positions; 10 seeds on each of 3 languages, Hessians every 10 epochs on 3 seeds per language",
    data: { ...DATA, languages: PAPER_LANGUAGES.slice(0, 3), size: PAPER_SIZE, valSize: 1000 },
    model: { ...MODEL, dim: PAPER_DIM },
    train: PAPER_TRAIN,
    hessian: {
      ...HESSIAN,
      every: 10,
      samples: PAPER_SIZE,
      histogramEpochs: [1, 10, 50, 60, 150, 170, 400],
      seeds: 3,
    },
    lengthGen: { lengths: [4, 5, 6, 7, 8], size: 5000 },
    shift: PAPER_SHIFT,
    theory: { ...THEORY, steps: 2000, alignmentSamples: 2000 },
  },
} as const;

type Section = 'data' | 'model' | 'train' | 'hessian' | 'lengthGen' | 'shift' | 'theory';

function profilesFor<K extends Section>(keys: readonly K[]): ExperimentProfiles<Record<K, unknown>> {
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

type Part = { sections: ReportSection[]; summary: Table; results: object };

function withShard<T extends ExperimentProfiles<Record<string, unknown>>>(profiles: T): T {
  const out = {} as ExperimentProfiles<Record<string, unknown>>;
  for (const [name, p] of Object.entries(profiles) as [
    ProfileName,
    ProfileSettings<Record<string, unknown>>,
  ][])
    out[name] = { ...p, config: { shard: null, ...p.config } };
  return out as T;
}

/** The core runs of the whole study (or of one shard's replicates). */
function markovCore(ctx: ExperimentContext<unknown>, c: z.output<typeof markovSchema>, shard: Shard | null) {
  return coreRuns(ctx, {
    data: c.data,
    model: c.model,
    train: c.train,
    hessian: c.hessian,
    lengthGen: c.lengthGen,
    alignment: { samples: c.theory.alignmentSamples },
    shard,
  });
}

/** A `--shard i/n` slice: trains its replicates' units (core and SHIFT runs); `merge` writes the report. */
async function shardRun(
  ctx: ExperimentContext<unknown>,
  c: z.output<typeof markovSchema>,
  shard: Shard,
): Promise<ExperimentOutput> {
  const core = await markovCore(ctx, c, shard);
  await shiftStudy(ctx, core, c);
  const runs = core.seeds.map((s) => `language ${s.language} seed ${s.seed}`);
  return {
    results: {
      shard: formatShard(shard),
      runs: core.seeds.map((s) => ({ language: s.language, seed: s.seed })),
    },
    sections: [
      {
        title: `Markov study: shard ${formatShard(shard)}`,
        blocks: [
          {
            kind: 'text',
            markdown: `This folder holds the units of ${runs.length} replicate(s) (${runs.join('; ')}). Combine all shard folders with \`loop-bench merge DIR... --out OUT\` for the report.`,
          },
        ],
      },
    ],
    summary: [],
  };
}

function combine(parts: Record<string, Part>): ExperimentOutput {
  const sections = Object.values(parts).flatMap((p) => p.sections);
  // Every claim's verdict up front, so the report says plainly what held (details below).
  const verdicts = sections.flatMap((s) => s.blocks.filter((b) => b.kind === 'verdict'));
  return {
    results: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, v.results])),
    sections: [
      { title: "Verdicts on the paper's claims (details in the sections below)", blocks: verdicts },
      ...sections,
    ],
    summary: Object.values(parts)
      .map((p) => p.summary)
      .filter((t) => t.columns.length > 0),
  };
}

function coreSummary(core: CoreRuns) {
  return {
    languages: core.languages,
    seeds: core.seeds,
    runs: Object.fromEntries(
      (['single', 'looped'] as const).map((m) => [
        m,
        core[m].map((r) => ({
          language: r.language,
          seed: r.seed,
          parameterCount: r.parameterCount,
          trainMs: r.trainMs,
          final: r.final,
          lengthGen: r.lengthGen ?? null,
        })),
      ]),
    ),
  };
}

const markovSchema = z
  .strictObject({
    /** `i/n`: only the (language x seed) replicates with index = i mod n; `loop-bench merge` combines. */
    shard: z
      .string()
      .nullable()
      .refine((v) => v === null || /^\d+\/\d+$/.test(v), 'shard must be i/n, e.g. 0/2'),
    data: dataSchema,
    model: modelSchema,
    train: trainSchema,
    hessian: hessianSchema,
    lengthGen: lengthGenSchema,
    shift: shiftSchema,
    theory: theorySchema,
  })
  .superRefine(checkHessianSamples);

export const markovExperiment = defineExperiment({
  name: 'markov',
  summary:
    'the Markov-language study: Observations 1-2, Table 1, SCP/SHIFT sweep and the theory checks (Section 4, App. E.1)',
  help: 'Runs everything that hessian, length-gen, shift and theory run, sharing the Single-Attn and Looped-Attn training runs.',
  schema: markovSchema,
  profiles: withShard(
    profilesFor(['data', 'model', 'train', 'hessian', 'lengthGen', 'shift', 'theory']),
  ) as ExperimentProfiles<z.input<typeof markovSchema>>,
  async run(ctx) {
    const c = ctx.config;
    const shard = parseShard(c.shard);
    const g = ctx as ExperimentContext<unknown>;
    if (shard) return shardRun(g, c, shard);
    const core = await markovCore(g, c, null);
    const out = combine({
      observation1: await observation1(g, core),
      observation2: await observation2(g, core, c.hessian),
      table1: await table1(g, core, c.data.length),
      shift: await shiftStudy(g, core, c),
      theory: await theoryStudy(g, c.theory, core),
    });
    out.results['core'] = coreSummary(core);
    return out;
  },
});

const hessianExpSchema = z
  .strictObject({
    data: dataSchema,
    model: modelSchema,
    train: trainSchema,
    hessian: hessianSchema,
  })
  .superRefine(checkHessianSamples);
export const hessianExperiment = defineExperiment({
  name: 'hessian',
  summary:
    'Observation 2 (with Observation 1 from the same runs): Hessian spectra, entropy, MI, river/valley, Assumption 1',
  schema: hessianExpSchema,
  profiles: profilesFor(['data', 'model', 'train', 'hessian']) as ExperimentProfiles<
    z.input<typeof hessianExpSchema>
  >,
  async run(ctx) {
    const c = ctx.config;
    const g = ctx as ExperimentContext<unknown>;
    const core = await coreRuns(g, { data: c.data, model: c.model, train: c.train, hessian: c.hessian });
    const out = combine({
      observation1: await observation1(g, core),
      observation2: await observation2(g, core, c.hessian),
    });
    out.results['core'] = coreSummary(core);
    return out;
  },
});

const lengthGenExpSchema = z.strictObject({
  data: dataSchema,
  model: modelSchema,
  train: trainSchema,
  lengthGen: lengthGenSchema,
});
export const lengthGenExperiment = defineExperiment({
  name: 'length-gen',
  summary:
    'Table 1: accuracy at test lengths 4-8 (simple / total) for Single-Attn and Looped-Attn, with the paper beside ours',
  schema: lengthGenExpSchema,
  profiles: profilesFor(['data', 'model', 'train', 'lengthGen']) as ExperimentProfiles<
    z.input<typeof lengthGenExpSchema>
  >,
  async run(ctx) {
    const c = ctx.config;
    const g = ctx as ExperimentContext<unknown>;
    const core = await coreRuns(g, { data: c.data, model: c.model, train: c.train, lengthGen: c.lengthGen });
    const out = combine({
      table1: await table1(g, core, c.data.length),
      observation1: await observation1(g, core),
    });
    out.results['core'] = coreSummary(core);
    return out;
  },
});

const shiftExpSchema = z.strictObject({
  data: dataSchema,
  model: modelSchema,
  train: trainSchema,
  shift: shiftSchema,
});
export const shiftExperiment = defineExperiment({
  name: 'shift',
  summary:
    'SCP on Single-Attn (plateau + gradient wait) and the sweep of shift points vs pure Looped-Attn: time and accuracy',
  schema: shiftExpSchema,
  profiles: profilesFor(['data', 'model', 'train', 'shift']) as ExperimentProfiles<
    z.input<typeof shiftExpSchema>
  >,
  async run(ctx) {
    const c = ctx.config;
    const g = ctx as ExperimentContext<unknown>;
    const core = await coreRuns(g, { data: c.data, model: c.model, train: c.train });
    const out = combine({ shift: await shiftStudy(g, core, c) });
    out.results['core'] = coreSummary(core);
    return out;
  },
});

const theoryExpSchema = z.strictObject({
  data: dataSchema,
  model: modelSchema,
  train: trainSchema,
  theory: theorySchema,
});
export const theoryExperiment = defineExperiment({
  name: 'theory',
  summary:
    'river-valley simulation (U vs V valley, Theorem 1 bound) and Single/Looped gradient alignment over training (Theorem 3)',
  schema: theoryExpSchema,
  profiles: profilesFor(['data', 'model', 'train', 'theory']) as ExperimentProfiles<
    z.input<typeof theoryExpSchema>
  >,
  async run(ctx) {
    const c = ctx.config;
    const g = ctx as ExperimentContext<unknown>;
    const core = await coreRuns(g, {
      data: c.data,
      model: c.model,
      train: c.train,
      alignment: { samples: c.theory.alignmentSamples },
    });
    return combine({ theory: await theoryStudy(g, c.theory, core) });
  },
});
