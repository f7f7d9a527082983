import { histogramChart, lineChart, type Datum } from '../../charts/specs';
import type { ExperimentContext } from '../../experiment';
import type { ReportBlock, ReportSection } from '../../report/types';
import { riverValley } from '@loop/hessian';
import { num, spread } from '../../stats';
import type { Table } from '../../summary-table';
import { bandOf, fmtCI, majorityVerdict, meanCI, pairedCI, pairedVerdict, wilson } from '../../verdict-rules';
import type { HessianConfig } from './config';
import type { CoreRuns } from './core';
import { assumptionOne } from './theory-sim';
import type { HessianPoint, TrainRunResult } from './train-run';

const NAME = { single: 'Single-Attn', looped: 'Looped-Attn' } as const;

function withHessian(runs: readonly TrainRunResult[]): TrainRunResult[] {
  return runs.filter((r) => r.hessian.length > 0);
}

/** Mean and 95% interval over runs of a Hessian metric at each snapshot epoch. */
function hessCurve(
  runs: readonly TrainRunResult[],
  model: string,
  f: (h: HessianPoint) => number | null,
): Datum[] {
  const first = runs[0]?.hessian ?? [];
  return first
    .map((h, i) => {
      const c = meanCI(runs.map((r) => (r.hessian[i] ? (f(r.hessian[i]) ?? NaN) : NaN)));
      return { epoch: h.epoch, model, ...bandOf(c) };
    })
    .filter((d) => Number.isFinite(d.value));
}

/** Valley-shape share of final Hessians under other epsilon / delta choices (no retraining). */
export function shapeSensitivity(
  single: readonly number[][],
  looped: readonly number[][],
  epsilons: readonly number[],
  deltas: readonly number[],
): { relativeEpsilon: number; delta: number; singleU: number; loopedV: number; n: number }[] {
  const shape = (eig: number[], relativeEpsilon: number, delta: number) =>
    riverValley(eig, { relativeEpsilon, delta }).shape;
  return epsilons.flatMap((relativeEpsilon) =>
    deltas.map((delta) => ({
      relativeEpsilon,
      delta,
      singleU: single.filter((e) => shape(e, relativeEpsilon, delta) === 'U').length,
      loopedV: looped.filter((e) => shape(e, relativeEpsilon, delta) === 'V').length,
      n: single.length,
    })),
  );
}

/** Assumption 1 with thresholds shared by both models (absolute eigenvalues are compared). */
export function assumptionCheck(
  single: readonly number[],
  looped: readonly number[],
  cfg: Pick<HessianConfig, 'relativeEpsilon' | 'lowCurvature'>,
) {
  const radius = Math.max(...single.map(Math.abs), ...looped.map(Math.abs));
  const epsilon = cfg.relativeEpsilon * radius;
  const vs = single.filter((x) => x >= epsilon && x > 0);
  const vl = looped.filter((x) => x >= epsilon && x > 0);
  const tau = cfg.lowCurvature * Math.max(...vs, ...vl, 0);
  const a = assumptionOne(vs, vl, tau);
  const kappa = (v: number[]) => (v.length ? Math.max(...v) / Math.min(...v) : 1);
  return {
    epsilon,
    tau,
    valleyDimSingle: vs.length,
    valleyDimLooped: vl.length,
    kappaSingle: kappa(vs),
    kappaLooped: kappa(vl),
    ...a,
  };
}

function pctW(w: { lower: number; upper: number }): string {
  return `[${(100 * w.lower).toFixed(0)}%, ${(100 * w.upper).toFixed(0)}%]`;
}

function nearestEpochs(available: readonly number[], wanted: readonly number[]): number[] {
  const out = new Set<number>();
  for (const w of wanted) {
    let best = available[0]!;
    for (const a of available) if (Math.abs(a - w) < Math.abs(best - w)) best = a;
    if (w <= available[available.length - 1]! || out.size === 0) out.add(best);
  }
  return [...out].sort((a, b) => a - b);
}

