// Observation 2's entry in results.json: the numbers behind the tables and verdicts.

import { majorityVerdict } from '../../../verdict-rules';
import type { Runs } from './measures';
import type { Obs2Stats } from './stats';

export function obs2Results(single: Runs, st: Obs2Stats) {
  return {
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
  };
}
