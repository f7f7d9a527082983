// Observation 2's tables: the Hessian summary per model, Assumption 1 per run at the final epoch,
// the valley shapes under other thresholds, and the summary-table entry.

import { num, spread } from '../../../stats';
import type { Table } from '../../../summary-table';
import { majorityVerdict } from '../../../verdict-rules';
import type { HessianConfig } from '../config';
import { entropyStd, last, NAME, type Runs } from './measures';
import type { Obs2Stats } from './stats';

export function summaryTableOf(single: Runs, looped: Runs, cfg: HessianConfig): Table {
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

/** The run's summary-table entry: the final-Hessian columns of the summary table above. */
export function obs2SummaryOf(table: Table): Table {
  return {
    title: 'Observation 2 (final Hessian)',
    columns: ['model', 'entropy final', 'MI final', 'valley κ final', 'shape', 'low-curv. eigs'],
    rows: table.rows.map((r) => [r[0], r[3], r[5], r[7], r[8], r[9]]),
  };
}

export function assumptionTableOf(
  finalChecks: Obs2Stats['finalChecks'],
  single: Runs,
  cfg: HessianConfig,
): Table {
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

export function sensitivityTableOf(sensitivity: Obs2Stats['sensitivity']): Table {
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
