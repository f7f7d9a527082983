import { shiftCriterion } from '@loop/shift';
import { barChart, lineChart, lossChart, type Datum } from '../../charts/specs';
import type { ExperimentContext } from '../../experiment';
import type { ReportBlock, ReportSection } from '../../report/types';
import { num, pct, spread } from '../../stats';
import { fmtCI, meanCI, pairedCI } from '../../verdict-rules';
import type { Table } from '../../summary-table';
import type { DataConfig, ModelConfig, ShiftConfig, TrainConfig } from './config';
import { replicateKey, type CoreRuns } from './core';
import { markovData } from './data';
import { trainRun, type EpochPoint, type TrainRunResult } from './train-run';

/** Replays SCP on a Single-Attn run's evaluations (what the online criterion would see). */
export function scpOnRun(
  run: TrainRunResult,
  criterion: ShiftConfig['criterion'],
): { plateauEpoch: number | null; shiftEpoch: number | null } {
  const c = shiftCriterion(criterion);
  for (const e of run.epochs) {
    if (e.epoch === 0) continue;
    const d = c.update({ step: e.epoch, valLoss: e.valLoss, gradNorm: e.gradNorm });
    if (d.shift) return { plateauEpoch: d.plateauStep ?? null, shiftEpoch: d.shiftStep ?? e.epoch };
  }
  const s = c.state();
  return { plateauEpoch: s.plateauStep, shiftEpoch: null };
}

interface SweepPoint {
  language: number;
  seed: number;
  role: string;
  shiftEpoch: number | null;
  trainS: number;
  flops: number;
  acc: number;
  accHigh: number;
  valAcc: number;
  /** Training time until training accuracy first came within 1 point of pure Looped-Attn's final. */
  timeToLoopedS: number | null;
}

function point(run: TrainRunResult, role: string, shiftEpoch: number | null, target: number): SweepPoint {
  const reach = run.epochs.find((e) => e.epoch > 0 && e.acc >= target - 0.01);
  return {
    language: run.language,
    seed: run.seed,
    role,
    shiftEpoch,
    trainS: run.trainMs / 1000,
    flops: run.flops,
    acc: run.final.acc,
    accHigh: run.final.accHigh,
    valAcc: run.final.valAcc,
    timeToLoopedS: reach ? reach.trainMs / 1000 : null,
  };
}

type ShiftCfg = { data: DataConfig; model: ModelConfig; train: TrainConfig; shift: ShiftConfig };
type ScpPoint = { language: number; seed: number; plateauEpoch: number | null; shiftEpoch: number | null };
type Aggregate = ReturnType<typeof aggregate>[number];

export async function shiftStudy(
  ctx: ExperimentContext<unknown>,
  core: CoreRuns,
  cfg: ShiftCfg,
): Promise<{ sections: ReportSection[]; summary: Table; results: object }> {
  const { points, scp, firstScpRun } = await runSweep(ctx, core, cfg);
  await curveFigures(ctx, core, scp[0]!, firstScpRun);
  const agg = aggregate(points);
  await sweepFigures(ctx, agg);
  const stats = sweepStats(core, points, scp, agg, cfg.train.epochs);
  return {
    sections: [
      {
        title: 'SCP and SHIFT on the Markov language',
        blocks: [
          {
            kind: 'figure',
            name: 'shift-loss',
            caption:
              "Training (solid) and validation (dashed) loss of Single-Attn, Looped-Attn and SHIFT switching at SCP's point (first language and seed); green: the switch.",
          },
          {
            kind: 'figure',
            name: 'shift-val-loss',
            caption: 'Single-Attn validation loss with the plateau point and the SCP shift point.',
          },
          {
            kind: 'figure',
            name: 'shift-grad-norm',
            caption: 'Single-Attn gradient norm (mean over each epoch) with the same points.',
          },
          { kind: 'table', table: scpTableOf(scp, cfg) },
          { kind: 'table', table: sweepTableOf(agg, stats.looped, cfg.train.epochs, core.seeds.length) },
          {
            kind: 'figure',
            name: 'shift-efficiency',
            caption: 'Training time by shift point (the paper: shift efficiency).',
          },
          {
            kind: 'figure',
            name: 'shift-performance',
            caption: 'Final accuracy by shift point (the paper: shift performance).',
          },
          shiftVerdict(stats, scp),
        ],
      },
    ],
    summary: {
      title: 'SHIFT sweep',
      columns: ['schedule', 'train time (s)', 'final acc', 'high-IC acc'],
      rows: agg.map((a) => [a.role, num(a.trainS, 2), pct(a.acc), pct(a.accHigh)]),
    },
    results: {
      scp,
      points,
      speedupAtScp: stats.speedup,
      speedupAtScpCI: stats.speedupCI,
      accDiffAtScp: stats.accDiff,
      highDiffAtScp: stats.highDiff,
      modelledSpeedupAtScp: stats.modelled,
      flopSpeedupAtScp: stats.flopSpeedup,
    },
  };
}

