// Per-run Hessian measurements of Observation 2: which runs have snapshots, their final snapshot,
// entropy variability, Assumption 1 on a pair of spectra and the valley shape under other thresholds.

import { riverValley } from '@loop/hessian';
import { spread } from '../../../stats';
import type { HessianConfig } from '../config';
import { assumptionOne } from '../theory-sim';
import type { TrainRunResult } from '../train-run';

export const NAME = { single: 'Single-Attn', looped: 'Looped-Attn' } as const;

export type Runs = TrainRunResult[];

export function withHessian(runs: readonly TrainRunResult[]): TrainRunResult[] {
  return runs.filter((r) => r.hessian.length > 0);
}

export const last = (r: TrainRunResult) => r.hessian[r.hessian.length - 1]!;
/** Std of the entropy over a run's snapshots after epoch 0: how much its landscape moves. */
export const entStd = (r: TrainRunResult) => spread(r.hessian.slice(1).map((h) => h.entropy)).std;
/** Mean ± std over runs of that variability. */
export const entropyStd = (runs: Runs) => spread(runs.map(entStd));

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
