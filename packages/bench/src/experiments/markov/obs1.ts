import { lineChart, lossChart, type Datum } from '../../charts/specs';
import type { ExperimentContext } from '../../experiment';
import type { ReportBlock, ReportSection } from '../../report/types';
import { pct, spread } from '../../stats';
import type { Table } from '../../summary-table';
import { bandOf, fmtCI, meanCI, pairedCI, pairedVerdict, type Interval } from '../../verdict-rules';
import type { CoreRuns, SeedSummary } from './core';
import type { EpochPoint, TrainRunResult } from './train-run';

const MODEL_NAME = { single: 'Single-Attn', looped: 'Looped-Attn' } as const;
type Field = 'acc' | 'accLow' | 'accHigh';
type Group = { field: Field; bayes: 'all' | 'low' | 'high'; label: string };
const GROUPS: Group[] = [
  { field: 'accLow', bayes: 'low', label: 'low-IC' },
  { field: 'accHigh', bayes: 'high', label: 'high-IC' },
  { field: 'acc', bayes: 'all', label: 'all' },
];
/** "Reaches Bayes" = within this much of the Bayes predictor's accuracy on the group. */
export const REACH_TOLERANCE = 0.01;
/** Single-Attn "stalls" at the first epoch from which it never gains more than this on high-IC. */
export const STALL_TOLERANCE = 0.01;

/** Mean and 95% interval over runs of `field` at each evaluated epoch (bands clipped to [0, 1]). */
export function curve(
  runs: readonly TrainRunResult[],
  model: string,
  field: 'acc' | 'accLow' | 'accHigh' | 'valLoss' | 'trainLoss' | 'gradNorm' | 'alignment',
  clip = true,
): Datum[] {
  const epochs = runs[0]?.epochs.map((e) => e.epoch) ?? [];
  return epochs.map((epoch, i) => {
    const c = meanCI(runs.map((r) => r.epochs[i]?.[field] ?? NaN));
    return { epoch, model, ...bandOf(c, clip ? [0, 1] : undefined) };
  });
}

/** Budgets at which accuracy is reported: E/8, E/4, E/2, E (400 epochs: 50, 100, 200, 400). */
export function budgetsOf(epochs: number): number[] {
  return [...new Set([epochs / 8, epochs / 4, epochs / 2, epochs].map((e) => Math.max(1, Math.round(e))))];
}

function at(run: TrainRunResult, epoch: number): EpochPoint | undefined {
  let best: EpochPoint | undefined;
  for (const e of run.epochs) if (e.epoch <= epoch) best = e;
  return best;
}

/** First evaluated epoch at which `field` is within REACH_TOLERANCE of `target`; null if never. */
export function firstReach(run: TrainRunResult, field: Field, target: number): number | null {
  const hit = run.epochs.find((e) => e.epoch > 0 && e[field] >= target - REACH_TOLERANCE);
  return hit ? hit.epoch : null;
}

/**
 * The epoch at which a run stalls on `field`: the first evaluated epoch whose value is within
 * STALL_TOLERANCE of the run's maximum over the rest of training (after it, it gains at most that).
 */
export function stallEpoch(run: TrainRunResult, field: Field): number {
  const ep = run.epochs;
  const suffixMax = new Array<number>(ep.length).fill(-Infinity);
  for (let i = ep.length - 1; i >= 0; i--)
    suffixMax[i] = Math.max(ep[i]![field], suffixMax[i + 1] ?? -Infinity);
  const i = ep.findIndex((e, k) => k > 0 && e[field] >= suffixMax[k]! - STALL_TOLERANCE);
  return ep[i < 0 ? ep.length - 1 : i]!.epoch;
}

/** Looped-Attn's high-IC gain after Single-Attn stalls, minus Single-Attn's own gain over that span. */
export function lateRise(
  single: TrainRunResult,
  looped: TrainRunResult,
): { stall: number; single: number; looped: number; singleAtStall: number; loopedAtStall: number } {
  const stall = stallEpoch(single, 'accHigh');
  const level = (r: TrainRunResult) => at(r, stall)?.accHigh ?? NaN;
  return {
    stall,
    single: single.final.accHigh - level(single),
    looped: looped.final.accHigh - level(looped),
    singleAtStall: level(single),
    loopedAtStall: level(looped),
  };
}