type Runs = TrainRunResult[];
const last = (r: TrainRunResult) => r.hessian[r.hessian.length - 1]!;
/** Std of the entropy over a run's snapshots after epoch 0: how much its landscape moves. */
const entStd = (r: TrainRunResult) => spread(r.hessian.slice(1).map((h) => h.entropy)).std;
/** Mean ± std over runs of that variability. */
const entropyStd = (runs: Runs) => spread(runs.map(entStd));

export async function observation2(
  ctx: ExperimentContext<unknown>,
  core: CoreRuns,
  cfg: HessianConfig,
): Promise<{ sections: ReportSection[]; summary: Table; results: object }> {
  const single = withHessian(core.single);
  const looped = withHessian(core.looped);
  if (single.length === 0 || looped.length === 0) {
    return {
      sections: [
        {
          title: 'Observation 2: Hessian dynamics',
          blocks: [{ kind: 'text', markdown: 'No Hessian snapshots were recorded in this run.' }],
        },
      ],
      summary: { columns: [], rows: [] },
      results: {},
    };
  }
  await curveFigures(ctx, single, looped);
  await eigenvalueFigures(ctx, single, looped, cfg);
  const st = obs2Stats(single, looped, cfg);
  const table = summaryTableOf(single, looped, cfg);
  const blocks: ReportBlock[] = [
    { kind: 'figure', name: 'obs2-entropy', caption: 'Matrix entropy of the Hessian over epochs.' },
    {
      kind: 'figure',
      name: 'obs2-mutual-information',
      caption: 'Mutual information between the Hessians of consecutive snapshots.',
    },
    {
      kind: 'figure',
      name: 'obs2-eigenvalues-looped',
      caption:
        'Looped-Attn eigenvalue histograms at selected epochs (the paper: 1, 10, 50, 60, 150, 170, 400).',
    },
    {
      kind: 'figure',
      name: 'obs2-eigenvalues-single',
      caption: 'Single-Attn eigenvalue histograms at selected epochs (the paper: 10, 150).',
    },
    {
      kind: 'figure',
      name: 'obs2-river-valley',
      caption: 'River dimension, valley condition number and low-curvature valley eigenvalues over training.',
    },
    { kind: 'table', table },
    { kind: 'table', table: assumptionTableOf(st.finalChecks, single, cfg) },
    { kind: 'table', table: sensitivityTableOf(st.sensitivity) },
    ...obs2Verdicts(single, looped, cfg, st),
  ];
  return {
    sections: [{ title: 'Observation 2: Hessian-level dynamics and the river/valley landscape', blocks }],
    summary: {
      title: 'Observation 2 (final Hessian)',
      columns: ['model', 'entropy final', 'MI final', 'valley κ final', 'shape', 'low-curv. eigs'],
      rows: table.rows.map((r) => [r[0], r[3], r[5], r[7], r[8], r[9]]),
    },
    results: {
      runs: single.map((r) => ({ language: r.language, seed: r.seed })),
      finalAssumption1: st.finalChecks,
      entropyStdDiff: {
        pooled: st.entDiff(),
        perLanguage: st.langs.map((l) => ({ language: l, ...st.entDiff(l) })),
      },
      shapeSensitivity: st.sensitivity,
      verdicts: {
        entropy: st.entVerdict,
        shape: st.shapeVerdict,
        assumption1: majorityVerdict(st.finalHeld, st.finalChecks.length),
      },
      assumption1HeldOverTime: { held: st.heldOverTime, total: st.overTime.length },
      entropyStd: { single: st.sEntStd, looped: st.lEntStd },
      shapes: st.shapes,
    },
  };
}

