// Observation 2's three claims as verdict blocks: entropy variability, the valley shapes and Assumption 1.

import type { ReportBlock } from '../../../report/types';
import { num, spread } from '../../../stats';
import { fmtCI, majorityVerdict, wilson } from '../../../verdict-rules';
import type { HessianConfig } from '../config';
import { last, type Runs } from './measures';
import type { Obs2Stats } from './stats';

function pctW(w: { lower: number; upper: number }): string {
  return `[${(100 * w.lower).toFixed(0)}%, ${(100 * w.upper).toFixed(0)}%]`;
}

export function obs2Verdicts(single: Runs, looped: Runs, cfg: HessianConfig, st: Obs2Stats): ReportBlock[] {
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