function languagesOf(core: CoreRuns): number[] {
  return [...new Set(core.seeds.map((s) => s.language))];
}

function indicesOf(core: CoreRuns, language?: number): number[] {
  return core.seeds.flatMap((s, i) => (language === undefined || s.language === language ? [i] : []));
}

/** What every part of Observation 1 reads: the runs, their grouping and the paired measurements. */
function obs1Setup(core: CoreRuns) {
  const langs = languagesOf(core);
  const E = core.single[0]?.final.epoch ?? 0;
  const all = indicesOf(core);
  const pick = (m: 'single' | 'looped', idx: number[], f: (r: TrainRunResult) => number) =>
    idx.map((i) => f(core[m][i]!));
  const bayesOf = (s: SeedSummary, g: Group) => s.bayes[g.bayes];
  // The epoch each model first reaches the Bayes predictor on each group.
  const reach = (m: 'single' | 'looped', g: Group, idx: number[]) =>
    idx.map((i) => firstReach(core[m][i]!, g.field, bayesOf(core.seeds[i]!, g)));
  const finalHigh = (idx: number[]) =>
    pairedCI(
      pick('looped', idx, (r) => r.final.accHigh),
      pick('single', idx, (r) => r.final.accHigh),
    );
  // Late rise: Looped-Attn's high-IC gain after Single-Attn stalls.
  const rises = all.map((i) => lateRise(core.single[i]!, core.looped[i]!));
  const riseCI = (idx: number[]) =>
    pairedCI(
      idx.map((i) => rises[i]!.looped),
      idx.map((i) => rises[i]!.single),
    );
  return {
    core,
    langs,
    E,
    budgets: budgetsOf(E),
    all,
    perLang: langs.map((lang) => ({ lang, idx: indicesOf(core, lang) })),
    pick,
    accAt: (epoch: number, field: Field) => (r: TrainRunResult) => at(r, epoch)?.[field] ?? NaN,
    bayesOf,
    reach,
    finalHigh,
    rises,
    riseCI,
  };
}

type Obs1 = ReturnType<typeof obs1Setup>;

/** The paired rules of the two "Looped beats Single" claims (pooled and per language). */
function verdictsOf(o: Obs1) {
  const { all, perLang, finalHigh, riseCI } = o;
  return {
    verdictHigh: pairedVerdict(
      finalHigh(all),
      perLang.map((p) => finalHigh(p.idx)),
    ),
    verdictRise: pairedVerdict(
      riseCI(all),
      perLang.map((p) => riseCI(p.idx)),
    ),
  };
}

export async function observation1(
  ctx: ExperimentContext<unknown>,
  core: CoreRuns,
): Promise<{ sections: ReportSection[]; summary: Table; results: object }> {
  const o = obs1Setup(core);
  await accuracyFigures(ctx, o);
  await lossFigure(ctx, o);
  const { E, all, pick } = o;
  const blocks: ReportBlock[] = [
    introText(o),
    {
      kind: 'figure',
      name: 'obs1-loss',
      caption:
        'Training loss (solid) and validation loss (dashed) of both models, mean over every language and seed.',
    },
    {
      kind: 'figure',
      name: 'obs1-accuracy-low',
      caption: 'Low-IC training sequences, per language; flat line: the Bayes predictor on the group.',
    },
    {
      kind: 'figure',
      name: 'obs1-accuracy-high',
      caption: 'High-IC training sequences, per language; flat line: the Bayes predictor on the group.',
    },
    { kind: 'table', table: langTableOf(o) },
    { kind: 'table', table: budgetTableOf(o) },
    { kind: 'table', table: reachTableOf(o) },
    ...obs1Verdicts(o),
  ];
  return {
    sections: [{ title: 'Observation 1: sample-level accuracy by information content', blocks }],
    summary: {
      title: `Observation 1 (final training accuracy, epoch ${E}, mean over runs)`,
      columns: ['model', 'low-IC', 'high-IC', 'all'],
      rows: (['single', 'looped'] as const).map((m) => [
        MODEL_NAME[m],
        ...[GROUPS[0]!, GROUPS[1]!, GROUPS[2]!].map((g) =>
          fmtCI(meanCI(pick(m, all, (r) => r.final[g.field]))),
        ),
      ]),
    },
    results: obs1Results(o),
  };
}

