import { createRng } from '@loop/tasks';
import { firstReach, lateRise, stallEpoch, budgetsOf } from '../src/experiments/markov/obs1';
import type { EpochPoint, TrainRunResult } from '../src/experiments/markov/train-run';
import {
  compare,
  majorityVerdict,
  marginVerdict,
  meanCI,
  pairedCI,
  pairedVerdict,
  tQuantile975,
  wilson,
} from '../src/verdict-rules';

describe('95% intervals', () => {
  it('t quantiles: the table, and the expansion beyond 30 against published values', () => {
    expect(tQuantile975(1)).toBeCloseTo(12.706, 3);
    expect(tQuantile975(9)).toBeCloseTo(2.262, 3);
    expect(tQuantile975(29)).toBeCloseTo(2.045, 3);
    // Published two-sided 95% values: df 40 -> 2.021, 60 -> 2.000, 120 -> 1.980.
    expect(Math.abs(tQuantile975(40) - 2.021)).toBeLessThan(1e-3);
    expect(Math.abs(tQuantile975(60) - 2.0)).toBeLessThan(1e-3);
    expect(Math.abs(tQuantile975(120) - 1.98)).toBeLessThan(1e-3);
    expect(tQuantile975(0)).toBeNaN();
  });

  it('mean interval of 1..5: 3 ± t(4) * sd / sqrt(5)', () => {
    const c = meanCI([1, 2, 3, 4, 5]);
    const half = (2.776 * Math.sqrt(2.5)) / Math.sqrt(5);
    expect(c.mean).toBe(3);
    expect(c.lower).toBeCloseTo(3 - half, 6);
    expect(c.upper).toBeCloseTo(3 + half, 6);
    expect(meanCI([7]).lower).toBeNaN();
    expect(meanCI([NaN, 1, 3]).n).toBe(2);
  });

  it('covers the true mean about 95% of the time (2,000 simulated samples of 10 normals)', () => {
    const rng = createRng(42);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    let covered = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      const c = meanCI(Array.from({ length: 10 }, () => 5 + 2 * normal()));
      if (c.lower <= 5 && 5 <= c.upper) covered++;
    }
    // Binomial sd at p = 0.95 over 2,000 trials is 0.49 pt: 0.93-0.97 is 4 sd either way.
    expect(covered / trials).toBeGreaterThan(0.93);
    expect(covered / trials).toBeLessThan(0.97);
  });

  it('paired differences drop incomplete pairs', () => {
    const c = pairedCI([1, 2, NaN, 4], [0, 1, 5, 3]);
    expect(c.n).toBe(3);
    expect(c.mean).toBe(1);
    expect(c.lower).toBe(1); // zero spread
  });

  it('Wilson interval of 8/10 is [0.490, 0.943] (published value)', () => {
    const w = wilson(8, 10);
    expect(w.lower).toBeCloseTo(0.4902, 3);
    expect(w.upper).toBeCloseTo(0.9433, 3);
    expect(wilson(0, 5).lower).toBe(0);
  });
});

describe('verdict rules on constructed inputs', () => {
  const win = meanCI([0.05, 0.06, 0.04, 0.05, 0.07]);
  const loss = meanCI([-0.05, -0.06, -0.04, -0.05, -0.07]);
  const overlap = meanCI([0.05, -0.06, 0.04, -0.05, 0.01]);
  it('compare: ahead, behind, unresolved, and never a verdict from fewer than 3 runs', () => {
    expect(compare(win)).toBe('ahead');
    expect(compare(loss)).toBe('behind');
    expect(compare(overlap)).toBe('unresolved');
    expect(compare(meanCI([0.5, 0.6]))).toBe('insufficient');
  });
  it('paired verdict: clear win, clear loss, overlap, a language behind, too few runs', () => {
    expect(pairedVerdict(win, [win, win, win])).toBe(true);
    expect(pairedVerdict(loss, [loss, loss, loss])).toBe(false);
    expect(pairedVerdict(overlap, [overlap, overlap, overlap])).toBe(false);
    expect(pairedVerdict(overlap, [win, overlap, overlap])).toBe('partly');
    expect(pairedVerdict(win, [win, loss, win])).toBe('partly');
    expect(pairedVerdict(meanCI([1, 2]), [])).toBe('n/a');
  });
  it('majority verdict uses the Wilson bound: 10/10 held, 6/10 partly, 0/10 not, 2/2 too few', () => {
    expect(majorityVerdict(10, 10)).toBe(true);
    expect(majorityVerdict(6, 10)).toBe('partly');
    expect(majorityVerdict(0, 10)).toBe(false);
    expect(majorityVerdict(2, 2)).toBe('n/a');
  });
});