/**
 * Per run: SCP replayed on Single-Attn, then SHIFT trained switching at epoch 1, at SCP's point and
 * at the later fractions of the remaining epochs (each a resumable unit).
 */
async function runSweep(
  ctx: ExperimentContext<unknown>,
  core: CoreRuns,
  cfg: ShiftCfg,
): Promise<{ points: SweepPoint[]; scp: ScpPoint[]; firstScpRun: TrainRunResult | null }> {
  const E = cfg.train.epochs;
  const points: SweepPoint[] = [];
  const scp: ScpPoint[] = [];
  let firstScpRun: TrainRunResult | null = null;
  for (const [i, rep] of core.seeds.entries()) {
    const { seed, language } = rep;
    const single = core.single[i]!;
    const looped = core.looped[i]!;
    const s = scpOnRun(single, cfg.shift.criterion);
    scp.push({ language, seed, ...s });
    const target = looped.final.acc;
    points.push(
      point(single, 'Single-Attn only', null, target),
      point(looped, 'Looped-Attn only', 0, target),
    );
    const shiftAt: [string, number][] = [['immediate (epoch 1)', 1]];
    if (s.shiftEpoch !== null) {
      shiftAt.push(['SCP', s.shiftEpoch]);
      cfg.shift.laterFractions.forEach((f, k) =>
        shiftAt.push([`later ${k + 1}`, Math.round(s.shiftEpoch! + f * (E - s.shiftEpoch!))]),
      );
    }
    const data = markovData(cfg.data, language, seed);
    for (const [role, epoch] of shiftAt) {
      if (epoch >= E) continue;
      const run = await ctx.unit(`shift-${replicateKey(rep)}-at${epoch}`, () =>
        trainRun(ctx, {
          label: `shift@${epoch}/lang${language}`,
          seed,
          language,
          data,
          dataCfg: cfg.data,
          model: cfg.model,
          train: cfg.train,
          schedule: { kind: 'shift-at', epoch },
        }),
      );
      points.push(point(run, role, epoch, target));
      if (i === 0 && role === 'SCP') firstScpRun = run;
    }
  }
  return { points, scp, firstScpRun };
}

/** Loss curves of the first run (with SHIFT at SCP's point) and Single-Attn's validation loss and gradient norm. */
async function curveFigures(
  ctx: ExperimentContext<unknown>,
  core: CoreRuns,
  scp0: ScpPoint,
  firstScpRun: TrainRunResult | null,
): Promise<void> {
  const s0 = core.single[0]!;
  const marks = [
    ...(scp0.plateauEpoch !== null
      ? [{ x: scp0.plateauEpoch, label: `plateau (epoch ${scp0.plateauEpoch})`, color: '#d62728' }]
      : []),
    ...(scp0.shiftEpoch !== null
      ? [{ x: scp0.shiftEpoch, label: `SCP shift (epoch ${scp0.shiftEpoch})`, color: '#2ca02c' }]
      : []),
  ];
  const ep = s0.epochs.filter((e) => e.epoch > 0);
  const lossRuns: [string, TrainRunResult][] = [
    ['Single-Attn', s0],
    ['Looped-Attn', core.looped[0]!],
    ...(firstScpRun ? [['SHIFT (SCP)', firstScpRun] as [string, TrainRunResult]] : []),
  ];
  await ctx.figure(
    'shift-loss',
    lossChart({
      title: `Training and validation loss (language ${s0.language}, seed ${s0.seed})`,
      data: lossRuns.flatMap(([model, run]) =>
        run.epochs.flatMap((e) => [
          { epoch: e.epoch, loss: e.trainLoss, model, split: 'train' },
          { epoch: e.epoch, loss: e.valLoss, model, split: 'validation' },
        ]),
      ),
      x: 'epoch',
      xTitle: 'epoch',
      marks: marks.filter((m) => m.label.startsWith('SCP')),
    }),
  );
  const single = (name: string, title: string, yTitle: string, value: (e: EpochPoint) => number) =>
    ctx.figure(
      name,
      lineChart({
        title: `${title} (language ${s0.language}, seed ${s0.seed})`,
        data: ep.map((e) => ({ epoch: e.epoch, value: value(e) })),
        x: 'epoch',
        y: 'value',
        yTitle,
        marks,
      }),
    );
  await single('shift-val-loss', 'Single-Attn validation loss', 'validation loss', (e) => e.valLoss);
  await single(
    'shift-grad-norm',
    'Single-Attn gradient norm, mean per epoch',
    'gradient norm',
    (e) => e.gradNorm,
  );
}

