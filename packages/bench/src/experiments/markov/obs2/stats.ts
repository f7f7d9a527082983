// What Observation 2's tables and verdicts read: Assumption 1 per run and over time, entropy
// variability (paired per run), the final valley shapes and their sensitivity to the thresholds.

import { majorityVerdict, pairedCI, pairedVerdict, type Held } from '../../../verdict-rules';
import type { HessianConfig } from '../config';
import { assumptionCheck, entStd, entropyStd, last, shapeSensitivity, type Runs } from './measures';

/** Conjectures 1-2 need both halves: Single-Attn mostly U and Looped-Attn mostly V. */
function shapeVerdictOf(singleU: number, loopedV: number, n: number): Held {
  const s = majorityVerdict(singleU, n);
  const l = majorityVerdict(loopedV, n);
  if (s === 'n/a' || l === 'n/a') return 'n/a';
  if (s === true && l === true) return true;
  if (s === false && l === false) return false;
  return 'partly';
}

/** The configured ε and δ with one smaller and one larger value each, for the sensitivity table. */
function thresholdGrid(cfg: HessianConfig): { epsilons: number[]; deltas: number[] } {
  return {
    epsilons: [
      ...new Set([cfg.relativeEpsilon / 10, cfg.relativeEpsilon, Math.min(0.5, cfg.relativeEpsilon * 10)]),
    ],
    deltas: [...new Set([cfg.delta / 2, cfg.delta, cfg.delta * 4])],
  };
}

/** Assumption 1 per run and over time, entropy variability (paired), final shapes and their sensitivity. */
export function obs2Stats(single: Runs, looped: Runs, cfg: HessianConfig) {
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
  const { epsilons, deltas } = thresholdGrid(cfg);
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
    shapeVerdict: shapeVerdictOf(singleU, loopedV, n),
    sensitivity: shapeSensitivity(
      single.map((r) => last(r).eigenvalues),
      looped.map((r) => last(r).eigenvalues),
      epsilons,
      deltas,
    ),
  };
}

export type Obs2Stats = ReturnType<typeof obs2Stats>;