describe('Observation 1 measurements on constructed curves', () => {
  const run = (high: number[], low: number[] = high): TrainRunResult => {
    const epochs = high.map(
      (h, i) => ({ epoch: i * 10, accHigh: h, accLow: low[i]!, acc: (h + low[i]!) / 2 }) as EpochPoint,
    );
    return { epochs, final: epochs[epochs.length - 1]! } as TrainRunResult;
  };
  it('first reach: the first epoch within 1 pt of the target; null when never', () => {
    expect(firstReach(run([0.2, 0.5, 0.995, 1]), 'accHigh', 1)).toBe(20);
    expect(firstReach(run([0.2, 0.5, 0.9]), 'accHigh', 1)).toBeNull();
  });
  it('stall: the first epoch after which the run never gains more than 1 pt', () => {
    expect(stallEpoch(run([0.1, 0.3, 0.39, 0.405, 0.41, 0.402]), 'accHigh')).toBe(30);
    expect(stallEpoch(run([0.1, 0.3, 0.3, 0.3, 0.5]), 'accHigh')).toBe(40);
  });
  it("late rise: Looped's gain after Single's stall, against Single's own", () => {
    const r = lateRise(run([0.1, 0.4, 0.4, 0.4, 0.4]), run([0.1, 0.4, 0.4, 0.5, 0.6]));
    expect(r.stall).toBe(10);
    expect(r.single).toBeCloseTo(0, 10);
    expect(r.looped).toBeCloseTo(0.2, 10);
  });
  it('budgets: 400 epochs -> 50, 100, 200, 400', () => {
    expect(budgetsOf(400)).toEqual([50, 100, 200, 400]);
    expect(budgetsOf(4)).toEqual([1, 2, 4]);
  });
});

describe('marginVerdict', () => {
  // Intervals by hand: mean ± t(0.975, n-1) * sd / sqrt(n).
  it('clear win: the whole interval above the margin', () => {
    expect(marginVerdict(meanCI([0.3, 0.32, 0.31]), 0.05)).toBe(true);
  });
  it('clear loss: the whole interval below the margin', () => {
    expect(marginVerdict(meanCI([-0.1, -0.12, -0.08]), 0.05)).toBe(false);
    // Ahead, but confidently by less than the margin: still not the claim.
    expect(marginVerdict(meanCI([0.01, 0.02, 0.015]), 0.05)).toBe(false);
  });
  it('overlap: the interval contains the margin', () => {
    // mean 0.1, sd 0.1, n 3: half-width 4.303 * 0.1 / sqrt(3) = 0.248.
    const ci = meanCI([0, 0.1, 0.2]);
    expect(ci.upper - ci.mean).toBeCloseTo((4.303 * 0.1) / Math.sqrt(3), 4);
    expect(marginVerdict(ci, 0.05)).toBe('partly');
  });
  it('fewer than 3 seeds: never a verdict', () => {
    expect(marginVerdict(meanCI([0.9, 0.95]), 0.05)).toBe('n/a');
    expect(marginVerdict(meanCI([0.9]), 0.05)).toBe('n/a');
  });
  it('negative margins decide "at most this much lower"', () => {
    expect(marginVerdict(meanCI([-0.01, 0.0, 0.01]), -0.05)).toBe(true);
    expect(marginVerdict(meanCI([-0.3, -0.25, -0.35]), -0.05)).toBe(false);
  });
});
