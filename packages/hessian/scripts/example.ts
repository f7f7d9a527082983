/**
 * A complete tour on a tiny softmax-attention model. From packages/hessian:
 *   npx tsx --conditions=@loop/source scripts/example.ts
 */
import * as tf from '@tensorflow/tfjs';
import {
  HessianTracker,
  eigSym,
  enableSecondOrderGradients,
  finiteDifferenceHvp,
  fullHessian,
  hutchinsonTrace,
  hvp,
  matrixEntropy,
  modelHvp,
  riverValley,
  simulateRiverValley,
  spectralDensity,
  topEigenvalues,
} from '../src'; // '@loop/hessian' outside this repo

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  enableSecondOrderGradients(); // without it tfjs 4.22 returns wrong HVPs for softmax/exp/tanh/...

  // Tiny attention model: softmax(x Wq (x Wk)^T / 2) x Wv, MSE to a target.
  // (Products with W go through 2-D reshapes: stock tfjs 4.22 cannot differentiate broadcast matMul.)
  const x = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 1);
  const proj = (w: tf.Tensor): tf.Tensor => tf.reshape(tf.matMul(tf.reshape(x, [10, 4]), w), [2, 5, 4]);
  const y = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 2);
  const params = [0, 1, 2].map((i) =>
    tf.variable(tf.mul(tf.randomNormal([4, 4], 0, 1, 'float32', 3 + i), 0.7)),
  );
  const [wq, wk, wv] = params;
  const loss = (): tf.Scalar =>
    tf.tidy(() => {
      const att = tf.softmax(tf.div(tf.matMul(proj(wq), proj(wk), false, true), 2));
      return tf.mean<tf.Scalar>(tf.square(tf.sub(tf.matMul(att, proj(wv)), y)));
    });

  const n = 48;
  const v = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
  const exact = hvp(loss, params, v);
  const fd = finiteDifferenceHvp(loss, params, v);
  const err = Math.hypot(...exact.map((e, i) => e - fd[i])) / Math.hypot(...fd);
  console.log(`HVP vs finite differences: relative error ${err.toExponential(2)}`);

  const H = fullHessian(loss, params); // 48 x 48, Float64Array, symmetrised
  const { values } = eigSym(H, n);
  console.log(
    'largest eigenvalues',
    Array.from(values.slice(-3)).map((l) => l.toFixed(4)),
  );
  console.log('entropy', matrixEntropy(values));
  console.log('river/valley', riverValley(values, { relativeEpsilon: 1e-2, delta: 1 }));

  // The same quantities without forming H (what you use on big models).
  const matvec = modelHvp(loss, params);
  console.log('top-2 by power iteration', topEigenvalues(matvec, n, { k: 2, seed: 0 }).values);
  console.log(
    'Hutchinson trace',
    hutchinsonTrace(matvec, n, { probes: 50, seed: 0 }),
    'exact',
    values.reduce((a, b) => a + b, 0),
  );
  const esd = spectralDensity(matvec, n, { steps: 20, probes: 4, seed: 0, sigma: 0.05 });
  console.log(
    `SLQ: ${esd.quadrature.length} probes, density on ${esd.grid.length} points, ${matvec.calls} HVPs so far`,
  );

  // Training-time tracking to JSONL, every 2 epochs.
  const tracker = new HessianTracker({ lossFn: loss, params, every: 2, path: '/tmp/hessian-example.jsonl' });
  const opt = tf.train.adam(0.05);
  for (let epoch = 1; epoch <= 4; epoch++) {
    opt.minimize(loss);
    const snap = tracker.onEpochEnd(epoch);
    if (snap)
      console.log(
        `epoch ${epoch}: entropy ${snap.entropy.entropy.toFixed(3)}, MI ${snap.mutualInformation?.mutualInformation.toFixed(3) ?? '-'}`,
      );
  }

  // Appendix F: a V-shaped valley (small valley eigenvalues) drives the river further.
  const coupling = [[0.05], [0.05], [0.05]];
  const u = simulateRiverValley({
    valleyEigenvalues: [1, 1.5, 2],
    coupling,
    riverGradient: [0.01],
    lr: 0.1,
    steps: 200,
  });
  const w = simulateRiverValley({
    valleyEigenvalues: [0.05, 0.2, 2],
    coupling,
    riverGradient: [0.01],
    lr: 0.1,
    steps: 200,
  });
  console.log(
    `river progress U ${u.final.riverProgress.toFixed(4)} < V ${w.final.riverProgress.toFixed(4)}; bounds ${u.forceBound.toFixed(3)} < ${w.forceBound.toFixed(3)}`,
  );
}

void main();