/** Entropy, mutual information and the river/valley summary over training, with 95% bands over runs. */
async function curveFigures(ctx: ExperimentContext<unknown>, single: Runs, looped: Runs): Promise<void> {
  const n = single.length;
  const both = (title: string, name: string, yTitle: string, f: (h: HessianPoint) => number | null) =>
    ctx.figure(
      name,
      lineChart({
        title: `${title}, mean and 95% interval over ${n} run(s)`,
        data: [...hessCurve(single, NAME.single, f), ...hessCurve(looped, NAME.looped, f)],
        x: 'epoch',
        y: 'value',
        yTitle,
        color: 'model',
        band: { lower: 'lower', upper: 'upper' },
      }),
    );
  await both('Hessian matrix entropy (|λ| convention, nats)', 'obs2-entropy', 'entropy', (h) => h.entropy);
  await both(
    'Mutual information between consecutive Hessian snapshots',
    'obs2-mutual-information',
    'MI (nats)',
    (h) => h.mutualInformation,
  );
  const rvData: Datum[] = [];
  for (const [m, runs] of [
    ['single', single],
    ['looped', looped],
  ] as const) {
    for (const [label, f] of [
      ['valley condition number (log10)', (h: HessianPoint) => Math.log10(h.conditionNumber)],
      ['low-curvature valley eigenvalues', (h: HessianPoint) => h.lowCurvatureValleyCount],
      ['river dimension', (h: HessianPoint) => h.riverDim],
    ] as const) {
      for (const d of hessCurve(runs, NAME[m], f)) rvData.push({ ...d, metric: label });
    }
  }
  await ctx.figure(
    'obs2-river-valley',
    lineChart({
      title: 'River/valley summary over training (each model with its own thresholds)',
      data: rvData,
      x: 'epoch',
      y: 'value',
      yTitle: '',
      color: 'model',
      column: 'metric',
      independentY: true,
      width: 240,
      height: 180,
    }),
  );
}

/** Eigenvalue histograms at selected epochs, pooled over every run with Hessians. */
async function eigenvalueFigures(
  ctx: ExperimentContext<unknown>,
  single: Runs,
  looped: Runs,
  cfg: HessianConfig,
): Promise<void> {
  for (const [m, runs] of [
    ['looped', looped],
    ['single', single],
  ] as const) {
    const epochs = nearestEpochs(
      runs[0]!.hessian.map((h) => h.epoch),
      cfg.histogramEpochs,
    );
    const data: Datum[] = [];
    for (const run of runs)
      for (const h of run.hessian.filter((x) => epochs.includes(x.epoch)))
        for (const v of h.eigenvalues)
          data.push({ epoch: `epoch ${String(h.epoch).padStart(4, ' ')}`, eigenvalue: v });
    await ctx.figure(
      `obs2-eigenvalues-${m}`,
      histogramChart({
        title: `${NAME[m]}: Hessian eigenvalues pooled over ${runs.length} run(s), counts on a symlog scale`,
        data,
        field: 'eigenvalue',
        column: 'epoch',
        logCount: true,
        maxbins: 40,
      }),
    );
  }
}

