// The sweep's numbers: mean ± std per schedule, and SHIFT at SCP against pure Looped-Attn (measured
// and modelled speedup, paired accuracy differences, FLOP ratio).

import { spread } from '../../../stats';
import { meanCI, pairedCI } from '../../../verdict-rules';
import type { CoreRuns } from '../core';
import type { TrainRunResult } from '../train-run';
import type { ScpPoint, SweepPoint } from './sweep';

export type Aggregate = ReturnType<typeof aggregate>[number];
export type SweepStats = ReturnType<typeof sweepStats>;

/** Mean ± std over runs of each schedule (role). */
export function aggregate(points: readonly SweepPoint[]) {
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

/** Median training time of one epoch of a run (ms; NaN without two evaluations apart in time). */
function medianEpochMs(r: TrainRunResult): number {
  const d = r.epochs
    .slice(1)
    .map((e, i) => e.trainMs - r.epochs[i]!.trainMs)
    .filter((x) => x > 0)
    .sort((a, b) => a - b);
  return d.length ? d[Math.floor(d.length / 2)]! : NaN;
}

/** SHIFT at SCP against pure Looped-Attn: measured speedup per run, paired accuracy differences, modelled and FLOP ratios. */
export function sweepStats(
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