/** Mean ± std over runs of each schedule (role). */
function aggregate(points: readonly SweepPoint[]) {
  const roles = [...new Set(points.map((p) => p.role))];
  return roles.map((role) => {
    const ps = points.filter((p) => p.role === role);
    return {
      role,
      n: ps.length,
      shiftEpoch: spread(ps.map((p) => p.shiftEpoch ?? NaN)),
      trainS: spread(ps.map((p) => p.trainS)),
      flops: spread(ps.map((p) => p.flops)),
      acc: spread(ps.map((p) => p.acc)),
      accHigh: spread(ps.map((p) => p.accHigh)),
      valAcc: spread(ps.map((p) => p.valAcc)),
      reached: ps.filter((p) => p.timeToLoopedS !== null).length,
      timeTo: spread(ps.map((p) => p.timeToLoopedS ?? NaN)),
    };
  });
}

/** Training time and final accuracy by shift point (the paper's efficiency and performance figures). */
async function sweepFigures(ctx: ExperimentContext<unknown>, agg: readonly Aggregate[]): Promise<void> {
  const bars: Datum[] = agg.map((a) => ({
    schedule: a.role,
    time: a.trainS.mean,
    lo: a.trainS.mean - a.trainS.std,
    hi: a.trainS.mean + a.trainS.std,
  }));
  await ctx.figure(
    'shift-efficiency',
    barChart({
      title: 'Total training time by shift point (same number of epochs)',
      data: bars,
      x: 'schedule',
      y: 'time',
      yTitle: 'training wall time (s)',
      error: { lower: 'lo', upper: 'hi' },
    }),
  );
  const accBars: Datum[] = agg.flatMap((a) => [
    { schedule: a.role, metric: 'all', acc: a.acc.mean },
    { schedule: a.role, metric: 'high-IC', acc: a.accHigh.mean },
  ]);
  await ctx.figure(
    'shift-performance',
    barChart({
      title: 'Final training accuracy by shift point',
      data: accBars,
      x: 'schedule',
      y: 'acc',
      yTitle: 'accuracy',
      color: 'metric',
      xOffset: 'metric',
    }),
  );
}

/** SHIFT at SCP against pure Looped-Attn: measured speedup per run, paired accuracy differences, modelled and FLOP ratios. */
function sweepStats(
  core: CoreRuns,
  points: readonly SweepPoint[],
  scp: readonly ScpPoint[],
  agg: readonly Aggregate[],
  E: number,
) {
  const looped = agg.find((a) => a.role === 'Looped-Attn only')!;
  const atScp = agg.find((a) => a.role === 'SCP');
  const pairOf = (r: { language: number; seed: number }, role: string) =>
    points.find((p) => p.language === r.language && p.seed === r.seed && p.role === role);
  const perSeedSpeedup = core.seeds
    .map((r) => {
      const l = pairOf(r, 'Looped-Attn only');
      const s = pairOf(r, 'SCP');
      return l && s ? l.trainS / s.trainS : NaN;
    })
    .filter(Number.isFinite);
  // Final accuracy of SHIFT at SCP vs pure Looped-Attn, paired per run.
  const scpRuns = core.seeds.filter((r) => pairOf(r, 'SCP'));
  const paired = (f: (p: SweepPoint) => number) =>
    pairedCI(
      scpRuns.map((r) => f(pairOf(r, 'SCP')!)),
      scpRuns.map((r) => f(pairOf(r, 'Looped-Attn only')!)),
    );
  // Wall times on a shared machine are noisy: also model each schedule's time from the median epoch
  // time of the pure runs of the same seed (shift at e: e Single epochs + (E - e) Looped epochs).
  const medianEpochMs = (r: TrainRunResult): number => {
    const d = r.epochs
      .slice(1)
      .map((e, i) => e.trainMs - r.epochs[i]!.trainMs)
      .filter((x) => x > 0)
      .sort((a, b) => a - b);
    return d.length ? d[Math.floor(d.length / 2)]! : NaN;
  };
  const modelled = spread(
    scp
      .map((s, i) => {
        if (s.shiftEpoch === null) return NaN;
        const tS = medianEpochMs(core.single[i]!);
        const tL = medianEpochMs(core.looped[i]!);
        return (E * tL) / (s.shiftEpoch * tS + (E - s.shiftEpoch) * tL);
      })
      .filter(Number.isFinite),
  );
  return {
    looped,
    atScp,
    speedup: spread(perSeedSpeedup),
    speedupCI: meanCI(perSeedSpeedup),
    accDiff: paired((p) => p.acc),
    highDiff: paired((p) => p.accHigh),
    modelled,
    flopSpeedup: atScp ? looped.flops.mean / atScp.flops.mean : NaN,
  };
}

