// Stopping rules against hand-built logits whose answers and confidences are known per loop.
import * as tf from '@tensorflow/tfjs';
import { fixedPointLoops, initBackend, stoppingLoops } from '../src';

beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
});

/**
 * Logits [B, 1, 2] per loop: sample b at loop t predicts answers[t][b] (0 or 1) with margin
 * margins[t][b] (larger = more confident).
 */
function logits(answers: number[][], margins: number[][]): tf.Tensor3D[] {
  return answers.map((row, t) =>
    tf.tensor3d(
      row.flatMap((a, b) => (a === 0 ? [margins[t]![b]!, 0] : [0, margins[t]![b]!])),
      [row.length, 1, 2],
    ),
  );
}

describe('stopping rules', () => {
  const mask = tf.ones([2, 1]) as tf.Tensor2D;
  // Two samples, five loops. Sample 0: answers 0,1,1,1,1 (settles at loop 2); sample 1: 1,0,1,0,0.
  const answers = [
    [0, 1],
    [1, 0],
    [1, 1],
    [1, 0],
    [1, 0],
  ];
  // Margins: sample 0 is most confident at loop 1, sample 1 at loop 4.
  const margins = [
    [9, 0.5],
    [2, 2],
    [3, 3],
    [0.5, 9],
    [1, 1],
  ];
  // Closed form of the criterion for two classes: -log max softmax = log(1 + e^-margin).
  const cost = (t: number, b: number) => Math.log1p(Math.exp(-margins[t]![b]!));
  const argminLoop = (loops: number, f: (t: number) => number) => {
    let best = 0;
    for (let t = 1; t < loops; t++) if (f(t) < f(best)) best = t;
    return best + 1;
  };
  const batchBest = (loops: number) => argminLoop(loops, (t) => (cost(t, 0) + cost(t, 1)) / 2);
  let per: tf.Tensor3D[];
  beforeAll(() => (per = logits(answers, margins)));
  afterAll(() => per.forEach((x) => x.dispose()));

  it('confidence-batch: one loop count for all samples, the reference maximum', () => {
    expect(batchBest(5)).toBe(3); // the mean favours the loop where both are fairly sure
    expect(stoppingLoops(per, mask, 'confidence-batch')).toEqual([3, 3]);
  });
  it('confidence-sample: each sample its own most confident loop', () => {
    expect([argminLoop(5, (t) => cost(t, 0)), argminLoop(5, (t) => cost(t, 1))]).toEqual([1, 4]);
    expect(stoppingLoops(per, mask, 'confidence-sample')).toEqual([1, 4]);
  });
  it('confidence-trained: only loops 1..trainedLoops compete', () => {
    expect(batchBest(2)).toBe(2);
    expect(stoppingLoops(per, mask, 'confidence-trained', { trainedLoops: 2 })).toEqual([2, 2]);
    expect(() => stoppingLoops(per, mask, 'confidence-trained')).toThrow(/trainedLoops/);
  });
  it('fixed-point: first loop whose answer then holds for `patience` loops, else the last loop', () => {
    // Sample 0 settles at loop 2 (1,1,1,1 after it); sample 1 holds 0 only from loop 4 to 5.
    expect(fixedPointLoops(per, mask, 1)).toEqual([2, 4]);
    expect(fixedPointLoops(per, mask, 3)).toEqual([2, 5]);
    expect(stoppingLoops(per, mask, 'fixed-point', { patience: 2 })).toEqual([2, 5]);
    expect(() => fixedPointLoops(per, mask, 0)).toThrow(/patience/);
  });
  it('fixed-point ignores unmasked positions and leaks no tensors', () => {
    // Position 1 is masked out and flips every loop; position 0 never changes.
    const x = [0, 1, 2].map((t) => tf.tensor3d([5, 0, t % 2 ? 5 : 0, t % 2 ? 0 : 5], [1, 2, 2]));
    const m = tf.tensor2d([[1, 0]]);
    const before = tf.memory().numTensors;
    expect(fixedPointLoops(x, m, 2)).toEqual([1]);
    expect(tf.memory().numTensors).toBe(before);
    [...x, m].forEach((t) => t.dispose());
  });
});