/** Accuracy curves, one facet per language, with the Bayes predictor as a flat line. */
async function accuracyFigures(ctx: ExperimentContext<unknown>, o: Obs1): Promise<void> {
  const { core, langs, bayesOf } = o;
  for (const g of GROUPS.slice(0, 2)) {
    const data: Datum[] = [];
    for (const lang of langs) {
      const idx = indicesOf(core, lang);
      const tag = `language ${lang}`;
      for (const m of ['single', 'looped'] as const)
        for (const d of curve(
          idx.map((i) => core[m][i]!),
          MODEL_NAME[m],
          g.field,
        ))
          data.push({ ...d, language: tag });
      const b = spread(idx.map((i) => bayesOf(core.seeds[i]!, g))).mean;
      for (const e of core.single[idx[0]!]!.epochs)
        data.push({ epoch: e.epoch, model: 'Bayes predictor', value: b, lower: b, upper: b, language: tag });
    }
    await ctx.figure(
      `obs1-accuracy-${g.bayes}`,
      lineChart({
        title: `Training accuracy on ${g.label} sequences, mean and 95% interval over seeds, per language`,
        data,
        x: 'epoch',
        y: 'value',
        yTitle: 'accuracy',
        color: 'model',
        column: 'language',
        band: { lower: 'lower', upper: 'upper' },
        yScale: { domain: [0, 1] },
        width: 260,
        height: 200,
      }),
    );
  }
}

/** Training and validation loss, mean over every run (all languages and seeds). */
async function lossFigure(ctx: ExperimentContext<unknown>, o: Obs1): Promise<void> {
  const { core } = o;
  const lossData: Datum[] = [];
  for (const m of ['single', 'looped'] as const) {
    const runs = core[m];
    runs[0]?.epochs.forEach((e, i) => {
      const at = (f: 'trainLoss' | 'valLoss') => spread(runs.map((r) => r.epochs[i]?.[f] ?? NaN)).mean;
      lossData.push(
        { epoch: e.epoch, loss: at('trainLoss'), model: MODEL_NAME[m], split: 'train' },
        { epoch: e.epoch, loss: at('valLoss'), model: MODEL_NAME[m], split: 'validation' },
      );
    });
  }
  await ctx.figure(
    'obs1-loss',
    lossChart({
      title: `Training and validation loss, mean over ${core.single.length} runs`,
      data: lossData.filter((d) => Number.isFinite(d['loss'])),
      x: 'epoch',
      xTitle: 'epoch',
    }),
  );
}

function introText(o: Obs1): ReportBlock {
  const { core, langs } = o;
  return {
    kind: 'text',
    markdown:
      `Both toy models trained on the same data per run: ${langs.length} language(s) (${langs.join(', ')}) x seeds ${[...new Set(core.seeds.map((s) => s.seed))].join(', ')}; ` +
      `${core.seeds[0]?.trainSize ?? '?'} training sequences; low-IC group ${core.seeds[0]?.lowCount} examples, high-IC ${core.seeds[0]?.highCount} (first run). ` +
      'Every interval is a 95% Student t interval over runs; differences are paired (same language, seed and data).',
  };
}