function sweepTableOf(agg: readonly Aggregate[], looped: Aggregate, E: number, runs: number): Table {
  return {
    title: `SHIFT sweep: ${E} epochs in total, shift points per run (mean ± std over ${runs} run(s))`,
    columns: [
      'schedule',
      'shift epoch',
      'train time (s)',
      'FLOPs (rel. to Looped)',
      'final acc',
      'final high-IC acc',
      'final val acc',
      'reached Looped acc −1pt',
      'time to reach (s)',
    ],
    rows: agg.map((a) => [
      a.role,
      a.role.startsWith('Single') ? '–' : num(a.shiftEpoch, 1),
      num(a.trainS, 2),
      (a.flops.mean / looped.flops.mean).toFixed(2),
      pct(a.acc),
      pct(a.accHigh),
      pct(a.valAcc),
      `${a.reached}/${a.n}`,
      num(a.timeTo, 2),
    ]),
    note: 'Train time excludes evaluations (engine timer, measured). FLOPs are the engine estimate. The SCP shift epoch is replayed from the Single-Attn run (the online criterion sees the same validation losses and gradient norms).',
  };
}

function scpTableOf(scp: readonly ScpPoint[], cfg: ShiftCfg): Table {
  const c = cfg.shift.criterion;
  return {
    title: 'SCP on Single-Attn per run',
    columns: ['language', 'seed', 'plateau epoch', 'shift epoch'],
    rows: scp.map((s) => [s.language, s.seed, s.plateauEpoch ?? 'none', s.shiftEpoch ?? 'did not fire']),
    note: `plateauDelta ${c.plateauDelta}, plateauPatience ${c.plateauPatience}, gradDelta ${c.gradDelta}, gradPatience ${c.gradPatience}${c.maxWait ? `, maxWait ${c.maxWait}` : ''} (evaluations are per epoch).`,
  };
}

/**
 * Rule: SHIFT is faster when the measured speedup's 95% interval is above 1, and loses no accuracy
 * when the paired accuracy difference's interval stays above -1 pt.
 */
function shiftVerdict(stats: ReturnType<typeof sweepStats>, scp: readonly ScpPoint[]): ReportBlock {
  const { atScp, speedupCI, accDiff, highDiff, modelled, flopSpeedup } = stats;
  const faster = speedupCI.n >= 3 && speedupCI.lower > 1;
  const slower = speedupCI.n >= 3 && speedupCI.upper < 1;
  const keeps = accDiff.n >= 3 && accDiff.lower >= -0.01;
  const loses = accDiff.n >= 3 && accDiff.upper < -0.01;
  const fired = scp.filter((x) => x.shiftEpoch !== null).length;
  return {
    kind: 'verdict',
    claim:
      'SHIFT at the SCP point is faster than pure Looped-Attn without losing final accuracy (the paper reports a speedup on Markov; its value did not survive in our copy of the text)',
    held: !atScp || speedupCI.n < 3 ? 'n/a' : faster && keeps ? true : slower || loses ? false : 'partly',
    evidence: atScp
      ? `SCP fired in ${fired}/${scp.length} runs; measured training-time speedup ${fmtCI(speedupCI, 'num', 2)}x (95% interval over runs); final accuracy SHIFT − Looped (paired) ${fmtCI(accDiff, 'pt')}, high-IC ${fmtCI(highDiff, 'pt')}; FLOPs ${flopSpeedup.toFixed(2)}x fewer (engine estimate); modelled from median epoch times (not measured) ${num(modelled, 2)}x. Rule: held when the measured speedup's interval is above 1 and the accuracy difference's above −1 pt.`
      : 'SCP did not fire within the epochs of this profile',
  };
}