/** Assumption 1 per run and over time, entropy variability (paired), final shapes and their sensitivity. */
function obs2Stats(single: Runs, looped: Runs, cfg: HessianConfig) {
  const n = single.length;
  const finalChecks = single.map((s, i) =>
    assumptionCheck(last(s).eigenvalues, last(looped[i]!).eigenvalues, cfg),
  );
  const overTime = single.flatMap((s, i) =>
    s.hessian
      .slice(1)
      .map((h, j) => assumptionCheck(h.eigenvalues, looped[i]!.hessian[j + 1]?.eigenvalues ?? [], cfg)),
  );
  const shapes = { single: single.map((r) => last(r).shape), looped: looped.map((r) => last(r).shape) };
  const singleU = shapes.single.filter((x) => x === 'U').length;
  const loopedV = shapes.looped.filter((x) => x === 'V').length;
  // Entropy variability: paired per run (same language, seed), pooled and per language.
  const langs = [...new Set(single.map((r) => r.language))];
  const entDiff = (lang?: number) => {
    const idx = single.flatMap((r, i) => (lang === undefined || r.language === lang ? [i] : []));
    return pairedCI(
      idx.map((i) => entStd(looped[i]!)),
      idx.map((i) => entStd(single[i]!)),
    );
  };
  const shapeVerdict = (() => {
    const s = majorityVerdict(singleU, n);
    const l = majorityVerdict(loopedV, n);
    if (s === 'n/a' || l === 'n/a') return 'n/a' as const;
    if (s === true && l === true) return true;
    if (s === false && l === false) return false;
    return 'partly' as const;
  })();
  const epsilons = [
    ...new Set([cfg.relativeEpsilon / 10, cfg.relativeEpsilon, Math.min(0.5, cfg.relativeEpsilon * 10)]),
  ];
  const deltas = [...new Set([cfg.delta / 2, cfg.delta, cfg.delta * 4])];
  return {
    finalChecks,
    overTime,
    heldOverTime: overTime.filter((a) => a.dimension && a.dominance).length,
    finalHeld: finalChecks.filter((a) => a.dimension && a.dominance).length,
    sEntStd: entropyStd(single),
    lEntStd: entropyStd(looped),
    shapes,
    singleU,
    loopedV,
    langs,
    entDiff,
    entVerdict: pairedVerdict(
      entDiff(),
      langs.map((l) => entDiff(l)),
    ),
    shapeVerdict,
    sensitivity: shapeSensitivity(
      single.map((r) => last(r).eigenvalues),
      looped.map((r) => last(r).eigenvalues),
      epsilons,
      deltas,
    ),
  };
}

type Obs2Stats = ReturnType<typeof obs2Stats>;

function summaryTableOf(single: Runs, looped: Runs, cfg: HessianConfig): Table {
  const rows = (['single', 'looped'] as const).map((m) => {
    const runs = m === 'single' ? single : looped;
    return [
      NAME[m],
      String(runs[0]!.hessian[0]!.dim),
      num(spread(runs.map((r) => r.hessian[0]!.entropy))),
      num(spread(runs.map((r) => last(r).entropy))),
      num(entropyStd(runs)),
      num(spread(runs.map((r) => last(r).mutualInformation ?? NaN))),
      num(spread(runs.map((r) => last(r).riverDim)), 1),
      num(spread(runs.map((r) => last(r).conditionNumber)), 1),
      `${runs.filter((r) => last(r).shape === 'U').length} U / ${runs.filter((r) => last(r).shape === 'V').length} V`,
      num(spread(runs.map((r) => last(r).lowCurvatureValleyCount)), 1),
    ];
  });
  return {
    title:
      'Observation 2: Hessian summary (full Hessian of the training loss; mean ± std over seeds with Hessians)',
    columns: [
      'model',
      'params',
      'entropy @0',
      'entropy final',
      'entropy std over time',
      'MI final',
      'river dim final',
      'valley κ final',
      'valley shape final',
      'low-curv. valley eigs final',
    ],
    rows,
    note: `River: λ < ${cfg.relativeEpsilon} × spectral radius (per model); U iff κ ≤ ${1 + cfg.delta}; low-curvature: below 0.1 × the valley maximum. Entropy uses p_i = |λ_i| / Σ|λ_j|; MI is the matrix-based Rényi (α = 1) mutual information of the unit-diagonal-normalised |H| of consecutive snapshots.`,
  };
}