/** Accuracy at fixed training budgets (pooled over languages and seeds). */
function budgetTableOf(o: Obs1): Table {
  const { core, langs, budgets, all, pick, accAt } = o;
  const budgetRows = budgets.flatMap((b) =>
    (['single', 'looped'] as const).map((m) => [
      String(b),
      MODEL_NAME[m],
      ...GROUPS.map((g) => fmtCI(meanCI(pick(m, all, accAt(b, g.field))))),
    ]),
  );
  const diffs = highDiffAt(o);
  return {
    title: `Training accuracy at fixed budgets (mean [95% interval] over ${all.length} runs: ${langs.length} language(s) x ${core.seeds.length / Math.max(1, langs.length)} seed(s))`,
    columns: ['epoch', 'model', ...GROUPS.map((g) => g.label)],
    rows: budgetRows,
    note: `Paired high-IC difference Looped − Single: ${budgets.map((b, i) => `epoch ${b}: ${fmtCI(diffs[i]!, 'pt')}`).join('; ')}.`,
  };
}

function highDiffAt(o: Obs1): Interval[] {
  return o.budgets.map((b) =>
    pairedCI(o.pick('looped', o.all, o.accAt(b, 'accHigh')), o.pick('single', o.all, o.accAt(b, 'accHigh'))),
  );
}

function reachTableOf(o: Obs1): Table {
  const { core, langs, reach } = o;
  const reachCell = (xs: (number | null)[]) => {
    const hit = xs.filter((x): x is number => x !== null);
    return `${fmtCI(meanCI(hit), 'num', 0, 0)} (${hit.length}/${xs.length} reached)`;
  };
  return {
    title: `Epoch at which each model first comes within ${100 * REACH_TOLERANCE} pt of the Bayes predictor on a group (mean [95% interval] over the runs that reach it)`,
    columns: ['language', 'model', ...GROUPS.map((g) => g.label)],
    rows: [undefined, ...langs].flatMap((lang) =>
      (['single', 'looped'] as const).map((m) => [
        lang === undefined ? 'all' : String(lang),
        MODEL_NAME[m],
        ...GROUPS.map((g) => reachCell(reach(m, g, indicesOf(core, lang)))),
      ]),
    ),
  };
}

/** Per language: final accuracies and the paired high-IC difference. */
function langTableOf(o: Obs1): Table {
  const { core, all, pick, perLang, finalHigh, E } = o;
  const langRows = perLang.map(({ lang, idx }) => {
    const s0 = core.seeds[idx[0]!]!;
    return [
      String(lang),
      String(idx.length),
      pct(spread(idx.map((i) => core.seeds[i]!.bayes.all))),
      pct(s0.bayes.high),
      fmtCI(meanCI(pick('single', idx, (r) => r.final.acc))),
      fmtCI(meanCI(pick('looped', idx, (r) => r.final.acc))),
      fmtCI(meanCI(pick('single', idx, (r) => r.final.accHigh))),
      fmtCI(meanCI(pick('looped', idx, (r) => r.final.accHigh))),
      fmtCI(finalHigh(idx), 'pt'),
    ];
  });
  return {
    title: `Final training accuracy (epoch ${E}) per language, mean [95% interval] over seeds`,
    columns: [
      'language',
      'seeds',
      'Bayes all',
      'Bayes high-IC',
      'Single all',
      'Looped all',
      'Single high-IC',
      'Looped high-IC',
      'Δ high-IC (L − S, paired)',
    ],
    rows: [
      ...langRows,
      [
        'pooled',
        String(all.length),
        pct(spread(all.map((i) => core.seeds[i]!.bayes.all))),
        '',
        fmtCI(meanCI(pick('single', all, (r) => r.final.acc))),
        fmtCI(meanCI(pick('looped', all, (r) => r.final.acc))),
        fmtCI(meanCI(pick('single', all, (r) => r.final.accHigh))),
        fmtCI(meanCI(pick('looped', all, (r) => r.final.accHigh))),
        fmtCI(finalHigh(all), 'pt'),
      ],
      ['paper', '1', '', '', '69.25% (Table 1, training)', '72.29%', '', '', ''],
    ],
    note: 'Bayes predictor: argmax of the true next-token distribution, scored on the training set (the best a model can do in expectation).',
  };
}

