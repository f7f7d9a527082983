// The algorithmic study's verdicts: one per claim of the paper and task, decided over seeds on 95%
// t intervals with margins fixed before the runs (docs/reproducing.md states them).

import type { ReportBlock } from '../../report/types';
import { fmtCI, marginVerdict, meanCI, pairedCI, type Held, type Interval } from '../../verdict-rules';
import { ratio, seconds } from './format';
import type { Efficiency } from './seed-means';
import type { SeedValues, TaskSummary } from './task-summary';

/** Margins of the algorithmic verdict rules (fixed before the runs; docs/reproducing.md states them). */
export const VERDICT_MARGIN = {
  /** Looped-Attn must beat Single-Attn beyond the training lengths by more than this. */
  generalization: 0.05,
  /** SHIFT "matches" Looped-Attn when it is at most this much lower. */
  shiftMatch: 0.05,
  /** "High training accuracy" for Single-Attn. */
  trainAcc: 0.9,
} as const;

const M = VERDICT_MARGIN;
type Verdict = Extract<ReportBlock, { kind: 'verdict' }>;

const seedCount = (ci: Interval): string => `${ci.n} seed${ci.n === 1 ? '' : 's'}`;
/** The lengths beyond training, e.g. "11..20". */
const beyond = (s: TaskSummary): string => `${s.maxTrainLength + 1}..${s.testLength}`;

/**
 * One verdict per claim of the paper, decided over seeds by `marginVerdict` on 95% t intervals
 * (paired per seed where two methods are compared); fewer than 3 seeds give 'n/a', never a verdict.
 */
export function taskVerdicts(s: TaskSummary, adaptiveRule: string = 'confidence-batch'): ReportBlock[] {
  const { single, looped, shift } = s.seeds;
  const wo = s.seeds['looped-wo'];
  return [
    ...(single && looped ? generalizationVerdicts(s, single, looped, adaptiveRule) : []),
    ...(single ? [trainAccVerdict(s, single)] : []),
    ...(shift && looped && s.efficiency ? shiftVerdicts(s, shift, looped, s.efficiency) : []),
    ...(wo && looped ? [injectionVerdict(s, looped, wo)] : []),
  ];
}

/** Looped-Attn beats Single-Attn beyond the training lengths: with oracle T(n) loops, then adaptive stopping. */
function generalizationVerdicts(
  s: TaskSummary,
  single: SeedValues,
  looped: SeedValues,
  adaptiveRule: string,
): Verdict[] {
  const L = s.testLength;
  return (
    [
      ['oracle', 'oracle T(n) loops'],
      ['adaptive', `adaptive stopping (${adaptiveRule})`],
    ] as const
  ).map(([mode, label]) => {
    const a = mode === 'oracle' ? looped.beyondOracle : looped.beyondAdaptive;
    const at = mode === 'oracle' ? looped.atLongestOracle : looped.atLongestAdaptive;
    const d = pairedCI(a, single.beyondOracle);
    return {
      kind: 'verdict',
      claim: `${s.task}: Looped-Attn with ${label} generalizes beyond the training lengths better than Single-Attn (by > ${100 * M.generalization} points)`,
      held: marginVerdict(d, M.generalization),
      evidence: `paired Looped − Single over lengths ${beyond(s)}: ${fmtCI(d, 'pt')} (${seedCount(d)}); Looped ${fmtCI(meanCI(a))} vs Single ${fmtCI(meanCI(single.beyondOracle))}; at n=${L}: ${fmtCI(meanCI(at))} vs ${fmtCI(meanCI(single.atLongestOracle))}`,
    };
  });
}

function trainAccVerdict(s: TaskSummary, single: SeedValues): Verdict {
  const c = meanCI(single.finalTrainAcc);
  return {
    kind: 'verdict',
    claim: `${s.task}: Single-Attn reaches high training accuracy (≥ ${100 * M.trainAcc}%)`,
    held: marginVerdict(c, M.trainAcc),
    evidence: `final training accuracy ${fmtCI(c)} (${seedCount(c)})`,
  };
}

/** SHIFT matches Looped-Attn's length generalization, and reaches Looped-Attn's final accuracy sooner. */
function shiftVerdicts(s: TaskSummary, shift: SeedValues, looped: SeedValues, e: Efficiency): Verdict[] {
  const d = pairedCI(shift.beyondOracle, looped.beyondOracle);
  const matches: Verdict = {
    kind: 'verdict',
    claim: `${s.task}: SHIFT matches Looped-Attn's length generalization (at most ${100 * M.shiftMatch} points lower)`,
    held: marginVerdict(d, -M.shiftMatch),
    evidence: `paired SHIFT − Looped over lengths ${beyond(s)} (oracle T(n)): ${fmtCI(d, 'pt')} (${seedCount(d)})${e.switchStep === null ? '; SCP did not switch to Looped-Attn on every seed' : `; switch at step ${Math.round(e.switchStep)} on average`}`,
  };
  const times = e.perSeed;
  const reached = times.filter((t) => t.shiftToTargetS !== null).length;
  const dt = pairedCI(
    times.map((t) => t.loopedToTargetS ?? NaN),
    times.map((t) => t.shiftToTargetS ?? NaN),
  );
  // Reaching it on fewer than half the seeds fails the claim outright (n/a under 3 seeds).
  const held: Held = reached * 2 < times.length ? (times.length >= 3 ? false : 'n/a') : marginVerdict(dt, 0);
  const faster: Verdict = {
    kind: 'verdict',
    claim: `${s.task}: SHIFT needs less training time than Looped-Attn to reach Looped-Attn's final validation accuracy (measured wall time)`,
    held,
    evidence: `SHIFT reached it on ${reached} of ${times.length} seeds; paired Looped − SHIFT time to it ${fmtCI(dt, 'num')} s (${seedCount(dt)}); total training time ${seconds(e.shiftTimeS)} vs ${seconds(e.loopedTimeS)} (${ratio(e.totalSpeedup)}). Measured on a shared machine`,
  };
  return [matches, faster];
}

function injectionVerdict(s: TaskSummary, looped: SeedValues, wo: SeedValues): Verdict {
  const d = pairedCI(looped.beyondOracle, wo.beyondOracle);
  return {
    kind: 'verdict',
    claim: `${s.task}: removing input injection hurts length generalization (by > ${100 * M.generalization} points; Fan et al.: addition, binary-sum)`,
    held: marginVerdict(d, M.generalization),
    evidence: `paired Looped − Looped-WO over lengths ${beyond(s)} (oracle T(n)): ${fmtCI(d, 'pt')} (${seedCount(d)})`,
  };
}