function assumptionTableOf(finalChecks: Obs2Stats['finalChecks'], single: Runs, cfg: HessianConfig): Table {
  return {
    title: 'Assumption 1 at the final epoch (thresholds shared by both models)',
    columns: [
      'language / seed',
      'ε',
      'τ',
      'valley dim S / L',
      'k_S (low-curv.)',
      'k_L (low-curv.)',
      '(a) k_L > k_S',
      '(b) sorted λ_L ≤ λ_S',
      'κ S / L',
    ],
    rows: finalChecks.map((a, i) => [
      `${single[i]!.language} / ${single[i]!.seed}`,
      a.epsilon.toExponential(2),
      a.tau.toExponential(2),
      `${a.valleyDimSingle} / ${a.valleyDimLooped}`,
      a.kSingle,
      a.kLooped,
      a.dimension ? 'yes' : 'no',
      a.dominance ? 'yes' : 'no',
      `${a.kappaSingle.toFixed(1)} / ${a.kappaLooped.toFixed(1)}`,
    ]),
    note: `ε = ${cfg.relativeEpsilon} × the larger spectral radius of the two models; valley = eigenvalues ≥ ε; τ = ${cfg.lowCurvature} × the larger valley maximum; (b) compares the k_L smallest valley eigenvalues rank by rank.`,
  };
}

function sensitivityTableOf(sensitivity: Obs2Stats['sensitivity']): Table {
  return {
    title:
      'Final valley shapes under other thresholds (share of runs: Single-Attn U / Looped-Attn V, the conjecture)',
    columns: ['ε (× spectral radius)', 'δ (U iff κ ≤ 1 + δ)', 'Single U', 'Looped V', 'rule says'],
    rows: sensitivity.map((x) => {
      const s = majorityVerdict(x.singleU, x.n);
      const l = majorityVerdict(x.loopedV, x.n);
      return [
        String(x.relativeEpsilon),
        String(x.delta),
        `${x.singleU}/${x.n}`,
        `${x.loopedV}/${x.n}`,
        s === true && l === true ? 'held' : s === false && l === false ? 'did not hold' : 'partly',
      ];
    }),
    note: 'Recomputed from the recorded final eigenvalues; the verdict above uses the configured ε and δ.',
  };
}

function obs2Verdicts(single: Runs, looped: Runs, cfg: HessianConfig, st: Obs2Stats): ReportBlock[] {
  const n = single.length;
  const { entDiff, langs, singleU, loopedV, finalHeld, finalChecks, heldOverTime, overTime } = st;
  return [
    {
      kind: 'verdict',
      claim:
        "Single-Attn's Hessian landscape is static while Looped-Attn's keeps changing (entropy varies more over training)",
      held: st.entVerdict,
      evidence: `std of the entropy over snapshots after epoch 0, Looped − Single (paired over ${n} runs): pooled ${fmtCI(entDiff(), 'num', 3)}; ${langs.map((l) => `language ${l}: ${fmtCI(entDiff(l), 'num', 3)}`).join('; ')} (Looped ${num(st.lEntStd)} vs Single ${num(st.sEntStd)})`,
    },
    {
      kind: 'verdict',
      claim: 'Single-Attn ends in a U-shaped valley and Looped-Attn in a V-shaped one (Conjectures 1-2)',
      held: st.shapeVerdict,
      evidence: `Single U in ${singleU}/${n} runs (Wilson 95% ${pctW(wilson(singleU, n))}), Looped V in ${loopedV}/${n} (${pctW(wilson(loopedV, n))}); κ Single ${num(spread(single.map((r) => last(r).conditionNumber)), 1)}, Looped ${num(spread(looped.map((r) => last(r).conditionNumber)), 1)}; ε = ${cfg.relativeEpsilon} × radius, U iff κ ≤ ${1 + cfg.delta}; rule: held when both shares' Wilson lower bounds exceed 1/2 (other ε, δ in the table above)`,
    },
    {
      kind: 'verdict',
      claim:
        'Assumption 1 (more and smaller low-curvature valley eigenvalues for Looped-Attn) holds at the final epoch',
      held: majorityVerdict(finalHeld, finalChecks.length),
      evidence: `held in ${finalHeld}/${finalChecks.length} run(s) at the end (Wilson 95% ${pctW(wilson(finalHeld, finalChecks.length))}), and at ${heldOverTime}/${overTime.length} (run, snapshot) pairs over training; rule: held when the Wilson lower bound exceeds 1/2`,
    },
  ];
}
