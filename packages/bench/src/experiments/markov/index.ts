import { z } from 'zod';
import { formatShard, parseShard, type Shard } from '../../shard/shard';
import type { ExperimentProfiles } from '../../config/profiles';
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

import { profilesFor, withShard, type Section } from './profiles';

type Part = { sections: ReportSection[]; summary: Table; results: object };

/**
 * The core runs a config asks for: every config trains Single-Attn and Looped-Attn; a `hessian`
 * section adds Hessian snapshots, `lengthGen` the test lengths, `theory` the gradient alignment.
 */
function markovCore(ctx: ExperimentContext<unknown>, c: Partial<Sections>, shard: Shard | null = null) {
  if (!c.data || !c.model || !c.train) throw new Error('markov config without data, model or train');
  return coreRuns(ctx, {
    data: c.data,
    model: c.model,
    train: c.train,
    ...(c.hessian ? { hessian: c.hessian } : {}),
    ...(c.lengthGen ? { lengthGen: c.lengthGen } : {}),
    ...(c.theory ? { alignment: { samples: c.theory.alignmentSamples } } : {}),
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
    const parts: Record<string, Part> = {};
    for (const name of Object.keys(PARTS) as (keyof typeof PARTS)[])
      parts[name] = await PARTS[name](g, core, c);
    const out = combine(parts);
    out.results['core'] = coreSummary(core);
    return out;
  },
});

/** The config sections of the study, by name (every sub-experiment takes data, model and train). */
const SECTION_SCHEMAS = {
  data: dataSchema,
  model: modelSchema,
  train: trainSchema,
  hessian: hessianSchema,
  lengthGen: lengthGenSchema,
  shift: shiftSchema,
  theory: theorySchema,
} as const;
type Sections = { [K in Section]: z.output<(typeof SECTION_SCHEMAS)[K]> };

/** The study's parts (report sections), each computed from the shared core runs. */
const PARTS = {
  observation1: (g, core) => observation1(g, core),
  observation2: (g, core, c) => observation2(g, core, c.hessian),
  table1: (g, core, c) => table1(g, core, c.data.length),
  shift: (g, core, c) => shiftStudy(g, core, c),
  theory: (g, core, c) => theoryStudy(g, c.theory, core),
} satisfies Record<string, (g: ExperimentContext<unknown>, core: CoreRuns, c: Sections) => Promise<Part>>;

/**
 * The Markov study's sub-commands: each trains the core runs its extra config sections need and
 * reports the listed parts, in order (`markov` runs them all on one set of core runs).
 */
const SUB_EXPERIMENTS: readonly {
  name: string;
  summary: string;
  sections: readonly ('hessian' | 'lengthGen' | 'shift' | 'theory')[];
  parts: readonly (keyof typeof PARTS)[];
  /** Whether results.json records the core runs' summary under `core`. */
  recordCore: boolean;
}[] = [
  {
    name: 'hessian',
    summary:
      'Observation 2 (with Observation 1 from the same runs): Hessian spectra, entropy, MI, river/valley, Assumption 1',
    sections: ['hessian'],
    parts: ['observation1', 'observation2'],
    recordCore: true,
  },
  {
    name: 'length-gen',
    summary:
      'Table 1: accuracy at test lengths 4-8 (simple / total) for Single-Attn and Looped-Attn, with the paper beside ours',
    sections: ['lengthGen'],
    parts: ['table1', 'observation1'],
    recordCore: true,
  },
  {
    name: 'shift',
    summary:
      'SCP on Single-Attn (plateau + gradient wait) and the sweep of shift points vs pure Looped-Attn: time and accuracy',
    sections: ['shift'],
    parts: ['shift'],
    recordCore: true,
  },
  {
    name: 'theory',
    summary:
      'river-valley simulation (U vs V valley, Theorem 1 bound) and Single/Looped gradient alignment over training (Theorem 3)',
    sections: ['theory'],
    parts: ['theory'],
    recordCore: false,
  },
];

function subExperiment(sub: (typeof SUB_EXPERIMENTS)[number]) {
  const keys = ['data', 'model', 'train', ...sub.sections] as const;
  const shape = Object.fromEntries(keys.map((k) => [k, SECTION_SCHEMAS[k]]));
  const base = z.strictObject(shape);
  const schema = sub.sections.includes('hessian')
    ? base.superRefine((v, ctx) => checkHessianSamples(v as unknown as Sections, ctx))
    : base;
  return defineExperiment({
    name: sub.name,
    summary: sub.summary,
    schema,
    profiles: profilesFor(keys) as ExperimentProfiles<z.input<typeof schema>>,
    async run(ctx) {
      const c = ctx.config as unknown as Sections;
      const g = ctx as ExperimentContext<unknown>;
      const core = await markovCore(g, c);
      const parts: Record<string, Part> = {};
      for (const name of sub.parts) parts[name] = await PARTS[name](g, core, c);
      const out = combine(parts);
      if (sub.recordCore) out.results['core'] = coreSummary(core);
      return out;
    },
  });
}

export const [hessianExperiment, lengthGenExperiment, shiftExperiment, theoryExperiment] =
  SUB_EXPERIMENTS.map(subExperiment) as [
    ReturnType<typeof subExperiment>,
    ReturnType<typeof subExperiment>,
    ReturnType<typeof subExperiment>,
    ReturnType<typeof subExperiment>,
  ];
