// Observation 1's three claims as verdict blocks: low-IC mastery, the final high-IC gap and the late rise.

import type { ReportBlock } from '../../../report/types';
import { fmtCI, meanCI } from '../../../verdict-rules';
import { GROUPS, REACH_TOLERANCE, STALL_TOLERANCE } from './measures';
import { verdictsOf, type Obs1 } from './setup';

export function obs1Verdicts(o: Obs1): ReportBlock[] {
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
