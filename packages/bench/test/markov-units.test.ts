import { groupCeiling } from '../src/experiments/markov/data';
import { assumptionOne, syntheticSpectra } from '../src/experiments/markov/theory-sim';
import { assumptionCheck } from '../src/experiments/markov/obs2';

describe('Markov study helpers', () => {
  test('groupCeiling: per prefix, the most frequent last token (hand-counted)', () => {
    const sequences = [
      [0, 1, 2, 0],
      [0, 1, 2, 0],
      [0, 1, 2, 1],
      [1, 1, 1, 2],
      [1, 1, 1, 0],
      [2, 2, 2, 2],
    ];
    // prefix 012: {0: 2, 1: 1} -> 2; prefix 111: {2: 1, 0: 1} -> 1; prefix 222: 1. Total 4 of 6.
    expect(groupCeiling({ sequences }, [0, 1, 2, 3, 4, 5])).toBeCloseTo(4 / 6, 12);
    // Only the examples with last token 1 or 2: every prefix has one token -> 1.
    expect(groupCeiling({ sequences }, [2, 3, 5])).toBe(1);
    expect(groupCeiling({ sequences }, [])).toBeNaN();
  });

  test('assumptionOne: dimension and dominance on hand-made spectra', () => {
    expect(assumptionOne([0.5, 0.6, 0.9], [0.01, 0.05, 0.9], 0.1)).toEqual({
      kSingle: 0,
      kLooped: 2,
      dimension: true,
      dominance: true,
      compared: 2,
    });
    // More low-curvature values but not smaller rank by rank: dominance fails.
    expect(assumptionOne([0.02, 0.5], [0.03, 0.05], 0.1)).toMatchObject({
      kSingle: 1,
      kLooped: 2,
      dimension: true,
      dominance: false,
    });
    expect(assumptionOne([0.01, 0.02], [0.5, 0.6], 0.1)).toMatchObject({
      kSingle: 2,
      kLooped: 0,
      dimension: false,
      dominance: false,
    });
  });

  test('synthetic spectra satisfy Assumption 1 by construction and have the intended condition numbers', () => {
    const { u, v } = syntheticSpectra(10, 0.5, 0.01);
    expect(Math.max(...u) / Math.min(...u)).toBeCloseTo(2, 12);
    expect(Math.max(...v) / Math.min(...v)).toBeCloseTo(100, 9);
    const a = assumptionOne(u, v, 0.1);
    expect(a.dimension && a.dominance).toBe(true);
  });

  test('assumptionCheck uses thresholds shared by both models', () => {
    // radius 10 -> epsilon 0.1: valley S = {1, 10}, valley L = {0.2, 0.5, 10}; tau = 0.1 * 10 = 1.
    const a = assumptionCheck([-0.5, 0.05, 1, 10], [0.01, 0.2, 0.5, 10], {
      relativeEpsilon: 0.01,
      lowCurvature: 0.1,
    });
    expect(a.epsilon).toBeCloseTo(0.1, 12);
    expect(a.tau).toBeCloseTo(1, 12);
    expect(a.valleyDimSingle).toBe(2);
    expect(a.valleyDimLooped).toBe(3);
    expect(a.kSingle).toBe(0); // 1 is not below tau = 1
    expect(a.kLooped).toBe(2);
    expect(a.dimension).toBe(true);
  });
});
