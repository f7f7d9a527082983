// The SHIFT sweep's runs: SCP replayed on each Single-Attn core run, then SHIFT trained switching at
// epoch 1, at SCP's point and at later points; one sweep point per run and schedule.

import { shiftCriterion } from '@loop/shift';
import type { ExperimentContext } from '../../../experiment';
import type { DataConfig, ModelConfig, ShiftConfig, TrainConfig } from '../config';
import { replicateKey, type CoreRuns } from '../core';
import { markovData } from '../data';
import { trainRun, type TrainRunResult } from '../train-run';

export type ShiftCfg = { data: DataConfig; model: ModelConfig; train: TrainConfig; shift: ShiftConfig };

/** Where SCP, replayed on a run's Single-Attn evaluations, found the plateau and would shift. */
export type ScpPoint = {
  language: number;
  seed: number;
  plateauEpoch: number | null;
  shiftEpoch: number | null;
};

export interface SweepPoint {
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

export interface Sweep {
  points: SweepPoint[];
  scp: ScpPoint[];
  /** The first replicate's SHIFT run at SCP's point (for the loss figure), if SCP fired there. */
  firstScpRun: TrainRunResult | null;
}

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

/**
 * Per run: SCP replayed on Single-Attn, then SHIFT trained switching at epoch 1, at SCP's point and
 * at the later fractions of the remaining epochs (each a resumable unit).
 */
export async function runSweep(
  ctx: ExperimentContext<unknown>,
  core: CoreRuns,
  cfg: ShiftCfg,
): Promise<Sweep> {
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