function obs1Verdicts(o: Obs1): ReportBlock[] {
  const { all, perLang, finalHigh, rises, riseCI, reach, E } = o;
  const lowMaster = (m: 'single' | 'looped', idx: number[]) => reach(m, GROUPS[0]!, idx);
  const lowFrac = (m: 'single' | 'looped') => lowMaster(m, all).filter((x) => x !== null).length;
  const { verdictHigh, verdictRise } = verdictsOf(o);
  return [
    {
      kind: 'verdict',
      claim: 'Both models master the low-IC sequences (reach the Bayes predictor on them)',
      held:
        all.length < 3
          ? 'n/a'
          : lowFrac('single') === all.length && lowFrac('looped') === all.length
            ? true
            : lowFrac('single') + lowFrac('looped') > 0
              ? 'partly'
              : false,
      evidence: `reached within ${100 * REACH_TOLERANCE} pt: Single-Attn in ${lowFrac('single')}/${all.length} runs (epoch ${fmtCI(meanCI(lowMaster('single', all).filter((x): x is number => x !== null)), 'num', 0, 0)}), Looped-Attn in ${lowFrac('looped')}/${all.length} (epoch ${fmtCI(meanCI(lowMaster('looped', all).filter((x): x is number => x !== null)), 'num', 0, 0)})`,
    },
    {
      kind: 'verdict',
      claim: 'Looped-Attn ends higher than Single-Attn on high-IC training sequences',
      held: verdictHigh,
      evidence: `paired Δ high-IC at epoch ${E}: pooled ${fmtCI(finalHigh(all), 'pt')}; ${perLang.map((p) => `language ${p.lang}: ${fmtCI(finalHigh(p.idx), 'pt')}`).join('; ')}`,
    },
    {
      kind: 'verdict',
      claim: "Looped-Attn's high-IC accuracy keeps rising after Single-Attn's stalls",
      held: verdictRise,
      evidence: `Single-Attn stalls (within ${100 * STALL_TOLERANCE} pt of its later best) at epoch ${fmtCI(meanCI(rises.map((r) => r.stall)), 'num', 0, 0)}; high-IC gain from then to the end, Looped − Single (paired): pooled ${fmtCI(riseCI(all), 'pt')}; ${perLang.map((p) => `language ${p.lang}: ${fmtCI(riseCI(p.idx), 'pt')}`).join('; ')}. High-IC accuracy at the stall epoch: Single ${fmtCI(meanCI(rises.map((r) => r.singleAtStall)))}, Looped ${fmtCI(meanCI(rises.map((r) => r.loopedAtStall)))} (a rise from below is partly catching up)`,
    },
  ];
}

function obs1Results(o: Obs1) {
  const { budgets, all, pick, accAt, reach, finalHigh, perLang, rises, riseCI } = o;
  const diffs = highDiffAt(o);
  const asInterval = (c: Interval) => ({ mean: c.mean, lower: c.lower, upper: c.upper, n: c.n });
  const { verdictHigh, verdictRise } = verdictsOf(o);
  return {
    budgets: budgets.map((b, i) => ({
      epoch: b,
      ...Object.fromEntries(
        (['single', 'looped'] as const).map((m) => [
          m,
          Object.fromEntries(
            GROUPS.map((g) => [g.bayes, asInterval(meanCI(pick(m, all, accAt(b, g.field))))]),
          ),
        ]),
      ),
      highDiff: asInterval(diffs[i]!),
    })),
    firstReachBayes: Object.fromEntries(
      (['single', 'looped'] as const).map((m) => [
        m,
        Object.fromEntries(GROUPS.map((g) => [g.bayes, reach(m, g, all)])),
      ]),
    ),
    finalHighDiff: {
      pooled: asInterval(finalHigh(all)),
      perLanguage: perLang.map((p) => ({ language: p.lang, ...asInterval(finalHigh(p.idx)) })),
    },
    lateRise: {
      perRun: rises,
      pooled: asInterval(riseCI(all)),
      perLanguage: perLang.map((p) => ({ language: p.lang, ...asInterval(riseCI(p.idx)) })),
    },
    verdicts: { loopedHigherHighIC: verdictHigh, lateRise: verdictRise },
  };
}
