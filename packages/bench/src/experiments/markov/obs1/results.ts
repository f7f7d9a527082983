// Observation 1's entry in results.json: the numbers behind the tables and verdicts, as intervals.

import { meanCI, type Interval } from '../../../verdict-rules';
import { GROUPS } from './measures';
import { highDiffAt, verdictsOf, type Obs1 } from './setup';

const asInterval = (c: Interval) => ({ mean: c.mean, lower: c.lower, upper: c.upper, n: c.n });

export function obs1Results(o: Obs1) {
  const { budgets, all, pick, accAt, reach, finalHigh, perLang, rises, riseCI } = o;
  const diffs = highDiffAt(o);
  const { verdictHigh, verdictRise } = verdictsOf(o);
  return {
    budgets: budgets.map((b, i) => ({
      epoch: b,
      ...Object.fromEntries(
        (['single', 'looped'] as const).map((m) => [
          m,
          Object.fromEntries(
            GROUPS.map((g) => [g.bayes, asInterval(meanCI(pick(m, all, accAt(b, g.field))))]),
          ),
        ]),
      ),
      highDiff: asInterval(diffs[i]!),
    })),
    firstReachBayes: Object.fromEntries(
      (['single', 'looped'] as const).map((m) => [
        m,
        Object.fromEntries(GROUPS.map((g) => [g.bayes, reach(m, g, all)])),
      ]),
    ),
    finalHighDiff: {
      pooled: asInterval(finalHigh(all)),
      perLanguage: perLang.map((p) => ({ language: p.lang, ...asInterval(finalHigh(p.idx)) })),
    },
    lateRise: {
      perRun: rises,
      pooled: asInterval(riseCI(all)),
      perLanguage: perLang.map((p) => ({ language: p.lang, ...asInterval(riseCI(p.idx)) })),
    },
    verdicts: { loopedHigherHighIC: verdictHigh, lateRise: verdictRise },
  };
}
